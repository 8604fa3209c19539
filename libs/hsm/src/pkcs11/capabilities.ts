import type { PKCS11, Handle } from 'pkcs11js';
import { toHsmError } from './errors';
import { destroyQuietly } from './key-material';
import { REQUIRED_MECHANISMS, chooseMechanism } from './mechanisms';
import { dataObjectTemplate } from './objects';

/** What a token does with one mechanism the service needs. */
export interface MechanismCapability {
  readonly mechanism: string;
  readonly purpose: string;
  /** The mechanism the token offers for it (an alternative's name where that is used). */
  readonly offeredAs: string | null;
  /** CKF_* flags the token does not report for it. */
  readonly missingFlags: readonly string[];
  /**
   * in-token: done inside the token; fallback: done inside the token another way, described in
   * `fallback`; refused: the features named in `refused` are refused.
   */
  readonly outcome: 'in-token' | 'fallback' | 'refused';
  readonly refused?: string;
  readonly fallback?: string;
}

/** The capability row of encrypted data objects stored in the token. */
const DATA_OBJECTS = {
  mechanism: 'token data objects (CKO_DATA)',
  purpose: 'ceremony components and the DKGA02 XOR share, stored encrypted',
  fallback: 'ciphertext kept in the CKA_ID of an unusable secret-key object (blob-objects.ts)',
} as const;

/**
 * Whether the token stores a private CKO_DATA object (NSS's softokn does not, and gets the
 * fallback of blob-objects.ts): creates one labelled `sts-capability-probe` and destroys it
 * again at once.
 */
export function dataObjectCapability(pkcs11: PKCS11, session: Handle): MechanismCapability {
  let stored: Handle | undefined;
  let detail: string | undefined;
  try {
    stored = pkcs11.C_CreateObject(
      session,
      dataObjectTemplate('sts-capability-probe', 'sts-capability-probe', Buffer.alloc(16)),
    );
  } catch (error) {
    detail = toHsmError(error, 'C_CreateObject').pkcs11Code ?? 'refused';
  } finally {
    if (stored !== undefined) destroyQuietly(pkcs11, session, [stored]);
  }
  return {
    mechanism: DATA_OBJECTS.mechanism,
    purpose: DATA_OBJECTS.purpose,
    offeredAs: detail === undefined ? DATA_OBJECTS.mechanism : null,
    missingFlags: [],
    outcome: detail === undefined ? 'in-token' : 'fallback',
    ...(detail === undefined ? {} : { fallback: `${DATA_OBJECTS.fallback} (${detail})` }),
  };
}

/**
 * For each mechanism the service needs (mechanisms.ts), whether the token in `slot` offers it
 * with the flags it needs, and what follows. Makes no call that changes the token.
 */
export function tokenCapabilities(pkcs11: PKCS11, slot: Handle): MechanismCapability[] {
  let offered: Set<number>;
  try {
    offered = new Set(pkcs11.C_GetMechanismList(slot));
  } catch (error) {
    throw toHsmError(error, 'C_GetMechanismList');
  }
  return REQUIRED_MECHANISMS.map((m) => {
    const choice = chooseMechanism(
      m,
      offered,
      (type) => pkcs11.C_GetMechanismInfo(slot, type).flags,
    );
    const usable = choice.chosen !== undefined && choice.missingFlags.length === 0;
    return {
      mechanism: m.name,
      purpose: m.purpose,
      offeredAs: choice.chosen?.name ?? null,
      missingFlags: choice.missingFlags,
      outcome: usable ? 'in-token' : 'refused',
      ...(usable ? {} : { refused: m.withoutIt }),
    };
  });
}
