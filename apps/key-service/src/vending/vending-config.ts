import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, Max, Min, validateSync } from 'class-validator';
import { ConfigError } from '../config/app-config';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** The vending interface's environment variables, validated when the module starts. */
export class VendingEnvironment {
  /**
   * How far ahead of the current minute TIDs for one meter may run when several tokens are
   * issued in the same minute (each takes the next free minute). Beyond it: 422 with the seconds
   * until a minute is free. Default 50, no more than the meter's TID memory (the virtual meter's
   * 50), so that the tokens of one burst are accepted in whatever order they are entered
   * (docs/vending.md, "Why 50 minutes").
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_080)
  STS_VENDING_TID_WINDOW_MINUTES = 50;

  /** How long Idempotency-Key records are kept (at least 24 h). */
  @Transform(toInt)
  @IsInt()
  @Min(24)
  @Max(24 * 90)
  STS_VENDING_IDEMPOTENCY_HOURS = 48;

  /** How often expired Idempotency-Key records are cleared (0: never; tests). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400)
  STS_VENDING_PURGE_SECONDS = 3600;

  /** How long a process reuses a client profile (rate limits, allowed subclasses) and active transport key it has read. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  STS_VENDING_PROFILE_CACHE_MS = 1000;
}

export interface VendingConfig {
  readonly tidWindowMinutes: number;
  readonly idempotencyHours: number;
  readonly purgeSeconds: number;
  readonly profileCacheMs: number;
}

export const VENDING_CONFIG = Symbol('VENDING_CONFIG');

/** Validates the variables; a bad value fails the start, naming the variable (never a value). */
export function loadVendingConfig(env: NodeJS.ProcessEnv): VendingConfig {
  const present: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('STS_VENDING_') && v !== undefined && v !== '') present[k] = v;
  }
  const vars = plainToInstance(VendingEnvironment, present, { exposeDefaultValues: true });
  const errors = validateSync(vars);
  if (errors.length > 0) {
    const names = errors.map((e) => e.property);
    throw new ConfigError(
      names,
      `Invalid configuration: ${errors
        .map((e) => `${e.property} ${Object.values(e.constraints ?? {}).join('; ')}`)
        .join('; ')}`,
    );
  }
  return {
    tidWindowMinutes: vars.STS_VENDING_TID_WINDOW_MINUTES,
    idempotencyHours: vars.STS_VENDING_IDEMPOTENCY_HOURS,
    purgeSeconds: vars.STS_VENDING_PURGE_SECONDS,
    profileCacheMs: vars.STS_VENDING_PROFILE_CACHE_MS,
  };
}
