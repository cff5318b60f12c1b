// A JSON-lines file followed like `tail -F`: what is there, then appends.
// chokidar (and a slow poll, in case an event is missed) wakes the reader;
// each line is read only once the one before it was accepted, and the
// position advances only then, so a restart neither loses nor repeats a line.
// Rotation: a new file at the path (rename-and-create) is taken once the old
// one has been read to its end and stayed quiet; a file that shrank or whose
// bytes before the position changed (copytruncate) is read again from 0.
//
// Somewhat over our ~250 lines: the reader, rotation and truncation checks
// act on one position and must see each other's changes at once; probing a
// file is in file-probe.ts, saving the position in file-position.ts.
import type { FileHandle } from 'node:fs/promises';
import { errorText } from '../errors.js';
import { EventError } from '../event.js';
import { PositionStore, identityOf, sameIdentity, tailAfterLine, type FileIdentity, type FilePosition, type LinePosition } from './file-position.js';
import { CHUNK_BYTES, endOfLastLine, findRotated, identityAt, openIfExists, stillHolds } from './file-probe.js';
import { eventFromLine, itemEnd, LineSplitter, type LineItem } from './lines.js';
import type { EventSink, Source } from './source.js';
import { POLL_MS, WatchedTask } from './watched-task.js';

// How long a renamed-away file must stay quiet before the new one is taken:
// a writer may append to the old file until it reopens the path.
const ROTATION_SETTLE_MS = 1000;

export interface FileSourceOptions {
  readonly path: string;
  readonly from: 'start' | 'end';
  // The state folder, or false (positions kept in memory only).
  readonly state: string | false;
}

// The file being read and how far.
interface OpenFile {
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  // Next byte to read.
  readOffset: number;
  // End of the last line handled, its line number, the bytes before it.
  committed: number;
  line: number;
  tail: Buffer;
  splitter: LineSplitter;
  // Line number (of the splitter) and end of the last item handled.
  lastItem: { number: number; end: number };
  // Read it to its end, then take the file now at the path.
  finishing: boolean;
}

export class FileSource implements Source {
  readonly name = 'file';
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private sink!: EventSink;
  private positions!: PositionStore;
  private readonly task = new WatchedTask(() => this.follow(), (message, error) => this.report(message, error));
  private current: OpenFile | undefined;
  // The first open (saved position, or `from`) is done.
  private opened = false;
  private stopped = false;
  // When the path was first seen holding another file than the one read.
  private rotationSeenAt: number | undefined;
  private lastProblem: string | undefined;
  private accepted = 0;
  private rejected = 0;

  constructor(private readonly options: FileSourceOptions) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  get path(): string {
    return this.options.path;
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    this.positions = PositionStore.forPath(this.options.state, this.path, sink.log);
    await this.task.watch(this.path, {}, true);
    // Where reading starts is settled before start() resolves (from: end
    // means the end as it is now).
    await this.openFirst().catch((error: unknown) => this.report('cannot open the file', error));
    this.task.begin();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
    if (this.current) this.positions.update(this.positionOf(this.current));
    await this.positions?.flush();
    await this.current?.handle.close().catch(() => {});
    this.endResolve();
  }

  status(): Record<string, unknown> {
    const current = this.current;
    return {
      path: this.path,
      waiting: current === undefined,
      position: current?.committed ?? null,
      line: current?.line ?? null,
      inode: current?.identity.ino ?? null,
      accepted: this.accepted,
      rejected: this.rejected,
    };
  }

  // One pass: open what is to be read, follow rotation and truncation, read
  // what is new.
  private async follow(): Promise<void> {
    if (this.stopped) return;
    if (!this.opened) await this.openFirst();
    const current = this.current ?? (await this.openNew());
    if (current === undefined) return;
    const atPath = await identityAt(this.path);
    if (atPath === undefined || sameIdentity(atPath, current.identity)) {
      if (atPath !== undefined) this.rotationSeenAt = undefined;
      if (!current.finishing) await this.checkTruncation(current);
      await this.drain(current);
      return;
    }
    // The path holds another file: finish this one first.
    const grew = await this.drain(current);
    if (this.stopped || current !== this.current) return;
    const now = Date.now();
    if (!current.finishing && (grew || this.rotationSeenAt === undefined || now - this.rotationSeenAt < ROTATION_SETTLE_MS)) {
      if (grew || this.rotationSeenAt === undefined) this.rotationSeenAt = now;
      this.task.wakeIn(ROTATION_SETTLE_MS / 4);
      return;
    }
    for (const item of current.splitter.end()) if (!(await this.handle(current, item))) return;
    this.sink.log.info({ source: this.name, path: this.path, lines: current.line }, 'rotated file read to its end; following the new file');
    this.rotationSeenAt = undefined;
    this.current = undefined;
    await current.handle.close().catch(() => {});
    this.task.wake();
  }

  // The first open: the saved position, else `from`.
  private async openFirst(): Promise<void> {
    const saved = await this.positions.load();
    const handle = await openIfExists(this.path);
    this.opened = true;
    if (saved === undefined) {
      if (handle === undefined) return this.noteWaiting();
      this.current = await this.fileAt(handle, this.options.from === 'start' ? undefined : await endOfLastLine(handle));
      return;
    }
    if (handle !== undefined) {
      const identity = identityOf(await handle.stat({ bigint: true }));
      if (sameIdentity(identity, saved.identity)) {
        if (await stillHolds(handle, saved)) return void (this.current = await this.fileAt(handle, saved));
        this.sink.log.warn({ source: this.name, path: this.path }, 'the file was truncated while hookd was stopped; reading it from the start');
        return void (this.current = await this.fileAt(handle, undefined));
      }
      await handle.close();
    }
    // Rotated while hookd was stopped: finish the old file if it is still near.
    const rotated = await findRotated(this.path, saved.identity);
    if (rotated !== undefined && (await stillHolds(rotated.handle, saved))) {
      this.sink.log.info({ source: this.name, path: this.path, rotated: rotated.file }, 'the file was rotated while hookd was stopped; finishing the rotated file first');
      this.current = await this.fileAt(rotated.handle, saved);
      this.current.finishing = true;
      return;
    }
    await rotated?.handle.close();
    this.sink.log.warn({ source: this.name, path: this.path, offset: saved.offset }, 'the file read last time is gone (rotated away?); its unread lines, if any, cannot be read');
  }

  // A file that appeared at the path (after waiting, or after rotation): all of it is new.
  private async openNew(): Promise<OpenFile | undefined> {
    const handle = await openIfExists(this.path);
    if (handle === undefined) {
      this.noteWaiting();
      return undefined;
    }
    const current = await this.fileAt(handle, undefined);
    this.current = current;
    this.positions.update(this.positionOf(current));
    this.sink.log.info({ source: this.name, path: this.path }, 'following the file');
    return current;
  }

  private noteWaiting(): void {
    if (this.lastProblem === 'waiting') return;
    this.lastProblem = 'waiting';
    this.sink.log.info({ source: this.name, path: this.path }, 'waiting for the file to appear');
  }

  // Shrunk, or rewritten before the position: read again from the start.
  private async checkTruncation(current: OpenFile): Promise<void> {
    const { size } = await current.handle.stat();
    if (size >= current.readOffset && (await stillHolds(current.handle, { offset: current.committed, line: current.line, tail: current.tail }))) return;
    this.sink.log.warn({ source: this.name, path: this.path, offset: current.committed }, 'the file was truncated (copytruncate?); reading it again from the start');
    Object.assign(current, this.freshRead(START));
    this.positions.update(this.positionOf(current));
  }

  // Read to the end of the file; true when there was something new.
  private async drain(current: OpenFile): Promise<boolean> {
    let grew = false;
    while (!this.stopped) {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await current.handle.read(buffer, 0, CHUNK_BYTES, current.readOffset);
      if (bytesRead === 0) break;
      grew = true;
      current.readOffset += bytesRead;
      for (const item of current.splitter.push(buffer.subarray(0, bytesRead))) {
        if (!(await this.handle(current, item))) return grew;
      }
    }
    this.lastProblem = undefined;
    return grew;
  }

  // Accept one line; false when reading must pause (stopped, or not accepted).
  private async handle(current: OpenFile, item: LineItem): Promise<boolean> {
    if (this.stopped) return false;
    const end = itemEnd(item, current.lastItem);
    const line = current.line + item.number - current.lastItem.number;
    const result = eventFromLine(item, this.sink.shape, this.sink.maxEventBytes, this.name);
    if (result instanceof EventError) {
      this.rejected++;
      this.sink.log.warn({ source: this.name, path: this.path, line }, `${this.path}:${line} skipped: ${result.message}`);
    } else if (result !== undefined) {
      try {
        await this.sink.accept(result);
      } catch (error) {
        // Not accepted: read it again later, from the last line handled.
        if (!this.stopped) this.report('an event was not accepted; retrying', error);
        Object.assign(current, this.freshRead({ offset: current.committed, line: current.line, tail: current.tail }));
        this.task.wakeIn(POLL_MS);
        return false;
      }
      this.accepted++;
    }
    current.tail = tailAfterLine(current.tail, item.number - current.lastItem.number - 1, item.kind === 'line' ? item.bytes : undefined);
    current.lastItem = { number: item.number, end };
    current.committed = end;
    current.line = line;
    this.positions.update(this.positionOf(current));
    return true;
  }

  private async fileAt(handle: FileHandle, at: LinePosition | undefined): Promise<OpenFile> {
    const identity = identityOf(await handle.stat({ bigint: true }));
    return { handle, identity, finishing: false, ...this.freshRead(at ?? START) };
  }

  // Reading state that starts at a line boundary.
  private freshRead(at: LinePosition): Omit<OpenFile, 'handle' | 'identity' | 'finishing'> {
    return {
      readOffset: at.offset,
      committed: at.offset,
      line: at.line,
      tail: at.tail,
      splitter: new LineSplitter(this.sink.maxEventBytes),
      lastItem: { number: 0, end: at.offset },
    };
  }

  private positionOf(current: OpenFile): FilePosition {
    return { identity: current.identity, offset: current.committed, line: current.line, tail: current.tail };
  }

  // Logged once until it changes, so that a missing permission does not flood the log.
  private report(message: string, error: unknown): void {
    const text = `${message}: ${errorText(error)}`;
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.sink.log.error({ source: this.name, path: this.path, error: errorText(error) }, message);
  }
}

const START: LinePosition = { offset: 0, line: 0, tail: Buffer.alloc(0) };
