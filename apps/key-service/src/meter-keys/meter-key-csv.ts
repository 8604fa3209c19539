import { parseMeterId, StsError } from '@sts/core';
import { lines } from '../campaigns/campaign-csv';
import { DomainError } from '../common/domain-error';

/** The columns of a meter key list, in any order (names compared case-insensitively). */
export const MeterKeyColumns = ['iin', 'drn', 'sgc', 'krn', 'tariffIndex', 'ea'] as const;

/** Most meter lines one list may hold; every line after the header counts. */
export const MAX_METER_KEY_ROWS = 20_000_000;

/** One meter line, checked for form (not yet against the vending keys). */
export interface MeterKeyRow {
  readonly line: number;
  readonly iin: string;
  readonly drn: string;
  readonly sgc: string;
  readonly krn: number;
  readonly tariffIndex: string;
  readonly ea: string;
}

export type MeterKeyLine =
  | { readonly line: number; readonly row: MeterKeyRow }
  | { readonly line: number; readonly bad: { readonly field: string; readonly message: string } };

function headerIndex(header: string): Record<(typeof MeterKeyColumns)[number], number> {
  const names = header.split(',').map((n) => n.trim().replace(/^"|"$/g, '').toLowerCase());
  const index = {} as Record<(typeof MeterKeyColumns)[number], number>;
  for (const column of MeterKeyColumns) {
    const at = names.indexOf(column.toLowerCase());
    if (at < 0) {
      throw DomainError.validation(
        'body',
        `body: the header must name ${MeterKeyColumns.join(', ')} (missing ${column})`,
      );
    }
    index[column] = at;
  }
  return index;
}

function check(
  line: number,
  fields: readonly string[],
  at: Record<(typeof MeterKeyColumns)[number], number>,
): MeterKeyLine {
  const get = (c: (typeof MeterKeyColumns)[number]) =>
    (fields[at[c]] ?? '').trim().replace(/^"|"$/g, '');
  const bad = (field: string, message: string): MeterKeyLine => ({ line, bad: { field, message } });
  let meter;
  try {
    meter = parseMeterId(get('iin'), get('drn'));
  } catch (error) {
    if (error instanceof StsError) return bad(error.field ?? 'drn', error.message);
    throw error;
  }
  const sgc = get('sgc');
  if (!/^\d{6}$/.test(sgc)) return bad('sgc', 'sgc: must be exactly 6 digits');
  const krn = get('krn');
  if (!/^[1-9]$/.test(krn)) return bad('krn', 'krn: must be 1 to 9');
  const tariffIndex = get('tariffIndex');
  if (!/^\d{2}$/.test(tariffIndex)) return bad('tariffIndex', 'tariffIndex: must be 2 digits');
  const ea = get('ea');
  if (ea !== '07' && ea !== '09' && ea !== '11') return bad('ea', 'ea: must be 07, 09 or 11');
  return {
    line,
    row: { line, iin: meter.iin, drn: meter.drn, sgc, krn: Number(krn), tariffIndex, ea },
  };
}

/**
 * Reads a meter key list as a stream, one line at a time: a header problem is a 400 naming
 * `body`; a row problem is a bad line naming its column. Blank lines are skipped. Line numbers
 * count the header as line 1.
 */
export async function* readMeterKeyRows(
  source: AsyncIterable<Buffer | string>,
): AsyncGenerator<MeterKeyLine> {
  let index: Record<(typeof MeterKeyColumns)[number], number> | undefined;
  let width = 0;
  let line = 0;
  for await (const text of lines(source)) {
    line += 1;
    if (line > MAX_METER_KEY_ROWS + 1) {
      throw DomainError.validation('body', `body: at most ${MAX_METER_KEY_ROWS} lines`);
    }
    if (text === null) {
      if (!index) throw DomainError.validation('body', 'body: the header line is too long');
      yield { line, bad: { field: 'row', message: 'row: line too long' } };
      continue;
    }
    if (text.trim() === '') continue;
    if (!index) {
      index = headerIndex(text);
      width = text.split(',').length;
      continue;
    }
    const fields = text.split(',');
    if (fields.length !== width) {
      yield {
        line,
        bad: { field: 'row', message: `row: ${width} fields expected, as in the header` },
      };
      continue;
    }
    yield check(line, fields, index);
  }
  if (!index) throw DomainError.validation('body', 'body: the list is empty (no header)');
}
