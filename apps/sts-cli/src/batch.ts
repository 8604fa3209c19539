import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { type RequestOptions, StsError, executeRequest } from '@sts/core';

/** Thrown when stdin is not JSON Lines at all (the first non-blank line is not JSON): exit 2. */
export class NotJsonLinesError extends Error {}

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

/**
 * Executes one batch line and returns its output line (with `\n`), or `null` for a blank line.
 * `first` says whether no line has been read yet (then non-JSON means "not JSON Lines").
 */
export function processLine(
  line: string,
  first: boolean,
  options: RequestOptions = {},
): string | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return null;
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    if (first) throw new NotJsonLinesError('stdin is not JSON Lines: the first line is not JSON');
    return `${JSON.stringify({ id: null, error: { code: 'INVALID_JSON', message: 'line: is not valid JSON' } })}\n`;
  }
  const hasId =
    typeof request === 'object' && request !== null && !Array.isArray(request) && 'id' in request;
  let result: Record<string, unknown>;
  try {
    result = executeRequest(request, options);
  } catch (e) {
    result = { error: errorOf(e) };
  }
  const body = JSON.stringify(result);
  if (!hasId) return `${body}\n`;
  // Splice the id in front of the result's fields instead of copying the object.
  const id = JSON.stringify((request as { id: unknown }).id) ?? 'null';
  return body === '{}' ? `{"id":${id}}\n` : `{"id":${id},${body.slice(1)}\n`;
}

/**
 * `sts batch`: streams JSON Lines from `input` to `output`, one output line per input line, in
 * order. Memory stays flat: one chunk of lines is held at a time and output waits for drain.
 */
export async function runBatch(
  input: Readable,
  output: Writable,
  options: RequestOptions = {},
): Promise<void> {
  input.setEncoding('utf8');
  let pending = '';
  let first = true;
  for await (const chunk of input as AsyncIterable<string>) {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() as string;
    let out = '';
    for (const line of lines) {
      const result = processLine(line, first, options);
      if (result !== null) {
        out += result;
        first = false;
      }
    }
    if (out !== '' && !output.write(out)) await once(output, 'drain');
  }
  const last = processLine(pending, first, options);
  if (last !== null && !output.write(last)) await once(output, 'drain');
}
