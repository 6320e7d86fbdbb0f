/**
 * Renders src/schema/types.ts from schema/audit-event.v1.json, so the TypeScript types and the JSON Schema
 * cannot drift apart: the schema is the one source, and test/schema/types.test.ts fails when the committed
 * file differs from what this renders.
 *
 * It understands exactly the subset of JSON Schema the event schema uses and throws on anything else,
 * so a schema change that it would silently mistranslate is caught at generation time.
 *
 * Regenerate: `npm run build && node dist/src/schema/generate-types.js`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type SchemaNode = { readonly [keyword: string]: unknown };

const PRINT_WIDTH = 100;
const INDENT = '  ';
const REF_PREFIX = '#/$defs/';
const FREE_FORM_OBJECT = '{ [key: string]: JsonValue }';

/** Keywords that constrain values but do not change the TypeScript shape. */
const VALUE_ONLY_KEYWORDS = new Set([
  'description',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minProperties',
  'anyOf',
]);

export class UnsupportedSchemaError extends Error {
  constructor(
    readonly location: string,
    readonly detail: string,
  ) {
    super(`${location}: ${detail}`);
    this.name = 'UnsupportedSchemaError';
  }
}

/** The text of src/schema/types.ts for the given event schema (already formatted as Prettier would). */
export function renderTypes(schema: SchemaNode): string {
  const defs = asRecord(schema['$defs'] ?? {}, '#/$defs');
  const blocks: string[] = [
    [
      '// Generated from schema/audit-event.v1.json by src/schema/generate-types.ts. Do not edit:',
      '// change the schema, then run `npm run build && node dist/src/schema/generate-types.js`.',
    ].join('\n'),
    renderAlias('Any JSON value.', 'JsonValue', [
      'string',
      'number',
      'boolean',
      'null',
      'JsonValue[]',
      FREE_FORM_OBJECT,
    ]),
    renderInterface(schemaTitle(schema), schema, '#', [
      "Per-type requirements (the schema's allOf) are not expressed in this type; see docs/schema.md.",
      'Other CloudEvents extension attributes may be present at run time; they are not typed.',
    ]),
  ];
  for (const [name, node] of Object.entries(defs)) {
    const def = asRecord(node, `#/$defs/${name}`);
    if (Array.isArray(def['enum'])) {
      blocks.push(renderEnum(name, def, `#/$defs/${name}`));
    } else {
      blocks.push(renderInterface(name, def, `#/$defs/${name}`, []));
    }
  }
  return `${blocks.join('\n\n')}\n`;
}

function schemaTitle(schema: SchemaNode): string {
  const title = schema['title'];
  if (typeof title !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(title)) {
    throw new UnsupportedSchemaError('#/title', 'must be a PascalCase type name');
  }
  return title;
}

function renderEnum(name: string, def: SchemaNode, location: string): string {
  const values = def['enum'] as unknown[];
  const literals = values.map((value, index) => {
    if (typeof value !== 'string') {
      throw new UnsupportedSchemaError(
        `${location}/enum/${index}`,
        'only string enums are supported',
      );
    }
    return quote(value);
  });
  const constName = `${constantCase(name)}${name.endsWith('s') ? 'ES' : 'S'}`;
  return [
    renderAlias(description(def), name, literals),
    `/** Every ${name}, in schema order. */`,
    renderArray(`export const ${constName}: readonly ${name}[] = `, literals),
  ].join('\n');
}

function renderInterface(
  name: string,
  node: SchemaNode,
  location: string,
  notes: readonly string[],
): string {
  if (node['type'] !== 'object') {
    throw new UnsupportedSchemaError(location, 'a named type must be an object or a string enum');
  }
  const properties = asRecord(node['properties'] ?? {}, `${location}/properties`);
  const required = new Set(asStringArray(node['required'] ?? [], `${location}/required`));
  const lines = [
    ...docComment(
      [description(node), ...notes].filter((l) => l !== ''),
      '',
    ),
  ];
  lines.push(`export interface ${name} {`);
  for (const [key, child] of Object.entries(properties)) {
    const childNode = asRecord(child, `${location}/properties/${key}`);
    lines.push(
      ...docComment(
        [description(childNode)].filter((l) => l !== ''),
        INDENT,
      ),
    );
    const optional = required.has(key) ? '' : '?';
    lines.push(
      `${INDENT}${key}${optional}: ${typeExpression(childNode, `${location}/properties/${key}`)};`,
    );
  }
  lines.push('}');
  return lines.join('\n');
}

/** The TypeScript type of an inline (unnamed) schema node. */
function typeExpression(node: SchemaNode, location: string): string {
  for (const keyword of Object.keys(node)) {
    const shapes = ['$ref', 'const', 'enum', 'type', 'items'];
    if (keyword === 'properties') {
      throw new UnsupportedSchemaError(location, 'objects with properties must be named in $defs');
    }
    if (!VALUE_ONLY_KEYWORDS.has(keyword) && !shapes.includes(keyword)) {
      throw new UnsupportedSchemaError(location, `keyword "${keyword}" is not supported inline`);
    }
  }
  const anyOf = node['anyOf'];
  if (anyOf !== undefined && !isFormatOnlyAnyOf(anyOf)) {
    throw new UnsupportedSchemaError(`${location}/anyOf`, 'only anyOf over formats is supported');
  }
  const ref = node['$ref'];
  if (ref !== undefined) {
    if (typeof ref !== 'string' || !ref.startsWith(REF_PREFIX)) {
      throw new UnsupportedSchemaError(location, 'only local #/$defs references are supported');
    }
    return ref.slice(REF_PREFIX.length);
  }
  if ('const' in node) {
    const value = node['const'];
    if (typeof value !== 'string') {
      throw new UnsupportedSchemaError(location, 'only string consts are supported');
    }
    return quote(value);
  }
  const type = node['type'];
  if (type === undefined) {
    return 'JsonValue';
  }
  const types = typeof type === 'string' ? [type] : asStringArray(type, `${location}/type`);
  return types.map((t) => primitiveType(t, node, location)).join(' | ');
}

function primitiveType(type: string, node: SchemaNode, location: string): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (node['properties'] !== undefined) {
        throw new UnsupportedSchemaError(
          location,
          'objects with properties must be named in $defs',
        );
      }
      return FREE_FORM_OBJECT;
    case 'array': {
      const items = node['items'];
      if (items === undefined) {
        return 'JsonValue[]';
      }
      const itemType = typeExpression(asRecord(items, `${location}/items`), `${location}/items`);
      return itemType.includes(' ') ? `(${itemType})[]` : `${itemType}[]`;
    }
    default:
      throw new UnsupportedSchemaError(location, `type "${type}" is not supported`);
  }
}

function isFormatOnlyAnyOf(anyOf: unknown): boolean {
  return (
    Array.isArray(anyOf) &&
    anyOf.every(
      (branch) =>
        typeof branch === 'object' &&
        branch !== null &&
        Object.keys(branch).length === 1 &&
        'format' in branch,
    )
  );
}

function renderAlias(doc: string, name: string, members: readonly string[]): string {
  const lines = docComment(doc === '' ? [] : [doc], '');
  const oneLine = `export type ${name} = ${members.join(' | ')};`;
  const nextLine = `${INDENT}${members.join(' | ')};`;
  if (oneLine.length <= PRINT_WIDTH) {
    lines.push(oneLine);
  } else if (nextLine.length <= PRINT_WIDTH) {
    lines.push(`export type ${name} =`, nextLine);
  } else {
    lines.push(`export type ${name} =`);
    members.forEach((member, index) => {
      lines.push(`${INDENT}| ${member}${index === members.length - 1 ? ';' : ''}`);
    });
  }
  return lines.join('\n');
}

function renderArray(prefix: string, elements: readonly string[]): string {
  const oneLine = `${prefix}[${elements.join(', ')}];`;
  if (oneLine.length <= PRINT_WIDTH) {
    return oneLine;
  }
  return [`${prefix}[`, ...elements.map((e) => `${INDENT}${e},`), '];'].join('\n');
}

function docComment(paragraphs: readonly string[], indent: string): string[] {
  if (paragraphs.length === 0) {
    return [];
  }
  const safe = paragraphs.map((p) => p.replace(/\*\//g, '*\\/'));
  if (safe.length === 1) {
    return [`${indent}/** ${safe[0]} */`];
  }
  return [`${indent}/**`, ...safe.map((p) => `${indent} * ${p}`), `${indent} */`];
}

function description(node: SchemaNode): string {
  const text = node['description'];
  return typeof text === 'string' ? text : '';
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function constantCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function asRecord(value: unknown, location: string): SchemaNode {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnsupportedSchemaError(location, 'must be an object');
  }
  return value as SchemaNode;
}

function asStringArray(value: unknown, location: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new UnsupportedSchemaError(location, 'must be an array of strings');
  }
  return value;
}

/** Paths relative to the repository root, where the script must be run from. */
export const SCHEMA_PATH = join('schema', 'audit-event.v1.json');
export const TYPES_PATH = join('src', 'schema', 'types.ts');

if (require.main === module) {
  const root = process.cwd();
  const schema = JSON.parse(readFileSync(join(root, SCHEMA_PATH), 'utf8')) as SchemaNode;
  writeFileSync(join(root, TYPES_PATH), renderTypes(schema));
  process.stdout.write(`wrote ${TYPES_PATH}\n`);
}
