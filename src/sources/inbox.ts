// A drop folder: every *.json file in it is one event (written elsewhere,
// then renamed in, maildir-style). Files are taken one at a time, oldest
// first; a file is removed once its event is accepted. A file that is not an
// event is moved to rejected/ with a .error note beside it, never deleted.
import { isUtf8 } from 'node:buffer';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorText, HookdError } from '../errors.js';
import { EventError, parseEvent, type HookEvent } from '../event.js';
import { JsonSyntaxError, parseJson, stringifyJson } from '../json.js';
import type { EventSink, Source } from './source.js';
import { POLL_MS, WatchedTask } from './watched-task.js';

export const REJECTED_DIR = 'rejected';
// A file changed this recently that does not parse may still be being
// written in place: it is tried again before it is rejected.
const SETTLE_MS = 1000;

interface Candidate {
  readonly name: string;
  readonly mtimeMs: number;
}

export class InboxSource implements Source {
  readonly name = 'inbox';
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private sink!: EventSink;
  private readonly task = new WatchedTask(() => this.scan(), (message, error) => this.sink.log.error({ source: this.name, dir: this.dir, error: errorText(error) }, `inbox: ${message}`));
  private stopped = false;
  private waiting = 0;
  private accepted = 0;
  // The last refusal logged: a full disk refuses every file, but is one line.
  private lastRefusal: string | undefined;
  private rejected = 0;

  constructor(readonly dir: string) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    const { mode } = await stat(this.dir);
    if (mode & 0o002) {
      throw new HookdError('E_CONFIG', `${this.dir}: refusing a world-writable inbox (anyone could inject events); run chmod o-w on it`);
    }
    const rejectedDir = path.join(this.dir, REJECTED_DIR);
    // Only the folder's own entries; rejected/ is hookd's.
    await this.task.watch(this.dir, {
      depth: 0,
      ignored: (file) => file === rejectedDir || file.startsWith(`${rejectedDir}${path.sep}`),
    });
    sink.log.info({ source: this.name, dir: this.dir }, 'watching the inbox');
    this.task.begin();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
    this.endResolve();
  }

  status(): Record<string, unknown> {
    return { dir: this.dir, waiting: this.waiting, accepted: this.accepted, rejected: this.rejected };
  }

  // Take every event file there is, oldest first.
  private async scan(): Promise<void> {
    const files = await this.candidates();
    this.waiting = files.length;
    for (const file of files) {
      if (this.stopped) return;
      // Refused (a full disk): the files after it wait too, or they would run first.
      if (!(await this.take(file))) return;
      this.waiting--;
    }
  }

  private async candidates(): Promise<Candidate[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    const files: Candidate[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.json') || entry.name.startsWith('.')) continue;
      try {
        files.push({ name: entry.name, mtimeMs: (await stat(path.join(this.dir, entry.name))).mtimeMs });
      } catch {
        // taken away meanwhile
      }
    }
    return files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // False when the event was not accepted (the pass stops there).
  private async take(file: Candidate): Promise<boolean> {
    const full = path.join(this.dir, file.name);
    let event: HookEvent;
    try {
      event = await this.read(full);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      if (Date.now() - file.mtimeMs < SETTLE_MS) {
        this.task.wakeIn(SETTLE_MS);
        return true;
      }
      await this.reject(file.name, errorText(error));
      return true;
    }
    try {
      await this.sink.accept(event);
    } catch (error) {
      // Not accepted: the file stays, and is offered again.
      const reason = errorText(error);
      if (!this.stopped && reason !== this.lastRefusal) this.sink.log.error({ source: this.name, file: full, error: reason }, 'event not accepted; retrying');
      this.lastRefusal = reason;
      this.task.wakeIn(POLL_MS);
      return false;
    }
    this.lastRefusal = undefined;
    this.accepted++;
    await unlink(full).catch(() => {});
    return true;
  }

  // The file's event; throws with the reason it is not one.
  private async read(file: string): Promise<HookEvent> {
    const { size } = await stat(file);
    if (size > this.sink.maxEventBytes) throw new EventError(`file of ${size} bytes is over max_event_bytes (${this.sink.maxEventBytes})`);
    const bytes = await readFile(file);
    if (!isUtf8(bytes)) throw new EventError('invalid UTF-8');
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '').trim();
    if (text === '') throw new EventError('empty file');
    // The hook's stdin is one line: a pretty-printed file is written compactly (numbers as written).
    const raw = text.includes('\n') ? compact(text) : text;
    return parseEvent(raw, this.sink.shape, this.name);
  }

  private async reject(name: string, reason: string): Promise<void> {
    const rejectedDir = path.join(this.dir, REJECTED_DIR);
    const target = path.join(rejectedDir, await freeName(rejectedDir, name));
    try {
      await mkdir(rejectedDir, { recursive: true, mode: 0o750 });
      await rename(path.join(this.dir, name), target);
      // Written aside, then renamed: whoever sees the note sees all of it.
      await writeFile(`${target}.error.tmp`, `${new Date().toISOString()} ${reason}\n`);
      await rename(`${target}.error.tmp`, `${target}.error`);
    } catch (error) {
      this.sink.log.error({ source: this.name, file: path.join(this.dir, name), error: errorText(error) }, 'cannot move a bad file to rejected/');
      this.task.wakeIn(POLL_MS * 10);
      return;
    }
    this.rejected++;
    this.sink.log.warn({ source: this.name, file: name, rejected: target }, `${name} rejected: ${reason}`);
  }
}

// `name`, or `name` with a time stamp when rejected/ already holds one.
async function freeName(dir: string, name: string): Promise<string> {
  try {
    await stat(path.join(dir, name));
  } catch {
    return name;
  }
  return `${name.slice(0, -'.json'.length)}-${Date.now()}.json`;
}

function compact(text: string): string {
  try {
    return stringifyJson(parseJson(text));
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new EventError(`invalid JSON: ${error.message}`);
    throw error;
  }
}
