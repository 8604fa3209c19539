import type { KeyCustody } from '@sts/hsm';

/** A fresh SoftHSM token for one suite (available once the PKCS#11 adapter lands). */
export interface SoftHsmFixture {
  readonly module: string;
  readonly label: string;
  readonly pin: string;
  open(): Promise<KeyCustody>;
  cleanup(): void;
}

export async function softHsmFixture(_dir: string): Promise<SoftHsmFixture | undefined> {
  return Promise.resolve(undefined);
}
