import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  renderTypes,
  SCHEMA_PATH,
  TYPES_PATH,
  UnsupportedSchemaError,
} from '../../src/schema/generate-types';

const ROOT = join(__dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, SCHEMA_PATH), 'utf8')) as Record<string, unknown>;

describe('generated types', () => {
  it('src/schema/types.ts is exactly what the schema renders to (regenerate: npm run build && node dist/src/schema/generate-types.js)', () => {
    expect(readFileSync(join(ROOT, TYPES_PATH), 'utf8')).toBe(renderTypes(schema));
  });

  it('renders a string enum as a union and a constant list', () => {
    const rendered = renderTypes({
      title: 'Root',
      type: 'object',
      properties: { colour: { $ref: '#/$defs/Colour' } },
      $defs: { Colour: { type: 'string', enum: ['red', 'green'] } },
    });
    expect(rendered).toContain(
      "export type Colour = 'red' | 'green';\n/** Every Colour, in schema order. */\nexport const COLOURS: readonly Colour[] = ['red', 'green'];",
    );
  });

  it('marks properties outside required as optional', () => {
    const rendered = renderTypes({
      title: 'Root',
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'integer' } },
    });
    expect(rendered).toContain('export interface Root {\n  a: string;\n  b?: number;\n}');
  });

  it('refuses an inline object with its own properties', () => {
    expect(() =>
      renderTypes({
        title: 'Root',
        type: 'object',
        properties: { inner: { type: 'object', properties: { x: { type: 'string' } } } },
      }),
    ).toThrow(
      new UnsupportedSchemaError(
        '#/properties/inner',
        'objects with properties must be named in $defs',
      ),
    );
  });

  it('refuses a keyword it cannot translate', () => {
    expect(() =>
      renderTypes({
        title: 'Root',
        type: 'object',
        properties: { x: { oneOf: [{ type: 'string' }] } },
      }),
    ).toThrow(
      new UnsupportedSchemaError('#/properties/x', 'keyword "oneOf" is not supported inline'),
    );
  });

  it('refuses a title that is not a type name', () => {
    expect(() => renderTypes({ title: 'audit event', type: 'object' })).toThrow(
      new UnsupportedSchemaError('#/title', 'must be a PascalCase type name'),
    );
  });
});
