import { withCheckDigit } from '@sts/core';
import { DomainError } from '../common/domain-error';
import {
  decodeRows,
  encodeRow,
  lines,
  MAX_LINE_BYTES,
  MeterIdSet,
  MeterListParser,
} from './campaign-csv';

function chunks(...parts: string[]): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < parts.length
              ? { done: false as const, value: Buffer.from(parts[i++], 'utf8') }
              : { done: true as const, value: undefined },
          ),
      };
    },
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const good = (n: number) => withCheckDigit(String(n).padStart(10, '0'));

describe('lines', () => {
  it('splits LF and CRLF across chunk boundaries and keeps a last line without newline', async () => {
    expect(await collect(lines(chunks('a,b\r', '\nc', 'd\n', 'e')))).toEqual(['a,b', 'cd', 'e']);
  });

  it('reports an over-long line as null and carries on with the next one', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 5);
    const out = await collect(lines(chunks(long.slice(0, 700), long.slice(700), '\nok\n')));
    expect(out).toEqual([null, 'ok']);
  });
});

describe('MeterIdSet', () => {
  it('finds duplicates across growth, for both IIN forms', () => {
    const set = new MeterIdSet();
    for (let i = 0; i < 100_000; i++) expect(set.add('600727', good(i))).toBe(true);
    expect(set.add('600727', good(99_999))).toBe(false);
    expect(set.add('600727', good(0))).toBe(false);
    expect(set.add('0000', withCheckDigit('000000000001'))).toBe(true);
    expect(set.add('0000', withCheckDigit('000000000001'))).toBe(false);
  });
});

describe('MeterListParser', () => {
  it('validates each row, reports bad rows with a code and keeps the rest', async () => {
    const bad = good(2).slice(0, -1) + String((Number(good(2).slice(-1)) + 1) % 10);
    const csv = [
      'iin,drn,ea',
      `600727,${good(1)},`,
      `600727,${bad},07`,
      `60072,${good(3)},07`,
      `600727,123,07`,
      `600727,${good(4)},12`,
      `600727,${good(1)},07`,
      `600727,${good(5)},11,extra`,
      '',
      `"600727","${good(6)}",11`,
    ].join('\n');
    const parser = new MeterListParser('07');
    const rows = await collect(parser.parse(chunks(csv)));
    expect(rows.map((r) => [r.row, r.code])).toEqual([
      [1, ''],
      [2, 'BAD_CHECK_DIGIT'],
      [3, 'BAD_IIN'],
      [4, 'BAD_DRN'],
      [5, 'BAD_EA'],
      [6, 'DUPLICATE_METER'],
      [7, 'BAD_FIELD_COUNT'],
      [8, ''],
    ]);
    expect(rows[0].ea).toBe('07');
    expect(rows[7]).toMatchObject({ iin: '600727', drn: good(6), ea: '11' });
    expect(parser.rows).toBe(8);
    expect(parser.bad).toBe(6);
    expect(parser.sha256()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses unknown columns and a header without iin and drn as 400 naming meters', async () => {
    for (const header of ['iin,drn,colour', 'iin,ea', '']) {
      const parser = new MeterListParser('07');
      const error = await collect(parser.parse(chunks(`${header}\n`))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('VALIDATION_FAILED');
      expect((error as DomainError).details).toEqual({
        fields: [expect.objectContaining({ field: 'meters' })],
      });
    }
  });

  it('counts blank lines, before and after the header, toward the row limit', async () => {
    const refused = async (text: string) => {
      const error = await collect(new MeterListParser('07', 3).parse(chunks(text))).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toEqual({
        fields: [expect.objectContaining({ field: 'meters' })],
      });
    };
    const row = (n: number) => `600727,${good(n)}\n`;
    await refused(`iin,drn\n${row(1)}\n\n${row(2)}`);
    await refused(`\n\n\n\niin,drn\n`);
    await refused(`iin,drn\n${'\n'.repeat(10)}`);
    const fits = new MeterListParser('07', 3);
    expect(await collect(fits.parse(chunks(`iin,drn\n${row(1)}\n${row(2)}`)))).toHaveLength(2);
  });

  it('hashes the normalised rows: the same list in another layout has the same hash', async () => {
    const a = new MeterListParser('07');
    await collect(a.parse(chunks(`iin,drn\n600727,${good(1)}\n`)));
    const b = new MeterListParser('07');
    await collect(b.parse(chunks(`drn,iin\r\n${good(1)},600727\r\n`)));
    const c = new MeterListParser('07');
    await collect(c.parse(chunks(`iin,drn\n600727,${good(2)}\n`)));
    const [ha, hb, hc] = [a.sha256(), b.sha256(), c.sha256()];
    expect(ha).toBe(hb);
    expect(hc).not.toBe(ha);
  });

  it('round-trips rows through the chunk encoding, sanitising refused values', async () => {
    const parser = new MeterListParser('09');
    const rows = await collect(parser.parse(chunks(`iin,drn\n600727,${good(7)}\n6x0727;,"1,2"\n`)));
    expect(decodeRows(rows.map(encodeRow).join('\n'))).toEqual(rows);
    expect(rows[1].iin).toBe('6x0727');
  });
});
