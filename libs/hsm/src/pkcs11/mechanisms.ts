import * as pkcs11js from 'pkcs11js';
import type { Mechanism } from 'pkcs11js';

/**
 * The PKCS#11 mechanisms the adapter uses, why, and which capability flag each one needs. The
 * self-test checks them at start-up; docs/hsm.md lists them for production HSMs.
 */
export interface RequiredMechanism {
  readonly name: string;
  readonly type: number;
  /** CKF_* flags the token must report for it. */
  readonly flags: readonly { readonly name: string; readonly bit: number }[];
  readonly purpose: string;
  /** What the service refuses on a token that lacks it (there is no software fallback). */
  readonly withoutIt: string;
  /**
   * Other mechanisms that do the same job, in order of preference after `type`: the adapter uses
   * the first the token offers (see {@link chooseMechanism}).
   */
  readonly alternatives?: readonly { readonly name: string; readonly type: number }[];
}

/** PKCS#11 3.0's CKM_AES_KEY_WRAP_KWP (RFC 5649), which pkcs11js does not export. */
export const CKM_AES_KEY_WRAP_KWP = 0x210b;

const F = {
  ENCRYPT: { name: 'CKF_ENCRYPT', bit: pkcs11js.CKF_ENCRYPT },
  DECRYPT: { name: 'CKF_DECRYPT', bit: pkcs11js.CKF_DECRYPT },
  SIGN: { name: 'CKF_SIGN', bit: pkcs11js.CKF_SIGN },
  VERIFY: { name: 'CKF_VERIFY', bit: pkcs11js.CKF_VERIFY },
  WRAP: { name: 'CKF_WRAP', bit: pkcs11js.CKF_WRAP },
  UNWRAP: { name: 'CKF_UNWRAP', bit: pkcs11js.CKF_UNWRAP },
  GENERATE: { name: 'CKF_GENERATE', bit: pkcs11js.CKF_GENERATE },
  GENERATE_KEY_PAIR: { name: 'CKF_GENERATE_KEY_PAIR', bit: pkcs11js.CKF_GENERATE_KEY_PAIR },
} as const;

/** Every mechanism the adapter needs (docs/hsm.md "Required mechanisms"). */
export const REQUIRED_MECHANISMS: readonly RequiredMechanism[] = [
  {
    name: 'CKM_DES3_ECB',
    type: pkcs11js.CKM_DES3_ECB,
    flags: [F.ENCRYPT],
    purpose: 'DKGA02 DES step, EA09, DES check values (DES2 key K||K = single DES, ADR 0003)',
    withoutIt: 'DES vending keys (DKGA02) and EA09 tokens',
  },
  {
    name: 'CKM_SHA256_HMAC',
    type: pkcs11js.CKM_SHA256_HMAC,
    flags: [F.SIGN],
    purpose: 'DKGA04 and HMAC check values',
    withoutIt: 'HMAC vending keys (DKGA04)',
  },
  {
    // RFC 5649 is CKM_AES_KEY_WRAP_KWP in PKCS#11 3.0; SoftHSM offers it as
    // CKM_AES_KEY_WRAP_PAD, while NSS's CKM_AES_KEY_WRAP_PAD is a different (PKCS#7-padded)
    // wrap. KWP therefore comes first; the self-test's RFC 5649 known answer confirms the choice.
    name: 'CKM_AES_KEY_WRAP_KWP',
    type: CKM_AES_KEY_WRAP_KWP,
    flags: [F.WRAP, F.UNWRAP],
    purpose: 'wrapped import and export (RFC 5649)',
    withoutIt: 'wrapped key import and derived-key export',
    alternatives: [{ name: 'CKM_AES_KEY_WRAP_PAD', type: pkcs11js.CKM_AES_KEY_WRAP_PAD }],
  },
  {
    name: 'CKM_AES_ECB',
    type: pkcs11js.CKM_AES_ECB,
    flags: [F.ENCRYPT],
    purpose: 'AES check values',
    withoutIt: 'AES key-encryption and transport keys (no check value)',
  },
  {
    name: 'CKM_AES_CBC_PAD',
    type: pkcs11js.CKM_AES_CBC_PAD,
    flags: [F.ENCRYPT, F.DECRYPT],
    purpose: 'ceremony components and the DKGA02 XOR share, encrypted in the token',
    withoutIt: 'key ceremonies and DES vending keys',
  },
  {
    name: 'CKM_AES_KEY_GEN',
    type: pkcs11js.CKM_AES_KEY_GEN,
    flags: [F.GENERATE],
    purpose: 'key-encryption, transport and internal AES keys',
    withoutIt: 'generated transport keys, key ceremonies and DES vending keys',
  },
  {
    name: 'CKM_GENERIC_SECRET_KEY_GEN',
    type: pkcs11js.CKM_GENERIC_SECRET_KEY_GEN,
    flags: [F.GENERATE],
    purpose: 'HMAC vending keys of 32 bytes or more',
    withoutIt: 'generated HMAC vending keys',
  },
  {
    name: 'CKM_EC_KEY_PAIR_GEN',
    type: pkcs11js.CKM_EC_KEY_PAIR_GEN,
    flags: [F.GENERATE_KEY_PAIR],
    purpose: 'audit signing key (P-256)',
    withoutIt: 'the audit signing key: the service does not start',
  },
  {
    name: 'CKM_ECDSA',
    type: pkcs11js.CKM_ECDSA,
    flags: [F.SIGN, F.VERIFY],
    purpose: 'audit checkpoint signatures over SHA-256 digests',
    withoutIt: 'signed audit checkpoints: the service does not start',
  },
];

/** The RFC 5649 entry of {@link REQUIRED_MECHANISMS}. */
export const RFC5649_WRAP = REQUIRED_MECHANISMS.find((m) => m.type === CKM_AES_KEY_WRAP_KWP)!;

/** What a token offers of one required mechanism. */
export interface MechanismChoice {
  /** The mechanism used (the first offered of `type` and its alternatives), if any. */
  readonly chosen?: { readonly name: string; readonly type: number };
  /** CKF_* flags the chosen mechanism lacks. */
  readonly missingFlags: readonly string[];
}

/**
 * The first of `required`'s mechanisms (`type`, then its alternatives) that `offered` lists,
 * and which of the required flags `flagsOf` says it lacks.
 */
export function chooseMechanism(
  required: RequiredMechanism,
  offered: ReadonlySet<number>,
  flagsOf: (type: number) => number,
): MechanismChoice {
  const candidates = [
    { name: required.name, type: required.type },
    ...(required.alternatives ?? []),
  ];
  const chosen = candidates.find((c) => offered.has(c.type));
  if (chosen === undefined) return { missingFlags: [] };
  const flags = flagsOf(chosen.type);
  return {
    chosen,
    missingFlags: required.flags.filter((f) => (flags & f.bit) === 0).map((f) => f.name),
  };
}

/** RFC 5649 AES key wrap with padding, default alternative IV, as the token names it. */
export function keyWrapMechanism(type: number): Mechanism {
  return { mechanism: type };
}
/** Two-key triple DES ECB: single DES when the key is K||K (ADR 0003). */
export const DES3_ECB: Mechanism = { mechanism: pkcs11js.CKM_DES3_ECB };
/** AES ECB, for check values of AES keys only. */
export const AES_ECB: Mechanism = { mechanism: pkcs11js.CKM_AES_ECB };
/** HMAC-SHA-256 (DKGA04, STS-SPEC §12.3). */
export const SHA256_HMAC: Mechanism = { mechanism: pkcs11js.CKM_SHA256_HMAC };
/** Raw ECDSA over a digest computed by the caller (SoftHSM has no CKM_ECDSA_SHA256). */
export const ECDSA: Mechanism = { mechanism: pkcs11js.CKM_ECDSA };
/** EC key-pair generation. */
export const EC_KEY_PAIR_GEN: Mechanism = { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN };
/** AES key generation. */
export const AES_KEY_GEN: Mechanism = { mechanism: pkcs11js.CKM_AES_KEY_GEN };
/** Generic secret generation (HMAC keys). */
export const GENERIC_SECRET_KEY_GEN: Mechanism = {
  mechanism: pkcs11js.CKM_GENERIC_SECRET_KEY_GEN,
};

/** AES-CBC with PKCS#7 padding under `iv` (16 bytes). */
export function aesCbcPad(iv: Buffer): Mechanism {
  return { mechanism: pkcs11js.CKM_AES_CBC_PAD, parameter: iv };
}

/** DER of the P-256 curve OID 1.2.840.10045.3.1.7 (CKA_EC_PARAMS). */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
