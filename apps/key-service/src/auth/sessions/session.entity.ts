import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../../database/column-types';

/**
 * A console session: a person signed in by presenting their API key once. The browser holds the
 * session id and secret in an HttpOnly cookie; the database holds only SHA-256 of the secret.
 */
@Entity('console_sessions')
@Index('ix_console_sessions_principal', ['principalId'])
export class ConsoleSession {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** SHA-256 (hex) of the cookie's secret. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ name: 'principal_id', type: 'varchar', length: 36 })
  principalId!: string;

  /** The API key the person signed in with: the session ends when that key is replaced. */
  @Column({ name: 'api_key_id', type: 'varchar', length: 32 })
  apiKeyId!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  /** The last request of the session (the idle timeout runs from here). */
  @Column({ name: 'last_seen_at', type: 'varchar', length: ISO_LENGTH })
  lastSeenAt!: string;

  /** When the session ends whatever the activity. */
  @Column({ name: 'expires_at', type: 'varchar', length: ISO_LENGTH })
  expiresAt!: string;

  @Column({ name: 'ended_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  endedAt!: string | null;
}
