import { Column, Entity, PrimaryColumn } from 'typeorm';
import { csvList, ISO_LENGTH } from '../database/column-types';
import type { VerifierScheme } from '../auth/api-key';
import type { Role } from '../auth/role';

export const PRINCIPAL_STATES = ['pending', 'active', 'disabled'] as const;
/** `pending`: created with a role that needs a second admin's approval, not yet approved. */
export type PrincipalState = (typeof PRINCIPAL_STATES)[number];

/** A person or system with roles and an API key (stored hashed). */
@Entity('principals')
export class Principal {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 200, transformer: csvList })
  roles!: Role[];

  /** Supply group codes a vending client may reach (empty for other roles). */
  @Column({ name: 'sgc_scope', type: 'text', transformer: csvList })
  sgcScope!: string[];

  @Column({ type: 'varchar', length: 16 })
  state!: PrincipalState;

  /** Public half of the API key, used to find the principal. */
  @Column({ name: 'api_key_id', type: 'varchar', length: 32, unique: true })
  apiKeyId!: string;

  /** Verifier of the secret half (hex; see `auth/api-key.ts` for the schemes). */
  @Column({ name: 'api_key_hash', type: 'varchar', length: 64 })
  apiKeyHash!: string;

  @Column({ name: 'api_key_scheme', type: 'integer' })
  apiKeyScheme!: VerifierScheme;

  /**
   * The key was issued by someone else: it only exchanges itself for the holder's own key
   * (`POST /principals/me/api-key`).
   */
  @Column({ name: 'api_key_enrolment', type: 'boolean' })
  apiKeyEnrolment!: boolean;

  @Column({ name: 'api_key_created_at', type: 'varchar', length: ISO_LENGTH })
  apiKeyCreatedAt!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;
}
