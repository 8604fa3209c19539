import { StsError, invalid } from './errors';

/** STS-SPEC §11: the Luhn check digit of a decimal payload. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let double = true; // the rightmost payload digit is doubled
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      // The digit sum of the doubled digit (0..18).
      d = ((2 * d) % 10) + Math.floor((2 * d) / 10);
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/** A validated meter identity: issuer (IIN) and decoder reference number (DRN). */
export interface MeterId {
  /** 6-digit IIN (e.g. `600727`) or 4-digit IIN (`0000`). */
  readonly iin: string;
  /** 11 digits after a 6-digit IIN, 13 after a 4-digit one; the last is its Luhn check digit. */
  readonly drn: string;
}

const DIGITS = /^[0-9]+$/;

/**
 * Validates IIN and DRN (§11): lengths that make 17 digits together, and the DRN's own Luhn
 * check digit. Throws `INVALID_INPUT` naming `iin` or `drn`.
 */
export function parseMeterId(iin: unknown, drn: unknown): MeterId {
  if (typeof iin !== 'string' || !DIGITS.test(iin) || (iin.length !== 6 && iin.length !== 4)) {
    invalid('iin', 'must be 6 digits (e.g. 600727) or 4 digits (0000)');
  }
  const drnLength = iin.length === 6 ? 11 : 13;
  if (typeof drn !== 'string' || !DIGITS.test(drn) || drn.length !== drnLength) {
    invalid('drn', `must be ${drnLength} digits with IIN ${iin} (including its check digit)`);
  }
  const body = drn.slice(0, -1);
  if (luhnCheckDigit(body) !== drn.charCodeAt(drn.length - 1) - 48) {
    throw new StsError(
      'INVALID_INPUT',
      'drn',
      `drn: check digit is wrong (expected ${luhnCheckDigit(body)})`,
    );
  }
  return { iin, drn };
}

/** The 18-digit PAN: IIN || DRN || Luhn(IIN || DRN). */
export function primaryAccountNumber(meter: MeterId): string {
  const payload = meter.iin + meter.drn;
  return payload + String(luhnCheckDigit(payload));
}

/** A DRN body (without its check digit) completed with the Luhn digit. */
export function withCheckDigit(drnBody: string): string {
  return drnBody + String(luhnCheckDigit(drnBody));
}
