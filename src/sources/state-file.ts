// A source's progress in <state>/sources/ (a file position, cln indexes):
// read once at start, written at most every SAVE_INTERVAL_MS (a crash
// repeats at most what was accepted since the last write; a clean stop
// writes the last one) and atomically, so a crash leaves the old file or the
// new one, never half of one.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorText } from '../errors.js';
import { writeAtomically } from './atomic-write.js';

export const SAVE_INTERVAL_MS = 200;

export class StateFile {
  private pending: Record<string, unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  // `file` undefined: memory only (state: false), nothing is kept. `what`
  // names it in log lines ("file position").
  constructor(
    readonly file: string | undefined,
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  // What was saved, checked by `check` (which throws when it does not
  // fit); undefined on a first run or when unreadable (said in the log).
  async read<T>(check: (saved: Record<string, unknown>) => T): Promise<T | undefined> {
    if (this.file === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ file: this.file, error: errorText(error) }, `cannot read the saved ${this.what}; starting as on a first run`);
      return undefined;
    }
    try {
      const saved: unknown = JSON.parse(text);
      if (typeof saved !== 'object' || saved === null) throw new Error('not an object');
      return check(saved as Record<string, unknown>);
    } catch (error) {
      this.log.warn({ file: this.file, error: errorText(error) }, `the saved ${this.what} is unreadable; starting as on a first run`);
      return undefined;
    }
  }

  // Remember what to save; written within SAVE_INTERVAL_MS.
  save(content: Record<string, unknown>): void {
    if (this.file === undefined) return;
    this.pending = content;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, SAVE_INTERVAL_MS);
  }

  // Write the last content now (at stop).
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const content = this.pending;
      if (content === undefined || this.file === undefined) return;
      this.pending = undefined;
      try {
        await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        await writeAtomically(this.file, `${JSON.stringify({ ...content, savedAt: new Date().toISOString() })}\n`);
      } catch (error) {
        this.pending ??= content;
        this.log.error({ file: this.file, error: errorText(error) }, `cannot save the ${this.what}`);
      }
    });
    return this.writing;
  }
}
