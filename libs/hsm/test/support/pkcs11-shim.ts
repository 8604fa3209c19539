import { renameSync, writeFileSync } from 'node:fs';

/** What the shim's control file says (test/pkcs11-shim/pkcs11-shim.c documents each field). */
export interface ShimSettings {
  readonly delayUs?: number;
  /** A CKR value to answer instead of forwarding (e.g. 0x30 CKR_DEVICE_ERROR). */
  readonly fail?: number;
  readonly hangMs?: number;
  /** The calls `fail` and `hangMs` apply to (default: every call but C_Finalize). */
  readonly only?: readonly string[];
  /** A new value closes every session in the token once (a device reset). */
  readonly dropSessions?: string;
}

export const CKR = {
  GENERAL_ERROR: 0x05,
  DEVICE_ERROR: 0x30,
  DEVICE_REMOVED: 0x32,
  SESSION_HANDLE_INVALID: 0xb3,
} as const;

declare global {
  var __STS_HSM_SHIM__: { module: string; control: string } | undefined;
}

/** The shim this file's environment built, and a writer of its control file. */
export interface Shim {
  readonly module: string;
  set(settings: ShimSettings): void;
}

export function testShim(): Shim {
  const shim = globalThis.__STS_HSM_SHIM__;
  if (shim === undefined) {
    throw new Error(
      'no shim: start the file with /** @jest-environment ./libs/hsm/test/support/pkcs11-shim-environment.js */',
    );
  }
  let writes = 0;
  return {
    module: shim.module,
    set(settings: ShimSettings): void {
      const lines = [
        `delay_us=${settings.delayUs ?? 0}`,
        `fail=${settings.fail ?? 0}`,
        `hang_ms=${settings.hangMs ?? 0}`,
        ...(settings.only ? [`only=${settings.only.join(',')}`] : []),
        ...(settings.dropSessions ? [`drop_sessions=${settings.dropSessions}`] : []),
      ];
      // The shim re-reads the file when it is replaced: a new file renamed into place is a new
      // inode even when the modification time does not change.
      const next = `${shim.control}.${++writes}`;
      writeFileSync(next, lines.join('\n') + '\n');
      renameSync(next, shim.control);
    },
  };
}
