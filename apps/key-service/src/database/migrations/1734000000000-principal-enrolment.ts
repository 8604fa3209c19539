import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * API keys issued by someone other than their holder are enrolment keys (good only for
 * exchanging them for the holder's own key), and new keys use verifier scheme 2 (a key can be
 * issued in two parts). Existing keys keep scheme 1 and stay usable as they are.
 */
export class PrincipalEnrolment1734000000000 implements MigrationInterface {
  name = 'PrincipalEnrolment1734000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'principals',
      new TableColumn({ name: 'api_key_scheme', type: 'integer', default: 1, isNullable: false }),
    );
    await q.addColumn(
      'principals',
      new TableColumn({
        name: 'api_key_enrolment',
        type: 'boolean',
        default: false,
        isNullable: false,
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('principals', 'api_key_enrolment');
    await q.dropColumn('principals', 'api_key_scheme');
  }
}
