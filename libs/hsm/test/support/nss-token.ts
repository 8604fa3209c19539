import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkcs11js from 'pkcs11js';
import type { Pkcs11Config } from '@sts/hsm';

/** Where Debian's libnss3 puts NSS's software token (the PKCS#11 module of NSS). */
const SOFTOKN_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/libsoftokn3.so',
  '/usr/lib/aarch64-linux-gnu/libsoftokn3.so',
  '/usr/lib64/libsoftokn3.so',
  '/usr/lib/libsoftokn3.so',
];

/** NSS's key database token: its label is fixed by NSS. */
export const NSS_TOKEN_LABEL = 'NSS Certificate DB';

/** The softokn module of this machine (scripts/ensure-softhsm.sh installs libnss3). */
export function nssModule(): string {
  const found = SOFTOKN_CANDIDATES.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      `NSS's libsoftokn3.so not found in ${SOFTOKN_CANDIDATES.join(', ')}: apt-get install libnss3`,
    );
  }
  return found;
}

/** A fresh NSS database: a directory, and the configuration that opens its token. */
export interface NssToken {
  readonly config: Pkcs11Config;
  remove(): void;
}

/**
 * Creates a fresh NSS database in a temporary directory and sets the user PIN (a security
 * officer login with NSS's empty initial PIN, then C_InitPIN), in this process.
 */
export function createNssToken(pin = '1234'): NssToken {
  const dir = mkdtempSync(join(tmpdir(), 'sts-nss-'));
  const modulePath = nssModule();
  const libraryParameters = `configdir='sql:${dir}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=`;
  const pkcs11 = new pkcs11js.PKCS11();
  pkcs11.load(modulePath);
  pkcs11.C_Initialize({ libraryParameters });
  try {
    const slot = pkcs11
      .C_GetSlotList(true)
      .find((s) => pkcs11.C_GetTokenInfo(s).label.trimEnd() === NSS_TOKEN_LABEL);
    if (slot === undefined) throw new Error('NSS opened no key database token');
    const session = pkcs11.C_OpenSession(
      slot,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
    pkcs11.C_Login(session, pkcs11js.CKU_SO, '');
    pkcs11.C_InitPIN(session, pin);
    pkcs11.C_Logout(session);
    pkcs11.C_CloseSession(session);
  } finally {
    pkcs11.C_Finalize();
    pkcs11.close();
  }
  return {
    config: { modulePath, tokenLabel: NSS_TOKEN_LABEL, pin, libraryParameters },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
