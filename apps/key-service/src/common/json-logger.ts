import type { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../config/app-config';
import { currentContext } from './request-context';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Where log lines go (stdout by default; tests capture them). */
export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

/**
 * One JSON object per line with the request id. Callers log identifiers and outcomes only;
 * request bodies and headers are never logged, so API keys, PINs and key components cannot be.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly sink: LogSink = stdoutSink,
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  /** A structured event: `fields` must hold no secret. */
  event(level: LogLevel, msg: string, fields: Record<string, unknown>): void {
    if (RANK[level] > RANK[this.level]) return;
    const ctx = currentContext();
    this.sink(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        msg,
        ...(ctx ? { requestId: ctx.requestId } : {}),
        ...fields,
      }),
    );
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context name last; an error stack may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? rest[rest.length - 1] : undefined;
    const text = message instanceof Error ? message.message : String(message);
    this.event(level, text, context !== undefined ? { context } : {});
  }
}
