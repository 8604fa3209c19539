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

/** Length of ISO-8601 UTC timestamps as stored (`2024-01-01T00:00:00.000Z`). */
export const ISO_LENGTH = 24;
