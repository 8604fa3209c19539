import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One conformance vector: a batch request and the fields its result must contain. */
export interface Vector {
  id: string;
  request: Record<string, unknown>;
  expect: Record<string, unknown>;
}

/** The repository's copy of the shared conformance vectors (see test/vectors/README.md). */
export const VECTOR_FILE = join(
  __dirname,
  '..',
  '..',
  '..',
  'test',
  'vectors',
  'sts-vectors.jsonl',
);

/** Every vector in file order. */
export function loadVectors(): Vector[] {
  return readFileSync(VECTOR_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Vector);
}
