import fc from 'fast-check';

/** The part of an OpenAPI 3 schema object the generators read. */
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  format?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

export interface Operation {
  operationId: string;
  method: string;
  /** The path template, `{name}` for each path parameter. */
  path: string;
  roles: string[];
  parameters: Parameter[];
  /** The body's media type and schema, when the operation takes one. */
  body?: { type: string; schema: Schema };
}

interface Document {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        'x-roles'?: string[];
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

/** Every operation of an OpenAPI document, its schemas resolved. */
export function operationsOf(doc: Document): Operation[] {
  const resolve = (schema: Schema): Schema => {
    if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop() ?? '']);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return {
      ...schema,
      ...(schema.properties
        ? {
            properties: Object.fromEntries(
              Object.entries(schema.properties).map(([k, v]) => [k, resolve(v)]),
            ),
          }
        : {}),
      ...(schema.items ? { items: resolve(schema.items) } : {}),
    };
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
      return {
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        roles: op['x-roles'] ?? [],
        parameters: op.parameters ?? [],
        ...(content ? { body: { type: content[0], schema: resolve(content[1].schema) } } : {}),
      };
    }),
  );
}

/** A value that fits `schema` as far as its example, enum, type and minimum say. */
export function sampleOf(schema: Schema): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type ?? 'string') {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sampleOf(v)]),
      );
    case 'array':
      return schema.items ? [sampleOf(schema.items)] : [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString();
      return 'x';
  }
}

/** JSON nested `depth` levels deep (arrays), as text. */
export const deeplyNested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** Strings that have broken services: control characters, odd unicode, numbers as text, sizes. */
const ODD_STRINGS = [
  '',
  ' ',
  '   ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[2J',
  '\t\n',
  '\u007f\u0085',
  '\u202e\u200b',
  '\ud800',
  '💥',
  'Ωmega',
  '-1',
  '0',
  '1e999',
  '99999999999999999999',
  '0x1',
  'NaN',
  'null',
  '../../etc/passwd',
  "' OR 1=1 --",
  'x'.repeat(70),
  'x'.repeat(5000),
];

/** Numbers at and past the edges of every type in the service. */
const ODD_NUMBERS = [
  -1,
  0,
  1.5,
  -0.5,
  2 ** 31,
  2 ** 53 + 2,
  1e20,
  -1e20,
  1e308,
  Number.MAX_SAFE_INTEGER,
];

/** Any value of the wrong kind: nulls, numbers, strings, arrays, objects, deep nesting. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...ODD_NUMBERS),
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant([]),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.integer({ min: 2, max: 40 }).map((depth) => JSON.parse(deeplyNested(depth)) as unknown),
);

/** Keys a body may carry that it should not: unknown, prototype machinery, empty. */
const EXTRA_KEYS = ['extra', 'constructor', 'prototype', '__proto__', 'toString', '', 'id'];

type BodyEdit =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'extra'; at: number; key: string; value: unknown };

const bodyEdit: fc.Arbitrary<BodyEdit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: oddValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extra' as const),
    at: fc.nat(),
    key: fc.constantFrom(...EXTRA_KEYS),
    value: oddValue,
  }),
);

/** Every object in a value (itself included), for edits to land anywhere. */
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (typeof value !== 'object' || value === null) return [];
  const own = Array.isArray(value) ? [] : [value as Record<string, unknown>];
  return [...own, ...Object.values(value).flatMap(objectsIn)];
}

/** Sets `key` as an own, enumerable property (so `__proto__` is a key, as JSON.parse makes it). */
function put(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function edited(valid: unknown, edits: readonly BodyEdit[]): unknown {
  const body = JSON.parse(JSON.stringify(valid)) as unknown;
  for (const edit of edits) {
    const objects = objectsIn(body);
    if (objects.length === 0) break;
    const object = objects[edit.at % objects.length];
    const keys = Object.keys(object);
    if (edit.kind === 'extra') {
      put(object, edit.key, edit.value);
    } else if (keys.length > 0) {
      const key = keys[edit.at % keys.length];
      if (edit.kind === 'set') put(object, key, edit.value);
      else delete object[key];
    }
  }
  return body;
}

/** A JSON body as text: the valid one edited field by field, or something else altogether. */
export function jsonBody(valid: unknown): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 2, arbitrary: fc.constant(valid) },
      {
        weight: 6,
        arbitrary: fc.array(bodyEdit, { minLength: 1, maxLength: 3 }).map((e) => edited(valid, e)),
      },
      { weight: 1, arbitrary: oddValue },
      { weight: 1, arbitrary: fc.constant(undefined) },
    )
    .map((value) => (value === undefined ? '' : JSON.stringify(value)))
    .chain((text) =>
      fc.oneof(
        { weight: 12, arbitrary: fc.constant(text) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '{',
            '{"a":1,}',
            "{'a':1}",
            deeplyNested(5000),
            `{"a":${deeplyNested(33)}}`,
            '"\\u0000"',
            `{"x":"${'y'.repeat(120 * 1024)}"}`,
          ),
        },
      ),
    );
}

/** A CSV meter list: well-formed, broken, or not CSV at all. */
export const csvBody: fc.Arbitrary<string> = fc.oneof(
  fc.constant('iin,drn\n600727,00000000018\n'),
  fc.constantFrom('', 'iin,drn\n', 'iin,drn\n\u0000,\u0000\n', '{"iin":"600727"}', 'a,b,c,d\n1'),
  fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }).map((l) => `iin,drn\n${l.join('\n')}`),
);

/** Content types: mostly the one the route reads, sometimes another, sometimes none. */
export function contentType(wanted: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(wanted) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'application/json',
        'text/csv',
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'multipart/form-data; boundary=x',
      ),
    },
  );
}

/** Header values (printable ASCII: what an HTTP client can send) that are well- or ill-formed. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('req-12345678', 'short', 'has spaces in it', 'x'.repeat(65), 'a/b\\c;d', '-'),
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
    maxLength: 140,
  }),
);

/** A query value: the sample, or an odd string; an array sends the parameter twice. */
export function queryValue(sample: unknown): fc.Arbitrary<string | string[]> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(String(sample)) },
    { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constant<string[]>([String(sample), 'x']) },
  );
}

/** A path segment: one of the known ids, or a bad one. */
export function pathValue(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.uuid().map(String),
        fc.constantFrom(
          '00000000-0000-0000-0000-000000000000',
          'not-a-uuid',
          '0',
          '-1',
          '99999999999999999999',
          '%00',
          '%E2%80%AE',
          '%F0%9F%92%A5',
          'x'.repeat(300),
          '00000000-0000-4000-8000-00000000000G',
        ),
      ),
    },
  );
}
