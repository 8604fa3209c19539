import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { type RequestOptions, StsError, executeRequest } from '@sts/core';

/** Thrown at the end of input when no line of it was JSON (stdin is not JSON Lines at all): exit 2. */
export class NotJsonLinesError extends Error {}

/**
 * The longest line (in UTF-16 code units) the batch holds in memory. Requests are well under a
 * kilobyte; a longer line is answered with a `LINE_TOO_LONG` error line and skipped unread, so a
 * stream without newlines (a binary file, say) cannot exhaust memory.
 */
export const MAX_LINE_LENGTH = 1 << 20;

/** The error object of a failed batch line. */
export interface BatchError {
  code: string;
  message: string;
  field?: string;
}

function errorOf(e: unknown): BatchError {
  if (e instanceof StsError) {
    return e.field === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, field: e.field };
  }
  return { code: 'INTERNAL', message: 'internal error while processing this line' };
}

/** Index just past the JSON string that starts at `at` (a `"`). */
function endOfString(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22 /* " */) return i + 1;
    else i += 1;
  }
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i += 1;
  }
}

/** Index just past the JSON value that starts at `at`. */
function endOfValue(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return endOfString(text, at);
  if (first === '{' || first === '[') {
    let depth = 0;
    let i = at;
    for (;;) {
      const c = text[i];
      if (c === '"') {
        i = endOfString(text, i);
        continue;
      }
      if (c === '{' || c === '[') depth += 1;
      else if (c === '}' || c === ']') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
  }
  let i = at;
  while (i < text.length && !',}] \t\r\n'.includes(text[i])) i += 1;
  return i;
}

/**
 * The source text of the top-level `id` member of `text`, a JSON object that `JSON.parse` has
 * accepted (so the scan need not validate). The last `id` wins, as in `JSON.parse`.
 */
export function idSource(text: string): string | undefined {
  let found: string | undefined;
  let i = text.indexOf('{') + 1;
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] !== '"') return found; // `}` of an empty object
    const keyEnd = endOfString(text, i);
    const key = text.slice(i, keyEnd);
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (key === '"id"' || (key.includes('\\') && JSON.parse(key) === 'id'))
      found = text.slice(valueStart, valueEnd);
    i = skipSpace(text, valueEnd);
    if (text[i] !== ',') return found;
    i += 1;
  }
}

/**
 * The `id` to echo, as JSON text. Strings, booleans, null and safe integers survive
 * `JSON.parse`; any other number (2^64 - 1, 1e400) or an object or array holding one would not,
 * so those are echoed as they were written.
 */
function echoId(id: unknown, text: string): string {
  if (typeof id === 'string' || typeof id === 'boolean' || id === null || Number.isSafeInteger(id))
    return JSON.stringify(id);
  return idSource(text) ?? 'null';
}

/** What became of one input line. */
type LineOutcome = { kind: 'blank' } | { kind: 'not-json' } | { kind: 'result'; line: string };

/**
 * Executes one batch line (without its `\n`). A UTF-8 byte order mark and a trailing `\r` are
 * ignored; a blank line is no request.
 */
export function executeLine(line: string, options: RequestOptions = {}): LineOutcome {
  let text = line;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return { kind: 'blank' };
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    return { kind: 'not-json' };
  }
  let result: Record<string, unknown>;
  try {
    result = executeRequest(request, options);
  } catch (e) {
    result = { error: errorOf(e) };
  }
  const body = JSON.stringify(result);
  const hasId =
    typeof request === 'object' && request !== null && !Array.isArray(request) && 'id' in request;
  if (!hasId) return { kind: 'result', line: `${body}\n` };
  // Splice the id in front of the result's fields instead of copying the object.
  const id = echoId((request as { id: unknown }).id, text);
  return {
    kind: 'result',
    line: body === '{}' ? `{"id":${id}}\n` : `{"id":${id},${body.slice(1)}\n`,
  };
}

function errorLine(lineNumber: number, code: string, message: string): string {
  return `${JSON.stringify({ id: null, error: { code, message: `line ${lineNumber}: ${message}` } })}\n`;
}

const NOT_JSON_MESSAGE = 'is not valid JSON';
const TOO_LONG_MESSAGE = `is longer than ${MAX_LINE_LENGTH} characters`;

/**
 * The line-by-line state of a batch run. A line that is not JSON gets an `INVALID_JSON` error
 * line (`id` null) and the run goes on; only input in which no line at all is JSON is refused
 * (`NotJsonLinesError`). Until the first JSON line arrives, the error lines of earlier bad lines
 * wait as line numbers, then are written in order ahead of it.
 */
export class BatchLines {
  private lineNumber = 0;
  private sawJson = false;
  /** Lines before the first JSON line: their numbers, negated for lines that were too long. */
  private readonly waiting: number[] = [];

  constructor(private readonly options: RequestOptions = {}) {}

  /** The output for the next input line (without its `\n`): one line, or '' for a blank line. */
  line(text: string): string {
    this.lineNumber += 1;
    const outcome = executeLine(text, this.options);
    if (outcome.kind === 'blank') return '';
    if (outcome.kind === 'result') return this.flushWaiting() + outcome.line;
    return this.bad(this.lineNumber);
  }

  /** The output for the next input line, which was longer than {@link MAX_LINE_LENGTH}. */
  tooLong(): string {
    this.lineNumber += 1;
    return this.bad(-this.lineNumber);
  }

  /** Ends the input: throws `NotJsonLinesError` when there were lines and none was JSON. */
  end(): void {
    if (!this.sawJson && this.waiting.length > 0) {
      throw new NotJsonLinesError('stdin is not JSON Lines: no line of it is JSON');
    }
  }

  private bad(signedLine: number): string {
    if (this.sawJson) return this.describe(signedLine);
    this.waiting.push(signedLine);
    return '';
  }

  private describe(signedLine: number): string {
    return signedLine > 0
      ? errorLine(signedLine, 'INVALID_JSON', NOT_JSON_MESSAGE)
      : errorLine(-signedLine, 'LINE_TOO_LONG', TOO_LONG_MESSAGE);
  }

  private flushWaiting(): string {
    if (this.sawJson) return '';
    this.sawJson = true;
    const out = this.waiting.map((n) => this.describe(n)).join('');
    this.waiting.length = 0;
    return out;
  }
}

/**
 * `sts batch`: streams JSON Lines from `input` to `output`, one output line per non-blank input
 * line, in order. Memory stays flat: one chunk of input is held at a time (and at most
 * {@link MAX_LINE_LENGTH} of an unfinished line), and output waits for the consumer to drain.
 */
export async function runBatch(
  input: Readable,
  output: Writable,
  options: RequestOptions = {},
): Promise<void> {
  input.setEncoding('utf8');
  const lines = new BatchLines(options);
  let pending = '';
  let skipping = false; // inside a line longer than MAX_LINE_LENGTH
  const write = async (out: string) => {
    if (out !== '' && !output.write(out)) await once(output, 'drain');
  };
  for await (const chunk of input as AsyncIterable<string>) {
    let out = '';
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      if (skipping) {
        out += lines.tooLong();
        skipping = false;
      } else {
        out += lines.line(
          pending === '' ? chunk.slice(start, nl) : pending + chunk.slice(start, nl),
        );
      }
      pending = '';
      start = nl + 1;
    }
    if (!skipping && start < chunk.length) {
      pending += chunk.slice(start);
      if (pending.length > MAX_LINE_LENGTH) {
        pending = '';
        skipping = true;
      }
    }
    await write(out);
  }
  // A last line without its `\n` still counts; an empty remainder is just the final newline.
  if (skipping) await write(lines.tooLong());
  else if (pending !== '') await write(lines.line(pending));
  lines.end();
}
