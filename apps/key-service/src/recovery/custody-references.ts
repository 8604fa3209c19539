import type { EntityManager } from 'typeorm';
import { Kek } from '../keks/kek.entity';
import { TransportKey } from '../vending/transport-keys/transport-key.entity';
import { VendingKey } from '../vending-keys/vending-key.entity';
import type { KeyReference } from './custody-verification';

/** Vending-key states in which the service may use the key (issue, key change, activation). */
const VENDING_KEY_IN_USE = new Set([
  'pending-approval',
  'active',
  'suspended',
  'superseded',
  'expired',
]);

/**
 * Every token key the database names: vending keys, key-encryption keys and transport keys in
 * any state (states in which the key is used are required), and the audit key.
 */
export async function readKeyReferences(
  em: EntityManager,
  auditKeyLabel: string,
  auditCheckpoint?: { readonly seq: number; readonly valid: boolean },
): Promise<KeyReference[]> {
  const [vendingKeys, keks, transportKeys] = await Promise.all([
    em.find(VendingKey, { order: { sgc: 'ASC', krn: 'ASC', createdAt: 'ASC' } }),
    em.find(Kek, { order: { createdAt: 'ASC' } }),
    em.find(TransportKey, { order: { createdAt: 'ASC' } }),
  ]);
  return [
    ...vendingKeys.map((k): KeyReference => ({
      kind: 'vending-key',
      id: k.id,
      label: k.tokenLabel,
      state: k.state,
      required: VENDING_KEY_IN_USE.has(k.state),
      algorithm: k.dkga === '02' ? 'DES' : 'HMAC',
      usage: 'DERIVE',
      lengthBytes: k.dkga === '02' ? 8 : k.keyLengthBytes,
      kcv: k.kcv ?? k.expectedKcv,
      sgc: k.sgc,
      krn: k.krn,
    })),
    ...keks.map((k): KeyReference => ({
      kind: 'kek',
      id: k.id,
      label: k.tokenLabel,
      state: k.state,
      required: k.state === 'active',
      algorithm: 'AES',
      usage: 'UNWRAP',
      lengthBytes: k.lengthBytes,
      kcv: k.kcv ?? k.expectedKcv,
    })),
    ...transportKeys.map((k): KeyReference => ({
      kind: 'transport-key',
      id: k.id,
      label: k.tokenLabel,
      state: k.state,
      required: k.state === 'active',
      algorithm: 'AES',
      usage: 'WRAP',
      lengthBytes: k.lengthBytes,
      kcv: k.kcv ?? k.expectedKcv,
    })),
    {
      kind: 'audit-key',
      id: auditKeyLabel,
      label: auditKeyLabel,
      state: 'active',
      required: true,
      algorithm: 'EC_P256',
      usage: 'SIGN',
      lengthBytes: 32,
      ...(auditCheckpoint ? { checkpoint: auditCheckpoint } : {}),
    },
  ];
}
