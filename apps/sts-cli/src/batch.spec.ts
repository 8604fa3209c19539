import { once } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import { MAX_LINE_LENGTH, NotJsonLinesError, runBatch } from './batch';
import { loadVectors } from '../../../libs/sts-core/test/vectors';

const CLASS1 = '{"id":7,"op":"class1","subclass":1,"control":2,"manufacturerCode":0}';
const CLASS1_TOKEN = '01152921513331042448';

async function batchText(input: string | string[]): Promise<string> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  await runBatch(Readable.from(typeof input === 'string' ? [input] : input), sink);
  return out;
}

async function batch(input: string | string[]): Promise<Record<string, unknown>[]> {
  return (await batchText(input))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('sts batch (in process)', () => {
  it('passes every conformance vector, in order, echoing ids', async () => {
    const vectors = loadVectors();
    const results = await batch(vectors.map((v) => `${JSON.stringify(v.request)}\n`).join(''));
    expect(results).toHaveLength(vectors.length);
    vectors.forEach((v, i) => {
      expect(results[i].id).toEqual(v.id);
      if (v.expect.errorPresent === true)
        expect(results[i].error).toEqual(expect.objectContaining({ code: expect.any(String) }));
      else expect(results[i]).toMatchObject(v.expect);
    });
  });

  it('keeps lines whole across chunk boundaries and handles CRLF and a missing final newline', async () => {
    const line = '{"id":7,"op":"class1","subclass":1,"control":2,"manufacturerCode":0}';
    const results = await batch([line.slice(0, 10), `${line.slice(10)}\r\n\n`, line]);
    expect(results).toEqual([
      { id: 7, token: '01152921513331042448' },
      { id: 7, token: '01152921513331042448' },
    ]);
  });

  it('reports failing lines and continues; any JSON value is an id', async () => {
    const results = await batch(
      [
        '{"id":{"n":1},"op":"credit","ea":"07","key":{"decoderKey":"e653341f9d5bf36f"},"subclass":0,"tid":5871715,"amount":"lots"}',
        'this is not json',
        '{"id":[2],"op":"unknown"}',
        '{"op":"derive","dkga":"02"}',
        '{"id":null,"op":"class1","subclass":0,"control":"0x2","manufacturerCode":0}',
      ].join('\n'),
    );
    expect(results.map((r) => (r.error as { code?: string } | undefined)?.code ?? r.token)).toEqual(
      ['INVALID_AMOUNT', 'INVALID_JSON', 'INVALID_INPUT', 'INVALID_INPUT', '00000000000167774880'],
    );
    expect(results[0].id).toEqual({ n: 1 });
    expect(results[2]).toMatchObject({ id: [2], error: { field: 'op' } });
  });

  it('refuses input that is not JSON Lines at all: no line of it is JSON', async () => {
    await expect(batch('hello\nworld\n\n')).rejects.toThrow(NotJsonLinesError);
    await expect(batch('{\n  "op": "class1"\n}\n')).rejects.toThrow(NotJsonLinesError);
    await expect(batch('\u0000\u0001binary')).rejects.toThrow(NotJsonLinesError);
  });

  it('takes empty input and blank lines as no requests', async () => {
    expect(await batch('')).toEqual([]);
    expect(await batch('\n\r\n   \n\t\n')).toEqual([]);
  });

  it('a bad first line is one error line, not a refusal of the whole stream', async () => {
    const results = await batch(['not json\n\n', `${CLASS1}\n`, '{"id":\n', CLASS1]);
    expect(results).toEqual([
      { id: null, error: { code: 'INVALID_JSON', message: 'line 1: is not valid JSON' } },
      { id: 7, token: CLASS1_TOKEN },
      { id: null, error: { code: 'INVALID_JSON', message: 'line 4: is not valid JSON' } },
      { id: 7, token: CLASS1_TOKEN },
    ]);
  });

  it('ignores a UTF-8 byte order mark, at the start and on later lines', async () => {
    const out = await batchText(['\ufeff', `${CLASS1}\r\n\ufeff${CLASS1}`]);
    expect(out).toBe(`{"id":7,"token":"${CLASS1_TOKEN}"}\n`.repeat(2));
  });

  it('answers a JSON line that is not an object with an error line', async () => {
    const results = await batch(`[1]\n42\n"x"\nnull\ntrue\n${CLASS1}\n`);
    expect(results.slice(0, 5)).toEqual(
      Array(5).fill({
        error: expect.objectContaining({ code: 'INVALID_INPUT', field: 'request' }),
      }),
    );
    expect(results[5]).toEqual({ id: 7, token: CLASS1_TOKEN });
  });

  it('echoes each id exactly as written, whatever JSON value it is, and none when absent', async () => {
    const ids = [
      '"a\\u00e9"',
      '12345678901234567890',
      '-1.5e400',
      '0.1',
      '{ "n" : [1e400, "}\\"]"], "m": {} }',
      '[]',
      'null',
      'false',
    ];
    const out = (await batchText(ids.map((id) => `{"op":"x","id":${id}}\n`))).split('\n');
    expect(out.slice(0, ids.length).map((l) => /^{"id":(.*),"error":/.exec(l)?.[1])).toEqual([
      '"aé"',
      ...ids.slice(1),
    ]);
    expect(await batchText('{"i\\u0064":9007199254740993,"op":"x","id":2,"id":3}\n')).toMatch(
      /^{"id":3,/,
    );
    expect(await batchText('{ "\\u0069d" : 9007199254740993 , "op":"x"}\n')).toMatch(
      /^{"id":9007199254740993,/,
    );
    expect(JSON.parse(await batchText('{"op":"x"}'))).not.toHaveProperty('id');
  });

  it('skips a line longer than MAX_LINE_LENGTH without holding it, and goes on', async () => {
    const long = 'x'.repeat(64 * 1024);
    const chunks = Array<string>(Math.ceil(MAX_LINE_LENGTH / long.length) + 2).fill(long);
    const results = await batch([...chunks, `\n${CLASS1}\n`]);
    expect(results).toEqual([
      { id: null, error: { code: 'LINE_TOO_LONG', message: expect.stringContaining('line 1:') } },
      { id: 7, token: CLASS1_TOKEN },
    ]);
    await expect(batch(chunks)).rejects.toThrow(NotJsonLinesError);
  });

  it('streams: a line is answered before the input ends', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const done = runBatch(input, output);
    input.write(`${CLASS1}\n{"id":8,`);
    const [first] = (await once(output, 'data')) as [Buffer];
    expect(first.toString()).toBe(`{"id":7,"token":"${CLASS1_TOKEN}"}\n`);
    input.end('"op":"class1","subclass":1,"control":2,"manufacturerCode":0}');
    await done;
    expect(String(output.read())).toBe(`{"id":8,"token":"${CLASS1_TOKEN}"}\n`);
  });

  it('stops reading while the output is not drained (backpressure)', async () => {
    let pulled = 0;
    function* lines() {
      for (let i = 0; i < 200_000; i++) {
        pulled += 1;
        yield `${CLASS1}\n`;
      }
    }
    let release: (() => void) | undefined;
    let written = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        written += chunk.length;
        release = done;
      },
    });
    const run = runBatch(Readable.from(lines()), slow);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pulled).toBeLessThan(2000);
    // Let it finish.
    slow._write = (chunk: Buffer, _enc, done) => {
      written += chunk.length;
      done();
    };
    release?.();
    await run;
    expect(written).toBe(200_000 * `{"id":7,"token":"${CLASS1_TOKEN}"}\n`.length);
  });
});
