import type { VendingKey } from '../vending-keys/vending-key.entity';

/** One key in the inventory report: metadata, check values and the people who handled it. */
export interface InventoryRow {
  readonly id: string;
  readonly sgc: string;
  readonly krn: number;
  readonly keyType: string;
  readonly dkga: string;
  readonly state: string;
  readonly kcv: string | null;
  readonly loadMethod: string;
  readonly createdAt: string;
  readonly activateAt: string | null;
  readonly issueUntil: string | null;
  readonly expiresAt: string | null;
  readonly destroyedAt: string | null;
  readonly requestedBy: string;
  readonly custodians: readonly string[];
  readonly approvers: readonly string[];
}

/** Who entered components of each key and who approved actions on it, by key id (names). */
export interface KeyPeople {
  readonly custodians: ReadonlyMap<string, readonly string[]>;
  readonly approvers: ReadonlyMap<string, readonly string[]>;
  readonly names: ReadonlyMap<string, string>;
}

export function inventoryRow(key: VendingKey, people: KeyPeople): InventoryRow {
  const name = (id: string) => people.names.get(id) ?? id;
  return {
    id: key.id,
    sgc: key.sgc,
    krn: key.krn,
    keyType: key.keyType,
    dkga: key.dkga,
    state: key.state,
    kcv: key.kcv,
    loadMethod: key.loadMethod,
    createdAt: key.createdAt,
    activateAt: key.activateAt,
    issueUntil: key.issueUntil,
    expiresAt: key.expiresAt,
    destroyedAt: key.destroyedAt,
    requestedBy: name(key.createdBy),
    custodians: (people.custodians.get(key.id) ?? []).map(name),
    approvers: (people.approvers.get(key.id) ?? []).map(name),
  };
}

export const INVENTORY_COLUMNS: readonly (keyof InventoryRow)[] = [
  'sgc',
  'krn',
  'keyType',
  'dkga',
  'state',
  'kcv',
  'loadMethod',
  'createdAt',
  'activateAt',
  'issueUntil',
  'expiresAt',
  'destroyedAt',
  'requestedBy',
  'custodians',
  'approvers',
  'id',
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a text starting
 * with = + - @ is prefixed with ' so that a spreadsheet does not run it as a formula.
 */
export function csvField(value: unknown): string {
  let text = Array.isArray(value)
    ? value.join('; ')
    : typeof value === 'string' || typeof value === 'number'
      ? String(value)
      : '';
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The inventory as CSV: a header line, then one line per key (CRLF line ends). */
export function inventoryCsv(rows: readonly InventoryRow[]): string {
  const lines = [INVENTORY_COLUMNS.join(',')];
  for (const row of rows) lines.push(INVENTORY_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
