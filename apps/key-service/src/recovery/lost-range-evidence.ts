import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import {
  type AuditCheckpoint,
  checkPins,
  verifyCheckpointSignature,
  type Witness,
} from '../audit/audit-chain';

/** A signed checkpoint of the lost timeline: the furthest event the lost events are known to reach. */
export interface LostRangeEvidence {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** Where it came from: the checkpoint sink file or an auditor's witness. */
  readonly source: 'checkpoint-sink' | 'witness';
}

/**
 * The newest checkpoint in the sink file (one JSON checkpoint line each) whose signature verifies
 * under `key`. Lines that do not parse or verify are skipped (a torn last line after a crash).
 * Undefined when the file is absent or holds no valid checkpoint.
 */
export function newestSinkCheckpoint(path: string, key: KeyObject): LostRangeEvidence | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let newest: AuditCheckpoint | undefined;
  for (const line of text.split('\n')) {
    const cp = parseCheckpointLine(line);
    if (cp === undefined || (newest !== undefined && cp.seq <= newest.seq)) continue;
    if (verifyCheckpointSignature(key, cp)) newest = cp;
  }
  return newest && { seq: newest.seq, hash: newest.hash, at: newest.at, source: 'checkpoint-sink' };
}

/** An auditor's witness as evidence, once its key and signature check out; else the problem. */
export function witnessEvidence(
  witness: Witness,
  key: KeyObject,
): LostRangeEvidence | { problem: string } {
  const broken = checkPins(key, { witness });
  if (broken) return { problem: broken.message };
  return { seq: witness.seq, hash: witness.hash, at: witness.at, source: 'witness' };
}

function parseCheckpointLine(line: string): AuditCheckpoint | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = value as Record<string, unknown>;
  return r !== null &&
    typeof r === 'object' &&
    r.type === 'checkpoint' &&
    typeof r.seq === 'number' &&
    Number.isSafeInteger(r.seq) &&
    typeof r.hash === 'string' &&
    typeof r.at === 'string' &&
    typeof r.keyLabel === 'string' &&
    typeof r.signature === 'string'
    ? { seq: r.seq, hash: r.hash, at: r.at, keyLabel: r.keyLabel, signature: r.signature }
    : undefined;
}
