// How far each followed (subsystem, index) pair was handed on, kept in
// <state>/sources/ as the file source keeps its positions: a value is
// remembered only once its event was durably accepted, and written within
// SAVE_INTERVAL_MS, so a crash repeats at most the events accepted since the
// last write and never skips one. Pairs no longer followed are forgotten: a
// pair followed anew starts as `from` says.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { StateFile } from '../state-file.js';

export class IndexPositions {
  private readonly values = new Map<string, number>();

  private constructor(
    private readonly saved: StateFile,
    private readonly rpcPath: string,
  ) {}

  // The store of the node reached at `rpcPath`: one JSON file per socket path.
  static forRpc(state: string | false, rpcPath: string, log: Logger): IndexPositions {
    const digest = createHash('sha256').update(rpcPath).digest('hex').slice(0, 16);
    const file = state === false ? undefined : path.join(state, 'sources', `cln-${digest}.json`);
    return new IndexPositions(new StateFile(file, 'cln positions', log), rpcPath);
  }

  // Reads the saved values; an unreadable file starts as a first run.
  async load(): Promise<void> {
    const saved = await this.saved.read(({ positions }) => {
      if (typeof positions !== 'object' || positions === null) throw new Error('no positions');
      return Object.entries(positions);
    });
    for (const [key, value] of saved ?? []) if (Number.isSafeInteger(value) && (value as number) >= 0) this.values.set(key, value as number);
  }

  get(key: string): number | undefined {
    return this.values.get(key);
  }

  set(key: string, value: number): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.save();
  }

  // Keeps only these pairs.
  retain(keys: ReadonlySet<string>): void {
    const before = this.values.size;
    for (const key of [...this.values.keys()]) if (!keys.has(key)) this.values.delete(key);
    if (this.values.size !== before) this.save();
  }

  // Writes now (at stop).
  flush(): Promise<void> {
    return this.saved.flush();
  }

  private save(): void {
    this.saved.save({ rpc: this.rpcPath, positions: Object.fromEntries(this.values) });
  }
}
