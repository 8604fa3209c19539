import { Readable, Writable } from 'node:stream';
import { NotJsonLinesError, runBatch } from './batch';
import { loadVectors } from '../../../libs/sts-core/test/vectors';

async function batch(input: string | string[]): Promise<Record<string, unknown>[]> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  await runBatch(Readable.from(typeof input === 'string' ? [input] : input), sink);
  return out
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

  it('refuses input that is not JSON Lines at all', async () => {
    await expect(batch('hello\n{"op":"class1"}\n')).rejects.toThrow(NotJsonLinesError);
  });
});
