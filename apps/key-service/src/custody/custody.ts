import { HsmError, type KeyCustody } from '@sts/hsm';

/** Destroys a key object, treating "already gone" as done (idempotent retries after a crash). */
export async function destroyIfPresent(custody: KeyCustody, label: string): Promise<void> {
  try {
    await custody.destroyKey(label);
  } catch (error) {
    if (error instanceof HsmError && error.code === 'NOT_FOUND') return;
    throw error;
  }
}

/** Hex text to bytes (the DTO has already checked the format). */
export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}
