import * as pkcs11js from 'pkcs11js';
import type { Handle, PKCS11, Template } from 'pkcs11js';
import type { KeyAlgorithm, KeyUsage } from '../key-custody.port';

/**
 * How the adapter lays out token objects (docs/hsm.md "Objects in the token").
 *
 * Keys are found by CKA_LABEL. CKA_ID carries a short descriptor, `sts1;<algorithm>;<usage>;
 * <length>;<label>`, so that a key's description (e.g. the true length of an HMAC key stored
 * zero-padded to 32 bytes) needs no database. The label makes each CKA_ID unique: NSS's softokn
 * keeps one secret key per CKA_ID and silently replaces the first of two that share one. Keys
 * stored before carry the descriptor without the label, which still parses. Helper objects (the DKGA02 XOR share and ceremony components)
 * have labels under `sts.internal/`, which user labels cannot take (they exclude `/`).
 */

/** A key's description as stored in CKA_ID. */
export interface Descriptor {
  readonly algorithm: KeyAlgorithm;
  readonly usage: KeyUsage;
  readonly lengthBytes: number;
}

const DESCRIPTOR = /^sts1;(DES|HMAC|AES|EC_P256);(DERIVE|UNWRAP|WRAP|SIGN);(\d{1,3})(?:;.+)?$/s;

/** CKA_ID value for the key labelled `label` of this description. */
export function encodeDescriptor(descriptor: Descriptor, label: string): Buffer {
  return Buffer.from(
    `sts1;${descriptor.algorithm};${descriptor.usage};${descriptor.lengthBytes};${label}`,
    'utf8',
  );
}

/** Parses CKA_ID; undefined for objects this adapter did not create as keys. */
export function parseDescriptor(id: Buffer | undefined): Descriptor | undefined {
  if (id === undefined) return undefined;
  const match = DESCRIPTOR.exec(id.toString('utf8'));
  if (match === null) return undefined;
  return {
    algorithm: match[1] as KeyAlgorithm,
    usage: match[2] as KeyUsage,
    lengthBytes: Number(match[3]),
  };
}

/** Label of the DKGA02 XOR share objects of vending key `label` (ADR 0002). */
export function shareLabel(label: string): string {
  return `sts.internal/dkga02-share/${label}`;
}

/** Label of the objects holding component `index` of ceremony `ceremonyId`. */
export function componentLabel(ceremonyId: string, index: number): string {
  return `sts.internal/ceremony/${ceremonyId}/${index}`;
}

/** CKA_ID of the internal AES key labelled `label` (never parsed as a key descriptor). */
export function internalId(label: string): Buffer {
  return Buffer.from(`${INTERNAL_ID_PREFIX};${label}`, 'utf8');
}

/** Whether a CKA_ID is an internal key's (with or without its label, as stored before). */
export function isInternalId(id: Buffer): boolean {
  const text = id.toString('utf8');
  return text === INTERNAL_ID_PREFIX || text.startsWith(`${INTERNAL_ID_PREFIX};`);
}

const INTERNAL_ID_PREFIX = 'sts1-internal';

/** What a secret-key object is for; fixes its class, type and usage attributes. */
export type SecretRole =
  /** DKGA02 vending key: DES2 K||K, encrypt only (the DES step, check value). */
  | 'vending-des'
  /** DKGA04 vending key: generic secret of 32 bytes or more, sign only (HMAC). */
  | 'vending-hmac'
  /** Key-encryption key: AES, unwrap (imports) and encrypt (check value). */
  | 'kek'
  /** Client transport key: AES, wrap (exports) and encrypt (check value). */
  | 'transport'
  /** Internal AES key that encrypts helper data objects. */
  | 'internal-aes'
  /** Transient DES2 key for EA09 and decoder-key check values. */
  | 'work-des'
  /** Transient generic secret that carries a derived key into C_WrapKey. */
  | 'export-carrier';

/**
 * Attributes of a secret key object, without its value or generation length. Token objects are
 * CKA_MODIFIABLE=false: once stored, no one holding the PIN can relabel a key, widen its usage
 * or make it extractable. Session objects stay modifiable (a draft gets its label and CKA_ID
 * before it is copied into the token with {@link PERSIST_TEMPLATE}).
 */
export function secretKeyTemplate(options: {
  readonly role: SecretRole;
  readonly token: boolean;
  readonly label?: string;
  readonly id?: Buffer;
}): Template {
  const { role } = options;
  const keyType =
    role === 'vending-des' || role === 'work-des'
      ? pkcs11js.CKK_DES2
      : role === 'vending-hmac' || role === 'export-carrier'
        ? pkcs11js.CKK_GENERIC_SECRET
        : pkcs11js.CKK_AES;
  const template: Template = [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
    { type: pkcs11js.CKA_TOKEN, value: options.token },
    { type: pkcs11js.CKA_MODIFIABLE, value: !options.token },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: role === 'export-carrier' },
    {
      type: pkcs11js.CKA_ENCRYPT,
      value: role !== 'vending-hmac' && role !== 'export-carrier',
    },
    { type: pkcs11js.CKA_DECRYPT, value: role === 'internal-aes' },
    { type: pkcs11js.CKA_SIGN, value: role === 'vending-hmac' },
    { type: pkcs11js.CKA_VERIFY, value: false },
    { type: pkcs11js.CKA_WRAP, value: role === 'transport' },
    { type: pkcs11js.CKA_UNWRAP, value: role === 'kek' },
    { type: pkcs11js.CKA_DERIVE, value: false },
  ];
  if (options.label !== undefined) {
    template.push({ type: pkcs11js.CKA_LABEL, value: options.label });
  }
  if (options.id !== undefined) template.push({ type: pkcs11js.CKA_ID, value: options.id });
  return template;
}

/** C_CopyObject template that stores a verified session draft as a read-only token object. */
export const PERSIST_TEMPLATE: Template = [
  { type: pkcs11js.CKA_TOKEN, value: true },
  { type: pkcs11js.CKA_MODIFIABLE, value: false },
];

/** The role of a stored key of this description. */
export function roleOf(descriptor: Descriptor): SecretRole | undefined {
  switch (descriptor.algorithm) {
    case 'DES':
      return 'vending-des';
    case 'HMAC':
      return 'vending-hmac';
    case 'AES':
      return descriptor.usage === 'WRAP' ? 'transport' : 'kek';
    case 'EC_P256':
      return undefined;
  }
}

/** Attributes of a private, read-only data object (ceremony components, DKGA02 XOR share). */
export function dataObjectTemplate(label: string, application: string, value: Buffer): Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_MODIFIABLE, value: false },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_APPLICATION, value: application },
    { type: pkcs11js.CKA_VALUE, value },
  ];
}

/** All handles matching `template` in this session (C_FindObjects until exhausted). */
export function findObjects(pkcs11: PKCS11, session: Handle, template: Template): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    const found: Handle[] = [];
    for (;;) {
      const batch = pkcs11.C_FindObjects(session, 64);
      if (batch.length === 0) return found;
      found.push(...batch);
    }
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

/** A key object of this adapter: handle, class and description. */
export interface FoundKey {
  readonly handle: Handle;
  readonly objectClass: number;
  readonly descriptor: Descriptor;
}

/** Reads CKA_CLASS and CKA_ID of `handle`; undefined unless it is a key of this adapter. */
export function describeObject(
  pkcs11: PKCS11,
  session: Handle,
  handle: Handle,
): FoundKey | undefined {
  const [classAttribute] = pkcs11.C_GetAttributeValue(session, handle, [
    { type: pkcs11js.CKA_CLASS },
  ]);
  const objectClass = classAttribute.value.readUInt32LE(0);
  if (objectClass !== pkcs11js.CKO_SECRET_KEY && objectClass !== pkcs11js.CKO_PRIVATE_KEY) {
    return undefined;
  }
  const [idAttribute] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }]);
  const descriptor = parseDescriptor(idAttribute.value);
  return descriptor === undefined ? undefined : { handle, objectClass, descriptor };
}

/** The key labelled `label` (secret key or EC private key), if there is one. */
export function findKey(pkcs11: PKCS11, session: Handle, label: string): FoundKey | undefined {
  for (const handle of findObjects(pkcs11, session, [
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_TOKEN, value: true },
  ])) {
    const found = describeObject(pkcs11, session, handle);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Handles of every token object labelled `label` (key, public key, helper objects). */
export function findLabelled(
  pkcs11: PKCS11,
  session: Handle,
  label: string,
  objectClass?: number,
): Handle[] {
  const template: Template = [
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_TOKEN, value: true },
  ];
  if (objectClass !== undefined) template.push({ type: pkcs11js.CKA_CLASS, value: objectClass });
  return findObjects(pkcs11, session, template);
}

/** Destroys objects; used for cleanup, so a failure on one does not stop the others. */
export function destroyAll(pkcs11: PKCS11, session: Handle, handles: readonly Handle[]): void {
  let first: Error | undefined;
  for (const handle of handles) {
    try {
      pkcs11.C_DestroyObject(session, handle);
    } catch (error) {
      first ??= error instanceof Error ? error : new Error('C_DestroyObject failed');
    }
  }
  if (first !== undefined) throw first;
}

/** Reads a boolean attribute (CKA_SENSITIVE, CKA_EXTRACTABLE). */
export function readBoolean(
  pkcs11: PKCS11,
  session: Handle,
  handle: Handle,
  type: number,
): boolean {
  const [attribute] = pkcs11.C_GetAttributeValue(session, handle, [{ type }]);
  return attribute.value.length > 0 && attribute.value[0] !== 0;
}
