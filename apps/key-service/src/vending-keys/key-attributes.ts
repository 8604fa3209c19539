import {
  type BaseDate,
  checkBaseDate,
  checkDkga,
  checkEa,
  checkKen,
  checkKrn,
  checkSgc,
  type Dkga,
  type KeyType,
  parseDerivationInput,
  StsError,
  withCheckDigit,
} from '@sts/core';
import type { KeyAlgorithm } from '@sts/hsm';
import { DomainError } from '../common/domain-error';
import type { VendingKeyType } from './vending-key.entity';

/** STS key types of the vending key types (STS-SPEC §13). */
export const KEY_TYPE_NUMBER: Record<VendingKeyType, KeyType> = { VDDK: 1, VUDK: 2, VCDK: 3 };

/** Attributes as a request states them. */
export interface KeyAttributesInput {
  readonly keyType: VendingKeyType;
  readonly dkga: string;
  readonly keyLengthBytes?: number;
  readonly allowedEas: readonly string[];
  readonly baseDate: number;
  readonly ken: number;
  readonly activateAt?: string;
  readonly issueUntil?: string;
  readonly expiresAt?: string;
}

export interface KeyAttributes {
  readonly keyType: VendingKeyType;
  readonly dkga: Dkga;
  readonly algorithm: Extract<KeyAlgorithm, 'DES' | 'HMAC'>;
  readonly lengthBytes: number;
  readonly allowedEas: string[];
  readonly baseDate: BaseDate;
  readonly ken: number;
  readonly activateAt: string | null;
  readonly issueUntil: string | null;
  readonly expiresAt: string | null;
}

/** A well-formed meter used only to ask `@sts/core` whether a DKGA / KT / EA combination is valid. */
const PROBE_METER = { iin: '600727', drn: withCheckDigit('0000000000') };

/**
 * Validates a key's attributes with the `@sts/core` rules: each value (400 naming the field) and
 * each combination of DKGA, key type and allowed EA (422 STS_UNSUPPORTED_COMBINATION).
 */
export function checkKeyAttributes(
  sgc: string,
  krn: number,
  input: KeyAttributesInput,
): KeyAttributes {
  checkSgc(sgc);
  checkKrn(krn);
  const dkga = checkDkga(input.dkga);
  const baseDate = checkBaseDate(input.baseDate);
  const ken = checkKen(input.ken);
  const eas = input.allowedEas.map((ea) => checkEa(ea, 'allowedEas'));
  for (const ea of eas) {
    try {
      parseDerivationInput({
        dkga,
        ...PROBE_METER,
        keyType: KEY_TYPE_NUMBER[input.keyType],
        sgc,
        tariffIndex: '01',
        krn,
        baseDate,
        ea,
      });
    } catch (error) {
      if (error instanceof StsError && error.field === 'ea') {
        throw new StsError(error.code, 'allowedEas', error.message.replace(/^ea:/, 'allowedEas:'));
      }
      throw error;
    }
  }
  let lengthBytes = 8;
  if (dkga === '02' && input.keyLengthBytes !== undefined && input.keyLengthBytes !== 8) {
    throw DomainError.validation(
      'keyLengthBytes',
      'keyLengthBytes: DKGA02 vending keys are 8 bytes',
    );
  }
  if (dkga === '04') lengthBytes = input.keyLengthBytes ?? 32;
  const times = checkTimes(input);
  return {
    keyType: input.keyType,
    dkga,
    algorithm: dkga === '02' ? 'DES' : 'HMAC',
    lengthBytes,
    allowedEas: [...new Set(eas)].sort(),
    baseDate,
    ken,
    ...times,
  };
}

function iso(field: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  const t = new Date(value);
  if (Number.isNaN(t.getTime()))
    throw DomainError.validation(field, `${field}: must be an ISO-8601 date-time`);
  return t.toISOString();
}

/** activateAt < issueUntil <= expiresAt where given. */
function checkTimes(
  input: KeyAttributesInput,
): Pick<KeyAttributes, 'activateAt' | 'issueUntil' | 'expiresAt'> {
  const activateAt = iso('activateAt', input.activateAt);
  const issueUntil = iso('issueUntil', input.issueUntil);
  const expiresAt = iso('expiresAt', input.expiresAt);
  if (activateAt && issueUntil && issueUntil <= activateAt) {
    throw DomainError.validation('issueUntil', 'issueUntil: must be after activateAt');
  }
  if (issueUntil && expiresAt && expiresAt < issueUntil) {
    throw DomainError.validation('expiresAt', 'expiresAt: must not be before issueUntil');
  }
  if (activateAt && expiresAt && expiresAt <= activateAt) {
    throw DomainError.validation('expiresAt', 'expiresAt: must be after activateAt');
  }
  return { activateAt, issueUntil, expiresAt };
}
