// Where a followed file was read up to, kept in <state>/sources/ so that a
// restart goes on where the last run stopped. The file's identity (device and
// inode) tells the file that was being read from a new one at the same path;
// the last bytes before the position tell a file truncated and written again.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorText } from '../errors.js';
import { writeAtomically } from './atomic-write.js';

export interface FileIdentity {
  // Decimal strings: inode numbers may exceed 2^53.
  readonly dev: string;
  readonly ino: string;
}

export interface FilePosition {
  readonly identity: FileIdentity;
  // Byte offset just after the last line handled.
  readonly offset: number;
  // Lines before `offset` (for line numbers in warnings).
  readonly line: number;
  // Up to TAIL_BYTES bytes just before `offset`.
  readonly tail: Buffer;
}

export const TAIL_BYTES = 64;

// Most position writes per second; a crash repeats at most the lines accepted
// since the last write (at-least-once), a clean stop writes the last one.
const SAVE_INTERVAL_MS = 200;

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function identityOf(stats: { dev: bigint; ino: bigint }): FileIdentity {
  return { dev: stats.dev.toString(), ino: stats.ino.toString() };
}

// A line boundary: its offset, the lines before it, the bytes just before it.
export type LinePosition = Pick<FilePosition, 'offset' | 'line' | 'tail'>;

const NEWLINE = 0x0a;

// The tail once a line is read: what came before, the blank lines skipped
// before it, its bytes and its newline. `line` undefined (a line too long to
// keep) leaves only the newline, which is all that is known.
export function tailAfterLine(previous: Buffer, blankLines: number, line: Buffer | undefined): Buffer {
  if (line === undefined) return Buffer.from([NEWLINE]);
  const blanks = Buffer.alloc(Math.min(blankLines, TAIL_BYTES), NEWLINE);
  const recent = line.subarray(Math.max(0, line.length - TAIL_BYTES));
  const joined = Buffer.concat([previous, blanks, recent, Buffer.from([NEWLINE])]);
  return Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
}

export class PositionStore {
  private pending: FilePosition | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  // `file` undefined: memory only (state: false), nothing is kept.
  private constructor(
    readonly file: string | undefined,
    private readonly followed: string,
    private readonly log: Logger,
  ) {}

  // The store of the file followed at `followed`: one JSON file per path.
  static forPath(state: string | false, followed: string, log: Logger): PositionStore {
    if (state === false) return new PositionStore(undefined, followed, log);
    const digest = createHash('sha256').update(followed).digest('hex').slice(0, 16);
    const name = `file-${path.basename(followed).replace(/[^\w.-]/g, '_')}-${digest}.json`;
    return new PositionStore(path.join(state, 'sources', name), followed, log);
  }

  async load(): Promise<FilePosition | undefined> {
    if (this.file === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ file: this.file, error: errorText(error) }, 'cannot read the saved file position; starting as on a first run');
      return undefined;
    }
    try {
      const saved = JSON.parse(text) as Record<string, unknown>;
      const { dev, ino, offset, line, tail } = saved;
      if (typeof dev !== 'string' || typeof ino !== 'string' || !Number.isSafeInteger(offset) || !Number.isSafeInteger(line) || typeof tail !== 'string') throw new Error('missing fields');
      return { identity: { dev, ino }, offset: offset as number, line: line as number, tail: Buffer.from(tail, 'base64') };
    } catch (error) {
      this.log.warn({ file: this.file, error: errorText(error) }, 'the saved file position is unreadable; starting as on a first run');
      return undefined;
    }
  }

  // Remember a position; written within SAVE_INTERVAL_MS.
  update(position: FilePosition): void {
    if (this.file === undefined) return;
    this.pending = position;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, SAVE_INTERVAL_MS);
  }

  // Write the last position now (at stop).
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const position = this.pending;
      if (position === undefined || this.file === undefined) return;
      this.pending = undefined;
      try {
        await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        await writeAtomically(this.file, `${JSON.stringify({
          path: this.followed,
          dev: position.identity.dev,
          ino: position.identity.ino,
          offset: position.offset,
          line: position.line,
          tail: position.tail.toString('base64'),
          savedAt: new Date().toISOString(),
        })}\n`);
      } catch (error) {
        this.pending ??= position;
        this.log.error({ file: this.file, error: errorText(error) }, 'cannot save the file position');
      }
    });
    return this.writing;
  }
}
