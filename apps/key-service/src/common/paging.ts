import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainError } from './domain-error';

/**
 * Paging of list routes: `?limit=&cursor=` in, `{items, next}` out. Pages are read in keyset
 * order (a unique order of columns, continued after the last row of the previous page), so a
 * page costs the same wherever it is in the list, and rows added meanwhile neither repeat nor
 * push others off a page. The cursor is opaque to clients: base64url of the last row's key.
 */

export const PAGE_LIMIT_DEFAULT = 100;
export const PAGE_LIMIT_MAX = 500;

const CURSOR = /^[A-Za-z0-9_-]{1,1024}$/;
const CURSOR_VALUE_MAX = 128;

/** The query of a list route; a route with filters extends it. */
export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: PAGE_LIMIT_MAX,
    default: PAGE_LIMIT_DEFAULT,
    description: 'Most items in this page',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Where to continue: the `next` of the previous page, as it was (opaque)',
  })
  @IsOptional()
  @IsString()
  @Matches(CURSOR, { message: 'cursor must be the next of a previous page' })
  cursor?: string;
}

/** The paging part of a list answer; a list DTO extends it with its `items`. */
export class PageDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Cursor of the next page (pass it as `cursor`); null on the last page',
  })
  next!: string | null;
}

/** One column of a keyset order: its SQL expression and its value in a row. */
export interface PageKey<E> {
  readonly column: string;
  readonly value: (row: E) => string;
}

/** A list's order: its columns (together unique, the last one usually the id) and direction. */
export interface PageOrder<E> {
  readonly keys: readonly [PageKey<E>, ...PageKey<E>[]];
  readonly direction: 'ASC' | 'DESC';
}

/** One page of rows and the cursor of the next page (null on the last page). */
export interface Page<E> {
  readonly rows: E[];
  readonly next: string | null;
}

/**
 * Reads the page `query` asks for from `qb` (its filters applied already) in `order`: the rows
 * after the cursor's key, at most `limit` of them. One row more is read to know whether there is
 * a next page. A cursor that is not one this function made is 400 naming `cursor`.
 */
export async function readPage<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  order: PageOrder<E>,
  query: PageQueryDto,
): Promise<Page<E>> {
  const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
  const columns = order.keys.map((k) => k.column);
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor, columns.length);
    const names = after.map((_, i) => `:page_after_${i}`);
    qb.andWhere(
      `(${columns.join(', ')}) ${order.direction === 'ASC' ? '>' : '<'} (${names.join(', ')})`,
      Object.fromEntries(after.map((value, i) => [`page_after_${i}`, value])),
    );
  }
  qb.orderBy(columns[0], order.direction);
  for (const column of columns.slice(1)) qb.addOrderBy(column, order.direction);
  const rows = await qb.limit(limit + 1).getMany();
  if (rows.length <= limit) return { rows, next: null };
  rows.length = limit;
  const last = rows[limit - 1];
  return { rows, next: encodeCursor(order.keys.map((k) => k.value(last))) };
}

export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** The key values of a cursor made by {@link encodeCursor} for an order of `arity` columns. */
export function decodeCursor(cursor: string, arity: number): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (
    !Array.isArray(values) ||
    values.length !== arity ||
    !values.every((v) => typeof v === 'string' && v.length <= CURSOR_VALUE_MAX)
  ) {
    throw DomainError.validation('cursor', 'cursor must be the next of a previous page');
  }
  return values as string[];
}
