// Where a followed file was read up to, kept in <state>/sources/ so that a
// restart goes on where the last run stopped. The file's identity (device and
// inode) tells the file that was being read from a new one at the same path;
// the last bytes before the position tell a file truncated and written again.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { StateFile } from './state-file.js';

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
  private constructor(
    private readonly saved: StateFile,
    private readonly followed: string,
  ) {}

  // The store of the file followed at `followed`: one JSON file per path.
  static forPath(state: string | false, followed: string, log: Logger): PositionStore {
    if (state === false) return new PositionStore(new StateFile(undefined, 'file position', log), followed);
    const digest = createHash('sha256').update(followed).digest('hex').slice(0, 16);
    const name = `file-${path.basename(followed).replace(/[^\w.-]/g, '_')}-${digest}.json`;
    return new PositionStore(new StateFile(path.join(state, 'sources', name), 'file position', log), followed);
  }

  get file(): string | undefined {
    return this.saved.file;
  }

  load(): Promise<FilePosition | undefined> {
    return this.saved.read(({ dev, ino, offset, line, tail }) => {
      if (typeof dev !== 'string' || typeof ino !== 'string' || !Number.isSafeInteger(offset) || !Number.isSafeInteger(line) || typeof tail !== 'string') throw new Error('missing fields');
      return { identity: { dev, ino }, offset: offset as number, line: line as number, tail: Buffer.from(tail, 'base64') };
    });
  }

  // Remember a position; written within SAVE_INTERVAL_MS.
  update(position: FilePosition): void {
    this.saved.save({
      path: this.followed,
      dev: position.identity.dev,
      ino: position.identity.ino,
      offset: position.offset,
      line: position.line,
      tail: position.tail.toString('base64'),
    });
  }

  // Write the last position now (at stop).
  flush(): Promise<void> {
    return this.saved.flush();
  }
}
