import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One conformance vector: a batch request and the fields its result must contain. */
export interface Vector {
  id: string;
  request: Record<string, unknown>;
  expect: Record<string, unknown>;
}

/** The repository's vector data (test/vectors/, see its README). */
const VECTOR_DIR = join(__dirname, '..', '..', '..', 'test', 'vectors');

/** The repository's copy of the shared conformance vectors (see test/vectors/README.md). */
export const VECTOR_FILE = join(VECTOR_DIR, 'sts-vectors.jsonl');

/**
 * The spec's own worked examples and Appendix A vectors as batch requests, plus edge cases the
 * spec states (see test/vectors/README.md for the section each comes from).
 */
export const SPEC_VECTOR_FILE = join(VECTOR_DIR, 'spec-vectors.jsonl');

/** Every vector of `file` (default: the shared conformance vectors) in file order. */
export function loadVectors(file = VECTOR_FILE): Vector[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Vector);
}
