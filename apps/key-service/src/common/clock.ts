import { Injectable } from '@nestjs/common';

/** The service's notion of now (UTC). Injected so tests can move time without sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowIso(): string {
    return this.now().toISOString();
  }
}
