import { DomainError } from './domain-error';
import { contentTypeError, isCsv, JSON_MAX_DEPTH, parseJsonBody } from './http-server';

/** The field a refused body is named by. */
function refusedField(text: string): string | undefined {
  try {
    parseJsonBody(text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return ((error as DomainError).details?.fields as { field: string }[])[0].field;
  }
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('parseJsonBody', () => {
  it('reads an empty body as {} and JSON as JSON', () => {
    expect(parseJsonBody('')).toEqual({});
    expect(parseJsonBody('{"a":[1,{"b":"c"}]}')).toEqual({ a: [1, { b: 'c' }] });
  });

  it(`bounds nesting at ${JSON_MAX_DEPTH} levels, counting brackets outside strings only`, () => {
    expect(parseJsonBody(nested(JSON_MAX_DEPTH))).toHaveLength(1);
    expect(refusedField(nested(JSON_MAX_DEPTH + 1))).toBe('body');
    expect(refusedField(nested(100_000))).toBe('body');
    expect(refusedField(`{"a":${nested(JSON_MAX_DEPTH)}}`)).toBe('body');
    const text = `{"a":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`;
    expect(parseJsonBody(text)).toEqual({ a: `${'['.repeat(100)}"${'{'.repeat(100)}` });
  });

  it('names a prototype key by its path wherever it is', () => {
    expect(refusedField('{"constructor":{"prototype":{}}}')).toBe('body.constructor');
    expect(refusedField('{"prototype":1}')).toBe('body.prototype');
    expect(refusedField('{"a":{"__proto__":{"x":1}}}')).toBe('body.a.__proto__');
    expect(refusedField('{"a":[0,{"constructor":1}]}')).toBe('body.a[1].constructor');
    expect(parseJsonBody('{"a":"constructor"}')).toEqual({ a: 'constructor' });
  });

  it('refuses text that is not JSON without quoting it', () => {
    for (const text of ['{', '{"a":1,}', "{'a':1}", ' ', 'x0123456789abcdef']) {
      expect(refusedField(text)).toBe('body');
    }
    try {
      parseJsonBody('{"k": x0123456789abcdef}');
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('0123456789');
      expect((error as Error).message).toBe('body: is not valid JSON');
    }
  });
});

describe('content types', () => {
  it('knows text/csv with or without parameters, and nothing else', () => {
    expect(['text/csv', 'TEXT/CSV', 'text/csv; charset=utf-8'].map(isCsv)).toEqual([
      true,
      true,
      true,
    ]);
    expect(
      ['text/plain', 'text/csvx', 'application/json', undefined, ['text/csv']].map(isCsv),
    ).toEqual([false, false, false, false, false]);
  });

  it('names the type the route reads', () => {
    expect(contentTypeError(true).message).toBe('Content-Type: must be text/csv');
    expect(contentTypeError(false).message).toBe('Content-Type: must be application/json');
  });
});
