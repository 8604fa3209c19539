import { createHash, type Hash } from 'node:crypto';
import { luhnCheckDigit } from '@sts/core';
import { DomainError } from '../common/domain-error';

/**
 * The meter list (CSV in) and the results (CSV out) of a campaign, streamed: the input is read
 * line by line from the request with a bounded line length, and nothing holds the whole file.
 *
 * Input: a header naming `iin` and `drn` (required) and `ea` (optional), then one meter a line.
 * Output: `row,iin,drn,ea,status,reason,token1..token4`, one line per input row, in row order.
 */

/** Why a row was refused before any key was touched (per row; the rest of the list proceeds). */
export const BAD_ROW_CODES = [
  'BAD_FIELD_COUNT',
  'BAD_IIN',
  'BAD_DRN',
  'BAD_CHECK_DIGIT',
  'BAD_EA',
  'DUPLICATE_METER',
  'LINE_TOO_LONG',
] as const;
export type BadRowCode = (typeof BAD_ROW_CODES)[number];

export const INPUT_COLUMNS = ['iin', 'drn', 'ea'] as const;
export const RESULT_HEADER = 'row,iin,drn,ea,status,reason,token1,token2,token3,token4';
export const MAX_LINE_BYTES = 1024;
/** Most rows a meter list may have. Every line after the header counts, blank ones included. */
export const MAX_ROWS = 5_000_000;

/** One meter row, validated; `code` is empty for a good row. Values never contain commas. */
export interface MeterRow {
  readonly row: number;
  readonly iin: string;
  readonly drn: string;
  readonly ea: string;
  readonly code: BadRowCode | '';
}

/** A result status per meter. */
/** `moved`: the registry placed the meter on the target key already (moved at purchase). */
export type MeterStatus = 'issued' | 'moved' | 'failed' | 'pending' | 'cancelled';

/** Splits a byte stream into lines (LF or CRLF) without ever buffering more than one line. */
export async function* lines(
  source: AsyncIterable<Buffer | string>,
): AsyncGenerator<string | null> {
  let carry = '';
  let overflow = false;
  for await (const piece of source) {
    const text = typeof piece === 'string' ? piece : piece.toString('utf8');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const part = text.slice(start, nl);
      start = nl + 1;
      if (overflow || carry.length + part.length > MAX_LINE_BYTES) {
        overflow = false;
        carry = '';
        yield null; // too long
        continue;
      }
      const line = carry + part;
      carry = '';
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
    const rest = text.slice(start);
    if (overflow) continue;
    if (carry.length + rest.length > MAX_LINE_BYTES) {
      overflow = true;
      carry = '';
    } else {
      carry += rest;
    }
  }
  if (overflow) yield null;
  else if (carry.length > 0) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

const SAFE = /[^0-9A-Za-z]/g;
/** What of a refused value goes back in the results: alphanumerics, at most 20. */
function sanitize(value: string | undefined): string {
  return (value ?? '').replace(SAFE, '').slice(0, 20);
}

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

const DIGITS = /^[0-9]+$/;

/**
 * A set of meter identities (IIN + DRN, 17 digits) in two typed arrays: about 16 bytes per
 * meter, so a million-meter list is checked for duplicates in ~32 MB instead of a string Set.
 */
export class MeterIdSet {
  private hi = new Uint32Array(1 << 16);
  private lo = new Uint32Array(1 << 16);
  private count = 0;

  /** Adds the meter; false when it was present already. */
  add(iin: string, drn: string): boolean {
    const digits = iin + drn; // 17 digits for both IIN forms
    const h = Number(digits.slice(0, 9)) + 1; // never 0: 0 marks an empty slot
    const l = Number(digits.slice(9));
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    return this.insert(h, l);
  }

  private insert(h: number, l: number): boolean {
    const mask = this.hi.length - 1;
    let i = (Math.imul(h, 0x9e3779b1) ^ Math.imul(l, 0x85ebca6b)) & mask;
    for (;;) {
      if (this.hi[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.count += 1;
        return true;
      }
      if (this.hi[i] === h && this.lo[i] === l) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    this.count = 0;
    for (let i = 0; i < oldHi.length; i++) if (oldHi[i] !== 0) this.insert(oldHi[i], oldLo[i]);
  }
}

/**
 * Parses a meter list stream. Header problems are a 400 naming the field `meters`; row
 * problems become bad rows with a code. `sha256` is over the normalised rows, which is what the
 * approving officer's payload binds. Blank lines are skipped but count toward `maxRows` (as do
 * blank lines before the header), so no stream is read without bound.
 */
export class MeterListParser {
  private readonly hash: Hash = createHash('sha256');
  private readonly seen = new MeterIdSet();
  private columns: number[] = [];
  private width = 0;
  rows = 0;
  bad = 0;

  constructor(
    private readonly defaultEa: string,
    private readonly maxRows = MAX_ROWS,
  ) {}

  async *parse(source: AsyncIterable<Buffer | string>): AsyncGenerator<MeterRow> {
    let header = true;
    let read = 0;
    for await (const line of lines(source)) {
      read += 1;
      if (read > this.maxRows + 1) {
        throw DomainError.validation(
          'meters',
          `meters: at most ${this.maxRows} rows (blank lines count)`,
        );
      }
      if (header) {
        if (line === null)
          throw DomainError.validation('meters', 'meters: the header line is too long');
        if (line.trim() === '') continue;
        this.readHeader(line);
        header = false;
        continue;
      }
      if (line !== null && line.trim() === '') continue;
      const row = this.readRow(this.rows + 1, line);
      this.rows += 1;
      if (row.code) this.bad += 1;
      this.hash.update(`${encodeRow(row)}\n`);
      yield row;
    }
    if (header) throw DomainError.validation('meters', 'meters: the list is empty (no header)');
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  private readHeader(line: string): void {
    const names = line.split(',').map((f) => unquote(f).toLowerCase());
    this.width = names.length;
    const index: number[] = [];
    for (const [i, name] of names.entries()) {
      const col = (INPUT_COLUMNS as readonly string[]).indexOf(name);
      if (col < 0) {
        throw DomainError.validation(
          'meters',
          `meters: unknown column "${sanitize(name)}"; the columns are ${INPUT_COLUMNS.join(', ')}`,
        );
      }
      if (index[col] !== undefined)
        throw DomainError.validation('meters', `meters: column ${name} twice`);
      index[col] = i;
    }
    if (index[0] === undefined || index[1] === undefined) {
      throw DomainError.validation(
        'meters',
        'meters: the header must name the columns iin and drn',
      );
    }
    this.columns = index;
  }

  private readRow(row: number, line: string | null): MeterRow {
    if (line === null) return { row, iin: '', drn: '', ea: '', code: 'LINE_TOO_LONG' };
    const fields = line.split(',').map(unquote);
    const iin = fields[this.columns[0]];
    const drn = fields[this.columns[1]];
    const eaIndex = this.columns[2];
    const eaRaw = eaIndex === undefined ? '' : (fields[eaIndex] ?? '');
    const bad = (code: BadRowCode): MeterRow => ({
      row,
      iin: sanitize(iin),
      drn: sanitize(drn),
      ea: sanitize(eaRaw),
      code,
    });
    if (fields.length !== this.width) return bad('BAD_FIELD_COUNT');
    if (!DIGITS.test(iin) || (iin.length !== 6 && iin.length !== 4)) return bad('BAD_IIN');
    if (!DIGITS.test(drn) || drn.length !== (iin.length === 6 ? 11 : 13)) return bad('BAD_DRN');
    if (luhnCheckDigit(drn.slice(0, -1)) !== drn.charCodeAt(drn.length - 1) - 48) {
      return bad('BAD_CHECK_DIGIT');
    }
    const ea = eaRaw === '' ? this.defaultEa : eaRaw;
    if (ea !== '07' && ea !== '09' && ea !== '11') return bad('BAD_EA');
    if (!this.seen.add(iin, drn)) return bad('DUPLICATE_METER');
    return { row, iin, drn, ea, code: '' };
  }
}

/** A row as stored in a chunk's input: `row,iin,drn,ea,code`. */
export function encodeRow(r: MeterRow): string {
  return `${r.row},${r.iin},${r.drn},${r.ea},${r.code}`;
}

export function decodeRows(input: string): MeterRow[] {
  if (input === '') return [];
  return input.split('\n').map((line) => {
    const [row, iin, drn, ea, code] = line.split(',');
    return { row: Number(row), iin, drn, ea, code: code as BadRowCode | '' };
  });
}

/** One results line. Tokens are not keys: they are what the customer enters at the meter. */
export function resultLine(
  r: Pick<MeterRow, 'row' | 'iin' | 'drn' | 'ea'>,
  status: MeterStatus,
  reason: string,
  tokens: readonly string[] = [],
): string {
  const t = [tokens[0] ?? '', tokens[1] ?? '', tokens[2] ?? '', tokens[3] ?? ''];
  return `${r.row},${r.iin},${r.drn},${r.ea},${status},${reason},${t.join(',')}`;
}
