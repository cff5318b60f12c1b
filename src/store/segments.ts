// The queue's files: numbered, append-only segments of record lines
// (queue/000000000001.log, ...). The records made in one turn of the event
// loop are written with one write(2) at its end, so a kill -9 loses none that
// anyone waited for; fsyncs are batched (group commit): everyone waiting on
// sync() shares the next fdatasync. A failed write or fdatasync cuts the file
// back to the end of the last good sync: what was refused is not on disk.
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readdirSync, writeSync } from 'node:fs';
import path from 'node:path';
import { HookdError } from '../errors.js';

export interface Position {
  readonly segment: number;
  readonly offset: number;
}

const SEGMENT_NAME = /^(\d{12})\.log$/;

export function segmentFile(dir: string, segment: number): string {
  return path.join(dir, `${String(segment).padStart(12, '0')}.log`);
}

// The segment numbers in `dir`, oldest first.
export function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

// fsync a folder, so that files created or removed in it stay so after a power loss.
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface Batch {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

export class SegmentWriter {
  private fd: number;
  // Bytes of the segment, with the records not yet written out.
  private size = 0;
  // Bytes written out to the file.
  private written = 0;
  // Bytes of the segment known to be on disk (the last good fdatasync).
  private synced = 0;
  private buffered: string[] = [];
  private writeOutScheduled = false;
  // Why what is not on disk was given up; the next batch is refused with it.
  private failure: HookdError | undefined;
  private flushing = false;
  private waiting: Batch | undefined;
  // Files left by rotation, closed once no fdatasync runs on them.
  private retired: number[] = [];
  private closed = false;

  constructor(
    private readonly dir: string,
    private segment: number,
    // Called after the writer moved on to a new segment.
    private readonly onRotate: (sealed: number, opened: number) => void,
    private readonly onError: (error: HookdError) => void = () => {},
  ) {
    this.fd = this.create(segment);
  }

  get current(): Position {
    return { segment: this.segment, offset: this.size };
  }

  // The end of what is on disk: older segments were synced when sealed.
  get syncedEnd(): Position {
    return { segment: this.segment, offset: this.synced };
  }

  // Add one whole record line; returns where it starts. The records of one
  // turn of the event loop are written out together, with one write(2).
  append(line: string): Position {
    if (this.closed) throw new HookdError('E_STATE', 'the queue is closed');
    const start = this.size;
    this.buffered.push(line);
    this.size += Buffer.byteLength(line);
    if (!this.writeOutScheduled) {
      this.writeOutScheduled = true;
      queueMicrotask(() => {
        this.writeOutScheduled = false;
        try {
          this.writeOut();
        } catch (error) {
          this.onError(error as HookdError);
        }
      });
    }
    return { segment: this.segment, offset: start };
  }

  // Write the buffered records now (before a hook starts, so that a kill -9
  // cannot lose the record of its attempt). A failed write gives up what is
  // not on disk yet (see cutBack); the next sync() fails.
  writeOut(): void {
    if (this.buffered.length === 0) return;
    if (this.failure !== undefined) {
      // Records after a cut are refused with it: none may land behind the gap.
      this.buffered = [];
      this.size = this.written;
      throw this.failure;
    }
    const bytes = Buffer.from(this.buffered.join(''));
    this.buffered = [];
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done);
    } catch (error) {
      throw this.cutBack('write', error);
    }
    this.written += bytes.length;
  }

  // Give up every record not yet on disk: cut the file back to the last good
  // sync (no half record, and nothing refused, stays in it) and drop what is
  // buffered. Their sync() callers are refused with the error returned.
  private cutBack(action: 'write' | 'sync', error: unknown): HookdError {
    try {
      ftruncateSync(this.fd, this.synced);
    } catch {
      // the next open finds and skips a half record
    }
    this.buffered = [];
    this.size = this.written = this.synced;
    this.failure = new HookdError('E_STATE', `cannot ${action} ${segmentFile(this.dir, this.segment)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return this.failure;
  }

  // Seal the current segment (on disk) and go on in a new one.
  rotate(): void {
    const sealed = this.segment;
    this.writeOut();
    try {
      fdatasyncSync(this.fd);
    } catch (error) {
      throw this.cutBack('sync', error);
    }
    this.retired.push(this.fd);
    if (!this.flushing) this.closeRetired();
    this.segment++;
    this.size = 0;
    this.written = 0;
    this.synced = 0;
    this.fd = this.create(this.segment);
    this.onRotate(sealed, this.segment);
  }

  // Resolves once everything appended before the call is on disk.
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.waiting !== undefined) return this.waiting.promise;
    const batch = newBatch();
    this.waiting = batch;
    // Let the rest of this turn of the event loop join the batch.
    if (!this.flushing) setImmediate(() => this.flush());
    return batch.promise;
  }

  private flush(): void {
    const batch = this.waiting;
    if (batch === undefined || this.flushing) return;
    this.waiting = undefined;
    try {
      this.writeOut();
    } catch {
      // reported below
    }
    const failed = this.failure;
    if (failed !== undefined) {
      this.failure = undefined;
      batch.reject(failed);
      return;
    }
    this.flushing = true;
    const { segment, written } = this;
    fdatasync(this.fd, (error) => {
      this.flushing = false;
      this.closeRetired();
      // A rotation meanwhile synced that segment whole; the new one is not this fd.
      if (segment !== this.segment) batch.resolve();
      else if (error) {
        // Records written after this fdatasync began are cut off too: their batch is refused.
        const failed = this.cutBack('sync', error);
        this.failure = undefined;
        batch.reject(failed);
        this.waiting?.reject(failed);
        this.waiting = undefined;
        return;
      } else {
        this.synced = Math.max(this.synced, written);
        batch.resolve();
      }
      if (this.waiting !== undefined) this.flush();
    });
  }

  // Wait for the last sync, then close.
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.waiting !== undefined) await this.sync().catch(() => {});
    try {
      this.writeOut();
    } finally {
      this.closed = true;
    }
    try {
      fdatasyncSync(this.fd);
    } finally {
      closeSync(this.fd);
      this.closeRetired();
    }
  }

  private create(segment: number): number {
    const fd = openSync(segmentFile(this.dir, segment), 'wx', 0o600);
    syncDir(this.dir);
    return fd;
  }

  private closeRetired(): void {
    for (const fd of this.retired.splice(0)) closeSync(fd);
  }
}
