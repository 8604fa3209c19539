import {
  type DerivationInput,
  StsError,
  checkDkga,
  derivedKeyBytes,
  dkga02Input,
  dkga04Message,
} from '@sts/core';
import {
  type KeyAlgorithm,
  type KeyInfo,
  type KeySpec,
  type KeyUsage,
  HsmError,
} from './key-custody.port';

/**
 * Argument checks shared by both `KeyCustody` implementations, so that they refuse the same
 * inputs with the same `HsmError` codes.
 */

/** Labels: 1-64 characters, letters, digits, `.`, `_`, `:`, `-`; no `/` (reserved internally). */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** The largest HMAC vending key accepted (STS-SPEC §14 #4: any non-empty length). */
export const MAX_HMAC_KEY_BYTES = 128;

/** The algorithms of secret keys (everything but the signing key pair). */
export type SecretAlgorithm = Exclude<KeyAlgorithm, 'EC_P256'>;

/** A secret-key specification with every field checked and the length filled in. */
export interface ResolvedKeySpec {
  readonly label: string;
  readonly algorithm: SecretAlgorithm;
  readonly usage: KeyUsage;
  readonly lengthBytes: number;
}

/** The one usage each algorithm allows, or the set for AES (port `KeyUsage`). */
const USAGES: Record<KeyAlgorithm, readonly KeyUsage[]> = {
  DES: ['DERIVE'],
  HMAC: ['DERIVE'],
  AES: ['WRAP', 'UNWRAP'],
  EC_P256: ['SIGN'],
};

/** Throws INVALID_INPUT unless `label` is a valid key label. */
export function checkLabel(label: unknown, field = 'label'): string {
  if (typeof label !== 'string' || !LABEL.test(label)) {
    throw new HsmError(
      'INVALID_INPUT',
      `${field}: 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit`,
    );
  }
  return label;
}

/** Throws INVALID_INPUT unless `algorithm` is one of the port's algorithms. */
export function checkAlgorithm(algorithm: unknown): KeyAlgorithm {
  if (algorithm === 'DES' || algorithm === 'HMAC' || algorithm === 'AES') return algorithm;
  if (algorithm === 'EC_P256') return algorithm;
  throw new HsmError('INVALID_INPUT', 'algorithm: must be DES, HMAC, AES or EC_P256');
}

/** Throws INVALID_INPUT unless `length` is valid for a secret key of `algorithm`. */
export function checkSecretLength(algorithm: KeyAlgorithm, length: number): number {
  const ok =
    algorithm === 'DES'
      ? length === 8
      : algorithm === 'AES'
        ? length === 16 || length === 24 || length === 32
        : algorithm === 'HMAC'
          ? Number.isInteger(length) && length >= 1 && length <= MAX_HMAC_KEY_BYTES
          : false;
  if (!ok) {
    throw new HsmError(
      'INVALID_INPUT',
      `lengthBytes: ${algorithm} keys are ${
        algorithm === 'DES'
          ? '8 bytes'
          : algorithm === 'AES'
            ? '16, 24 or 32 bytes'
            : algorithm === 'HMAC'
              ? `1 to ${MAX_HMAC_KEY_BYTES} bytes`
              : 'not secret keys'
      }`,
    );
  }
  return length;
}

/**
 * Checks a secret-key specification (DES, HMAC, AES). `materialLength` is the length of key
 * material that arrives with it (ceremony, import); when both are given they must agree.
 */
export function resolveSecretKeySpec(spec: KeySpec, materialLength?: number): ResolvedKeySpec {
  const { label, algorithm } = preflightSecretKeySpec(spec);
  const declared = algorithm === 'DES' ? (spec.lengthBytes ?? 8) : spec.lengthBytes;
  if (declared !== undefined && materialLength !== undefined && declared !== materialLength) {
    throw new HsmError('INVALID_INPUT', 'lengthBytes: does not match the key material');
  }
  const length = declared ?? materialLength;
  if (length === undefined) {
    throw new HsmError('INVALID_INPUT', `lengthBytes: required for ${algorithm} keys`);
  }
  return { label, algorithm, usage: spec.usage, lengthBytes: checkSecretLength(algorithm, length) };
}

/**
 * Checks everything in a secret-key specification that does not depend on key material: label,
 * algorithm (not EC_P256), usage for that algorithm, and the length if one is declared.
 */
export function preflightSecretKeySpec(spec: KeySpec): {
  label: string;
  algorithm: SecretAlgorithm;
} {
  if (typeof spec !== 'object' || spec === null) {
    throw new HsmError('INVALID_INPUT', 'spec: must be an object');
  }
  const label = checkLabel(spec.label);
  const algorithm = checkAlgorithm(spec.algorithm);
  if (algorithm === 'EC_P256') {
    throw new HsmError('INVALID_INPUT', 'algorithm: EC_P256 keys come from generateSigningKey');
  }
  if (!USAGES[algorithm].includes(spec.usage)) {
    throw new HsmError(
      'INVALID_INPUT',
      `usage: ${algorithm} keys are for ${USAGES[algorithm].join(' or ')}`,
    );
  }
  if (spec.lengthBytes !== undefined) checkSecretLength(algorithm, spec.lengthBytes);
  return { label, algorithm };
}

/** Ceremony identifiers follow the label rules (they name objects in the token). */
export function checkCeremonyId(ceremonyId: unknown): string {
  return checkLabel(ceremonyId, 'ceremonyId');
}

/** Component index: 1, 2 or 3 (two or three custodians). */
export function checkComponentIndex(index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > 3) {
    throw new HsmError('INVALID_INPUT', 'index: must be 1, 2 or 3');
  }
  return index;
}

/** Component count: 2 or 3. */
export function checkComponentCount(count: unknown): number {
  if (count !== 2 && count !== 3) throw new HsmError('INVALID_INPUT', 'count: must be 2 or 3');
  return count;
}

/** A component's algorithm must be a secret-key algorithm and its length must fit. */
export function checkComponent(algorithm: unknown, component: Uint8Array): SecretAlgorithm {
  const checked = checkAlgorithm(algorithm);
  if (checked === 'EC_P256') {
    throw new HsmError('INVALID_INPUT', 'algorithm: EC_P256 keys have no components');
  }
  if (!(component instanceof Uint8Array)) {
    throw new HsmError('INVALID_INPUT', 'component: must be bytes');
  }
  checkSecretLength(checked, component.length);
  return checked;
}

/**
 * Checks that `key` may derive decoder keys for `input`: usage DERIVE (NOT_PERMITTED) and the
 * algorithm that matches the DKGA, DES for 02 and HMAC for 04 (INVALID_INPUT).
 */
export function checkDerivationKey(key: KeyInfo, input: DerivationInput): void {
  if (key.usage !== 'DERIVE') {
    throw new HsmError('NOT_PERMITTED', `key ${key.label} is not a vending key`);
  }
  const needed = input.dkga === '02' ? 'DES' : 'HMAC';
  if (key.algorithm !== needed) {
    throw new HsmError('INVALID_INPUT', `dkga: DKGA${input.dkga} needs a ${needed} vending key`);
  }
}

/** Runs an `@sts/core` input builder, turning its StsError into INVALID_INPUT. */
export function fromStsInput<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof StsError) throw new HsmError('INVALID_INPUT', error.message);
    throw error;
  }
}

/** Validates a derivation input as far as the key boundary needs (STS-SPEC §12). */
export function checkDerivationInput(input: DerivationInput): void {
  fromStsInput(() => {
    const dkga = checkDkga(input.dkga);
    (dkga === '02' ? dkga02Input(input) : dkga04Message(input)).fill(0);
    return derivedKeyBytes(input);
  });
}

/** EA09 arguments: a 64-bit key and 8-byte blocks (STS-SPEC §10). */
export function checkEa09(decoderKey: Uint8Array, blocks: readonly Uint8Array[]): void {
  if (!(decoderKey instanceof Uint8Array) || decoderKey.length !== 8) {
    throw new HsmError('INVALID_INPUT', 'decoderKey: EA09 needs a 64-bit key');
  }
  if (!Array.isArray(blocks) || blocks.some((b) => !(b instanceof Uint8Array) || b.length !== 8)) {
    throw new HsmError('INVALID_INPUT', 'blocks: EA09 encrypts 8-byte blocks');
  }
}
