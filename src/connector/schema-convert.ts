/**
 * Turns the event's JSON Schema (draft 2020-12, schema/audit-event.v1.json) into Swagger 2.0 schemas,
 * so the connector describes events from the same source as the validator and never drifts from it.
 *
 * The connector uses these schemas to describe responses (what a flow can pick from), so what Swagger 2.0
 * cannot say is left out rather than approximated: value constraints (lengths, bounds, patterns),
 * conditional requirements (`allOf` of `if`/`then`), `propertyNames`, and `additionalProperties: false`.
 * A property that may be one of several types (`type: [string, integer]`) is left untyped.
 */

export type SwaggerSchema = { [keyword: string]: unknown };
type JsonSchema = { readonly [keyword: string]: unknown };

const JSON_SCHEMA_REF = '#/$defs/';
const SWAGGER_REF = '#/definitions/';

/** Formats Swagger 2.0 names, or that Power Automate understands; others are dropped. */
const KEPT_FORMATS = new Set(['date-time', 'date', 'uri', 'email', 'int32', 'int64']);

export class SchemaConversionError extends Error {
  constructor(
    readonly location: string,
    readonly detail: string,
  ) {
    super(`${location}: ${detail}`);
    this.name = 'SchemaConversionError';
  }
}

/**
 * The root schema as `rootName` and each `$defs` entry under its own name, ready for `definitions`.
 * @throws SchemaConversionError for a `$ref` outside `#/$defs/` or a `$defs` name already taken.
 */
export function definitionsFromJsonSchema(
  schema: JsonSchema,
  rootName: string,
): Record<string, SwaggerSchema> {
  const definitions: Record<string, SwaggerSchema> = { [rootName]: convert(schema, rootName) };
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  for (const [name, def] of Object.entries(defs)) {
    if (name in definitions)
      throw new SchemaConversionError(`$defs/${name}`, `the name ${name} is already a definition`);
    definitions[name] = convert(def, `$defs/${name}`);
  }
  return definitions;
}

function convert(schema: JsonSchema, location: string): SwaggerSchema {
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith(JSON_SCHEMA_REF)) {
      throw new SchemaConversionError(
        location,
        `$ref ${schema.$ref} is not a local $defs reference`,
      );
    }
    return { $ref: `${SWAGGER_REF}${schema.$ref.slice(JSON_SCHEMA_REF.length)}` };
  }
  const out: SwaggerSchema = {};
  if (typeof schema.description === 'string') out.description = schema.description;
  if (typeof schema.type === 'string') out.type = schema.type;
  if ('const' in schema) {
    out.type ??= typeof schema.const === 'number' ? 'number' : typeof schema.const;
    out.enum = [schema.const];
  }
  if (Array.isArray(schema.enum)) {
    out.enum = [...schema.enum];
    out.type ??= typeof schema.enum[0] === 'number' ? 'number' : typeof schema.enum[0];
  }
  if (typeof schema.format === 'string' && KEPT_FORMATS.has(schema.format))
    out.format = schema.format;
  if (typeof schema.properties === 'object' && schema.properties !== null) {
    const properties: Record<string, SwaggerSchema> = {};
    for (const [name, property] of Object.entries(
      schema.properties as Record<string, JsonSchema>,
    )) {
      properties[name] = convert(property, `${location}/properties/${name}`);
    }
    out.properties = properties;
    out.type ??= 'object';
  }
  if (Array.isArray(schema.required) && schema.required.length > 0)
    out.required = [...schema.required];
  if (typeof schema.items === 'object' && schema.items !== null) {
    out.items = convert(schema.items as JsonSchema, `${location}/items`);
  }
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
    out.additionalProperties = convert(
      schema.additionalProperties as JsonSchema,
      `${location}/additionalProperties`,
    );
  }
  return out;
}
