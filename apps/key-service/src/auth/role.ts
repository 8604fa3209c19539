/** The five personas. Every route declares which of them may call it. */
export const ROLES = [
  'admin',
  'security-officer',
  'custodian',
  'vending-client',
  'auditor',
] as const;

export type Role = (typeof ROLES)[number];
