// How far each followed (subsystem, index) pair was handed on, kept in
// <state>/sources/ as the file source keeps its positions: a value is
// remembered only once its event was durably accepted, and written within
// SAVE_INTERVAL_MS, so a crash repeats at most the events accepted since the
// last write and never skips one. Pairs no longer followed are forgotten: a
// pair followed anew starts as `from` says.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorText } from '../../errors.js';

const SAVE_INTERVAL_MS = 200;

export class IndexPositions {
  private readonly values = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  // `file` undefined: memory only (state: false).
  private constructor(
    readonly file: string | undefined,
    private readonly rpcPath: string,
    private readonly log: Logger,
  ) {}

  // The store of the node reached at `rpcPath`: one JSON file per socket path.
  static forRpc(state: string | false, rpcPath: string, log: Logger): IndexPositions {
    if (state === false) return new IndexPositions(undefined, rpcPath, log);
    const digest = createHash('sha256').update(rpcPath).digest('hex').slice(0, 16);
    return new IndexPositions(path.join(state, 'sources', `cln-${digest}.json`), rpcPath, log);
  }

  // Reads the saved values; an unreadable file starts as a first run.
  async load(): Promise<void> {
    if (this.file === undefined) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ file: this.file, error: errorText(error) }, 'cannot read the saved cln positions; starting as on a first run');
      return;
    }
    try {
      const saved = (JSON.parse(text) as { positions?: unknown }).positions;
      if (typeof saved !== 'object' || saved === null) throw new Error('no positions');
      for (const [key, value] of Object.entries(saved)) if (Number.isSafeInteger(value) && (value as number) >= 0) this.values.set(key, value as number);
    } catch (error) {
      this.log.warn({ file: this.file, error: errorText(error) }, 'the saved cln positions are unreadable; starting as on a first run');
    }
  }

  get(key: string): number | undefined {
    return this.values.get(key);
  }

  // Every pair and its value (for status).
  entries(): [string, number][] {
    return [...this.values.entries()];
  }

  set(key: string, value: number): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.schedule();
  }

  // Keeps only these pairs.
  retain(keys: ReadonlySet<string>): void {
    for (const key of [...this.values.keys()]) {
      if (keys.has(key)) continue;
      this.values.delete(key);
      this.schedule();
    }
  }

  // Writes now (at stop).
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  private schedule(): void {
    if (this.file === undefined) return;
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, SAVE_INTERVAL_MS);
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty || this.file === undefined) return;
      this.dirty = false;
      const text = `${JSON.stringify({ rpc: this.rpcPath, positions: Object.fromEntries(this.values), savedAt: new Date().toISOString() })}\n`;
      try {
        await writeAtomically(this.file, text);
      } catch (error) {
        this.dirty = true;
        this.log.error({ file: this.file, error: errorText(error) }, 'cannot save the cln positions');
      }
    });
    return this.writing;
  }
}

// A crash leaves either the old file or the new one, never half of one.
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
