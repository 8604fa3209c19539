import { Readable } from 'node:stream';
import { withCheckDigit } from '@sts/core';
import { DomainError } from '../common/domain-error';
import { type MeterKeyLine, readMeterKeyRows } from './meter-key-csv';

async function read(text: string): Promise<MeterKeyLine[]> {
  const out: MeterKeyLine[] = [];
  for await (const line of readMeterKeyRows(Readable.from([Buffer.from(text)]))) out.push(line);
  return out;
}

const D1 = withCheckDigit('0000000001');

describe('meter key list', () => {
  it('reads the columns in any order, with quotes and CRLF', async () => {
    const lines = await read(
      `"EA",tariffindex,krn,sgc,drn,iin\r\n07,01,1,600727,${D1},600727\r\n\r\n`,
    );
    expect(lines).toEqual([
      {
        line: 2,
        row: {
          line: 2,
          iin: '600727',
          drn: D1,
          sgc: '600727',
          krn: 1,
          tariffIndex: '01',
          ea: '07',
        },
      },
    ]);
  });

  it.each([
    [`600727,${D1},60072,1,01,07`, 'sgc'],
    [`600727,${D1},600727,0,01,07`, 'krn'],
    [`600727,${D1},600727,10,01,07`, 'krn'],
    [`600727,${D1},600727,1,1,07`, 'tariffIndex'],
    [`600727,${D1},600727,1,01,08`, 'ea'],
    [`60072,${D1},600727,1,01,07`, 'iin'],
    [`600727,00000000010,600727,1,01,07`, 'drn'],
    [`600727,${D1},600727,1,01,07,x`, 'row'],
  ])('names the column at fault in %s', async (line, field) => {
    const [result] = await read(`iin,drn,sgc,krn,tariffIndex,ea\n${line}\n`);
    expect(result).toMatchObject({ line: 2, bad: { field } });
  });

  it('reports an over-long line and carries on', async () => {
    const lines = await read(
      `iin,drn,sgc,krn,tariffIndex,ea\n${'9'.repeat(2000)}\n600727,${D1},600727,1,01,07\n`,
    );
    expect(lines.map((l) => ('bad' in l ? l.bad.field : l.row.iin))).toEqual(['row', '600727']);
  });

  it.each([
    ['', 'empty'],
    ['iin,drn,sgc,krn,ea\n', 'tariffIndex'],
  ])(
    'refuses a list without a whole header (%j) with a 400 naming the body',
    async (text, words) => {
      const error = await read(text).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toEqual({
        fields: [{ field: 'body', message: expect.stringContaining(words) }],
      });
    },
  );
});
