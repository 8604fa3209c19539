import type { Handle } from 'pkcs11js';
import type { ShareRef } from './key-material';
import type { FoundKey } from './objects';

/**
 * The per-process cache of key handles, shared by every adapter on one token connection.
 *
 * SoftHSM re-validates token objects against their files on every use, which makes a C_Sign
 * with a token key about three times slower than with a session object. Hot operations
 * therefore use a working copy: a session object made with C_CopyObject inside the token,
 * still sensitive and non-extractable, that lives as long as the connection. SoftHSM refuses
 * such a copy of a CKA_MODIFIABLE=false object, which every key this adapter stores now is:
 * those keys are used in place (the slower path, docs/hsm.md), while keys stored before keep
 * their working copies. A copy does not
 * notice when another process destroys the token object, so each cache entry re-checks its
 * token object after `FRESHNESS_MS`; a key destroyed elsewhere stops working here within that
 * time (docs/hsm.md). Destruction through this process takes effect at once.
 */
export interface CachedKey {
  readonly found: FoundKey;
  /** When the token object was last seen to exist (ms since epoch). */
  checkedAt: number;
  /** Session copy of the key for hot operations; null when the token would not copy it. */
  working?: Handle | null;
  /** DKGA02 XOR share (ADR 0002) and a session copy of its AES key (null: none, as above). */
  share?: ShareRef;
  shareWorking?: Handle | null;
  /** The EC public key object of a signing key. */
  publicKey?: Handle;
}

/** How long a cached key is trusted before its token object is checked again. */
export const FRESHNESS_MS = 1000;
