import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DerivationInput, hexToBytes, parseDerivationInput } from '@sts/core';

/** One DKGA02/DKGA04 derivation found in the shared vectors. */
export interface DerivationVector {
  readonly id: string;
  readonly vendingKeyHex: string;
  readonly input: DerivationInput;
  /** The published decoder key, for `derive` vectors; other ops give only their inputs. */
  readonly expectedHex?: string;
}

interface VectorLine {
  readonly id: string;
  readonly request: Record<string, unknown>;
  readonly expect: Record<string, unknown>;
}

/** Path of the shared STS vectors (repository `test/vectors/`). */
export const VECTORS_PATH = join(
  __dirname,
  '..',
  '..',
  '..',
  'test',
  'vectors',
  'sts-vectors.jsonl',
);

/**
 * Every DKGA02 and DKGA04 derivation in the shared vectors: the `derive` requests and the
 * `key` / `currentKey` / `newKey` objects of the other operations, deduplicated.
 */
export function derivationVectors(): DerivationVector[] {
  const lines = readFileSync(VECTORS_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as VectorLine);
  const seen = new Map<string, DerivationVector>();
  for (const { id, request, expect } of lines) {
    const candidates: [string, Record<string, unknown>, string | undefined][] = [];
    if (request.op === 'derive') {
      candidates.push([id, request, expect.decoderKey as string | undefined]);
    }
    for (const field of ['key', 'currentKey', 'newKey']) {
      const key = request[field] as Record<string, unknown> | undefined;
      if (key !== undefined && typeof key.vendingKey === 'string') {
        candidates.push([`${id}/${field}`, key, undefined]);
      }
    }
    for (const [vectorId, fields, expectedHex] of candidates) {
      const input = parseDerivationInput(fields);
      const vendingKeyHex = String(fields.vendingKey).toLowerCase();
      hexToBytes('vendingKey', vendingKeyHex);
      const identity = JSON.stringify([vendingKeyHex, input]);
      const known = seen.get(identity);
      if (known === undefined || (known.expectedHex === undefined && expectedHex !== undefined)) {
        seen.set(identity, { id: vectorId, vendingKeyHex, input, expectedHex });
      }
    }
  }
  return [...seen.values()];
}
