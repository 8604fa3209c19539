import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns BIGINT as text; the service keeps sequence numbers as JS numbers (< 2^53). */
export const bigintNumber: ValueTransformer = {
  to: (value: number | undefined | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** Comma-separated list columns (roles, SGC scope, EAs): portable across SQLite and PostgreSQL. */
export const csvList: ValueTransformer = {
  to: (value: readonly string[] | undefined | null) =>
    value === undefined || value === null ? value : value.join(','),
  from: (value: string | null) => (value === null || value === '' ? [] : value.split(',')),
};

/**
 * A time column that is `timestamptz` on PostgreSQL (the driver answers a Date) and ISO-8601 text
 * on SQLite: the entity holds an ISO-8601 UTC string either way. Written as that string, which
 * PostgreSQL reads as a time with its zone.
 */
export const isoTimestamp: ValueTransformer = {
  to: (value: string | undefined | null) => value,
  from: (value: Date | string | null) => (value instanceof Date ? value.toISOString() : value),
};

/** Length of ISO-8601 UTC timestamps as stored (`2024-01-01T00:00:00.000Z`). */
export const ISO_LENGTH = 24;
