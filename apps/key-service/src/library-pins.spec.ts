import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Expose, Transform, Type } from 'class-transformer';
import { Client } from 'pg';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  CLASS_TRANSFORMER_PIN,
  declaredType,
  reshapesProperties,
  transformsProperty,
} from './common/class-transformer-internals';
import { cork, markTransaction, PG_PIN, TYPEORM_PIN, uncork } from './database/pg-internals';

/**
 * The library internals the service relies on (database/pg-internals.ts,
 * common/class-transformer-internals.ts) hold for the pinned versions. A failure names the pin:
 * an upgrade must re-check the adapter before it moves the pin.
 */

const ROOT = join(__dirname, '..', '..', '..');

function assume(holds: boolean, pin: string, what: string): void {
  if (!holds) throw new Error(`library pin ${pin}: ${what} no longer holds; re-check the adapter`);
}

function installed(name: string): string {
  const file = join(ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function declared(name: string): string | undefined {
  const file = join(ROOT, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies: Record<string, string> };
  return pkg.dependencies[name];
}

@Entity('pin_rows')
class PinRow {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  name!: string;
}

class Inner {
  value!: string;
}

class Shaped {
  @Expose({ name: 'other' })
  renamed!: string;
}

class Plain {
  @Transform(({ value }: { value: unknown }) => value)
  transformed!: string;

  @Type(() => Inner)
  inner!: Inner;

  untouched!: string;
}

describe('library pins', () => {
  it.each([
    ['pg', PG_PIN],
    ['typeorm', TYPEORM_PIN],
    ['class-transformer', CLASS_TRANSFORMER_PIN],
  ])('%s is declared and installed at exactly %s', (name, pin) => {
    assume(declared(name) === pin, `${name}@${pin}`, `package.json declares ${declared(name)}`);
    assume(installed(name) === pin, `${name}@${pin}`, `node_modules holds ${installed(name)}`);
  });

  it('pg: a client takes pipeline mode and its socket can hold writes back', () => {
    const client = new Client({ pipeline: true });
    const internals = client as unknown as Parameters<typeof cork>[0];
    assume(internals.pipeline, `pg@${PG_PIN}`, 'the `pipeline` option');
    const stream = internals.connection.stream as unknown as { writableCorked: number };
    assume(cork(internals), `pg@${PG_PIN}`, '`connection.stream` cork/uncork');
    assume(stream.writableCorked === 1, `pg@${PG_PIN}`, 'cork holding writes');
    uncork(internals);
    assume(stream.writableCorked === 0, `pg@${PG_PIN}`, 'uncork releasing writes');
  });

  it('typeorm: a runner marked as in a transaction saves without opening one of its own', async () => {
    const ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [PinRow],
      synchronize: true,
    });
    await ds.initialize();
    const runner = ds.createQueryRunner();
    try {
      await runner.connect();
      await runner.query('BEGIN');
      markTransaction(runner, true);
      const started = jest.spyOn(runner, 'startTransaction');
      await runner.manager.save(PinRow, { id: 1, name: 'one' });
      assume(started.mock.calls.length === 0, `typeorm@${TYPEORM_PIN}`, '`isTransactionActive`');
      assume(runner.isTransactionActive, `typeorm@${TYPEORM_PIN}`, 'the transaction flags');
      markTransaction(runner, false);
      assume(!runner.isTransactionActive, `typeorm@${TYPEORM_PIN}`, 'clearing the flags');
      await runner.query('COMMIT');
      expect(await ds.manager.findOneBy(PinRow, { id: 1 })).toMatchObject({ name: 'one' });
    } finally {
      await runner.release();
      await ds.destroy();
    }
  });

  it('class-transformer: the storage read is the one its decorators write to', () => {
    const pin = `class-transformer@${CLASS_TRANSFORMER_PIN}`;
    assume(reshapesProperties(Shaped), pin, '`@Expose` metadata in the storage');
    assume(!reshapesProperties(Plain), pin, 'a class without `@Expose`/`@Exclude`');
    assume(transformsProperty(Plain, 'transformed'), pin, '`@Transform` metadata');
    assume(!transformsProperty(Plain, 'untouched'), pin, 'a property without `@Transform`');
    assume(declaredType(Plain, 'inner') === Inner, pin, '`@Type` metadata');
    assume(declaredType(Plain, 'untouched') === undefined, pin, 'a property without `@Type`');
  });
});
