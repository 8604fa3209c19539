import { randomBytes } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { ComponentSlot } from '../ceremony';
import type { SecretAlgorithm } from '../key-spec';
import { aesCbcPad } from './mechanisms';
import { createBlob, findBlob, findInternalKey } from './blob-objects';
import { internalId, componentLabel, destroyAll, findLabelled, secretKeyTemplate } from './objects';
import { destroyQuietly } from './key-material';

/**
 * Ceremony components held in the token between custodians' visits (issue 3, "the component is
 * held inside the token, encrypted under a ceremony key, never in the database"). Each component
 * gets its own AES-256 key generated in the token, so two custodians submitting at once through
 * two processes never race to create a shared key; the component is stored as a private blob
 * `IV || AES-CBC-PAD(component)` next to it (blob-objects.ts).
 */

const APPLICATION_PREFIX = 'sts-ceremony-component';

/** Where a stored component lives in the token. */
export interface StoredComponentRef {
  readonly key: Handle;
  readonly data: Handle;
  readonly blob: Buffer;
}

/** Encrypts `component` in the token and stores it as component `index` of `ceremonyId`. */
export function storeComponentObjects(
  pkcs11: PKCS11,
  session: Handle,
  ceremonyId: string,
  index: number,
  algorithm: SecretAlgorithm,
  component: Uint8Array,
): void {
  const label = componentLabel(ceremonyId, index);
  const created: Handle[] = [];
  const plain = Buffer.from(component);
  try {
    const key = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      ...secretKeyTemplate({ role: 'internal-aes', token: true, label, id: internalId(label) }),
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    ]);
    created.push(key);
    const iv = randomBytes(16);
    pkcs11.C_EncryptInit(session, aesCbcPad(iv), key);
    const ciphertext = pkcs11.C_Encrypt(session, plain, Buffer.alloc(component.length + 16));
    const application = `${APPLICATION_PREFIX};${algorithm};${component.length}`;
    created.push(createBlob(pkcs11, session, label, application, Buffer.concat([iv, ciphertext])));
  } catch (error) {
    destroyQuietly(pkcs11, session, created);
    throw error;
  } finally {
    plain.fill(0);
  }
}

/** The components of `ceremonyId` stored so far (indices 1 to 3), without decrypting them. */
export function listComponents(
  pkcs11: PKCS11,
  session: Handle,
  ceremonyId: string,
): ComponentSlot<StoredComponentRef>[] {
  const slots: ComponentSlot<StoredComponentRef>[] = [];
  for (let index = 1; index <= 3; index++) {
    const label = componentLabel(ceremonyId, index);
    const blob = findBlob(pkcs11, session, label, `${APPLICATION_PREFIX};`);
    const key = findInternalKey(pkcs11, session, label);
    if (blob === undefined || key === undefined) continue;
    const [, algorithm, length] = blob.application.split(';');
    slots.push({
      index,
      algorithm,
      length: Number(length),
      payload: { key, data: blob.handle, blob: blob.value },
    });
  }
  return slots;
}

/** Decrypts one stored component in the token; the caller zeroes the result. */
export function openComponent(pkcs11: PKCS11, session: Handle, ref: StoredComponentRef): Buffer {
  pkcs11.C_DecryptInit(session, aesCbcPad(ref.blob.subarray(0, 16)), ref.key);
  const out = Buffer.alloc(ref.blob.length);
  try {
    return Buffer.from(pkcs11.C_Decrypt(session, ref.blob.subarray(16), out));
  } finally {
    out.fill(0);
  }
}

/** Destroys the objects of component `index` of `ceremonyId` (none: nothing happens). */
export function destroyComponent(
  pkcs11: PKCS11,
  session: Handle,
  ceremonyId: string,
  index: number,
): void {
  destroyAll(pkcs11, session, findLabelled(pkcs11, session, componentLabel(ceremonyId, index)));
}

/** Destroys every stored component object of `ceremonyId`. */
export function destroyComponents(pkcs11: PKCS11, session: Handle, ceremonyId: string): void {
  for (let index = 1; index <= 3; index++) destroyComponent(pkcs11, session, ceremonyId, index);
}
