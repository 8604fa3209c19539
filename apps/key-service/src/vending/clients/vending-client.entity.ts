import { Column, Entity, PrimaryColumn } from 'typeorm';
import { csvList, ISO_LENGTH } from '../../database/column-types';

/**
 * A vending client's profile: what the principal (role vending-client, scoped to supply groups)
 * may issue, per-token amount limits and its request rate. No profile means nothing is allowed.
 */
@Entity('vending_clients')
export class VendingClient {
  @PrimaryColumn({ name: 'principal_id', type: 'varchar', length: 36 })
  principalId!: string;

  /** Class 0 subclasses (0..7) the client may issue. */
  @Column({ name: 'credit_subclasses', type: 'varchar', length: 32, transformer: csvList })
  creditSubclasses!: string[];

  /** Class 2 subclasses (0, 1, 2, 5, 6, 7). */
  @Column({ name: 'management_subclasses', type: 'varchar', length: 32, transformer: csvList })
  managementSubclasses!: string[];

  /** Class 1 subclasses (0, 1). */
  @Column({ name: 'test_subclasses', type: 'varchar', length: 8, transformer: csvList })
  testSubclasses!: string[];

  /** Whether the client may issue key-change sets (class 2 subclasses 3, 4, 8, 9). */
  @Column({ name: 'key_change_allowed', type: 'integer' })
  keyChangeAllowed!: number;

  /** Largest unit credit per token (subclasses 0..3), decimal text; null: no limit. */
  @Column({ name: 'max_unit_amount', type: 'varchar', length: 32, nullable: true })
  maxUnitAmount!: string | null;

  /** Largest currency credit per token (subclasses 4..7), decimal text; null: no limit. */
  @Column({ name: 'max_currency_amount', type: 'varchar', length: 32, nullable: true })
  maxCurrencyAmount!: string | null;

  @Column({ name: 'rate_per_second', type: 'integer' })
  ratePerSecond!: number;

  @Column({ type: 'integer' })
  burst!: number;

  @Column({ name: 'updated_by', type: 'varchar', length: 36 })
  updatedBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;
}
