// Whether the state folder takes writes: a full disk (ENOSPC), a read-only
// remount (EROFS) or an I/O error refuses every event until it clears. That
// is logged once when it starts and once when it clears, never per record.
import type { Logger } from 'pino';
import { errorText } from '../errors.js';

export class WriteHealth {
  // The error that started the refusal, while it lasts.
  private refusing: string | undefined;

  constructor(
    private readonly log: Logger,
    private readonly dir: string,
  ) {}

  get refused(): boolean {
    return this.refusing !== undefined;
  }

  // A write or sync failed.
  failed(error: unknown): void {
    if (this.refusing !== undefined) return;
    this.refusing = errorText(error);
    this.log.error({ state: this.dir, error: this.refusing }, 'the state folder refuses writes: events are refused (sources hold them back) until it takes writes again');
  }

  // A sync went through.
  succeeded(): void {
    if (this.refusing === undefined) return;
    this.refusing = undefined;
    this.log.info({ state: this.dir }, 'the state folder accepts writes again: events are accepted again');
  }
}
