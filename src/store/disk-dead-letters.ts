// Dead letters on disk: one readable JSON file per dead delivery, in a folder
// per day and hour of its death (dead/2025-06-01/13/20250601-131502-K3X9QZ.json),
// so that no folder grows without end. The id says where the file is.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AttemptRecord, DeadLetter, DeadLetterSink } from './dead-letter.js';
import type { HookEvent } from '../event.js';
import { restoreEvent, storedEvent, type StoredEvent } from './records.js';
import { syncDir } from './segments.js';

export interface StoredDeadLetter extends DeadLetter {
  readonly id: string;
  readonly file: string;
}

// What the file holds (the event as received, exact).
interface DeadLetterFile {
  readonly id: string;
  readonly hook: string;
  readonly reason: string;
  readonly deadAt: string;
  readonly event: StoredEvent;
  readonly attempts: readonly AttemptRecord[];
}

const ID = /^(\d{4})(\d{2})(\d{2})-(\d{2})\d{4}-[0-9A-Z]{6}$/;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export class DiskDeadLetters implements DeadLetterSink {
  // `dir` is <state>/dead.
  constructor(readonly dir: string) {}

  // Written to a temp file, synced, then renamed in: a crash leaves the
  // whole letter or none.
  async add(letter: DeadLetter): Promise<void> {
    this.write(letter);
  }

  write(letter: DeadLetter): StoredDeadLetter {
    const deadAt = new Date(letter.deadAt);
    const id = newDeadLetterId(Number.isNaN(deadAt.getTime()) ? new Date() : deadAt);
    const file = this.fileOf(id) as string;
    const folder = path.dirname(file);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const content: DeadLetterFile = { id, hook: letter.hook, reason: letter.reason, deadAt: letter.deadAt, event: storedEvent(letter.event), attempts: letter.attempts };
    const temp = `${file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    syncDir(folder);
    return { ...letter, id, file };
  }

  // Every dead letter, oldest first. Unreadable files are passed to `onBad`.
  *list(onBad: (file: string, problem: string) => void = () => {}): Generator<StoredDeadLetter> {
    for (const id of this.ids()) {
      const file = this.fileOf(id) as string;
      const letter = readLetter(file);
      if (typeof letter === 'string') {
        if (letter !== 'ENOENT') onBad(file, letter);
      } else yield letter;
    }
  }

  // The ids of every dead letter, oldest first (read from the file names).
  *ids(): Generator<string> {
    for (const day of sortedEntries(this.dir)) {
      for (const hour of sortedEntries(path.join(this.dir, day))) {
        for (const name of sortedEntries(path.join(this.dir, day, hour))) {
          const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
          if (ID.test(id)) yield id;
        }
      }
    }
  }

  // The dead letter with this id, or undefined.
  find(id: string): StoredDeadLetter | undefined {
    const file = this.fileOf(id);
    if (file === undefined) return undefined;
    const letter = readLetter(file);
    return typeof letter === 'string' ? undefined : letter;
  }

  // Remove one; false when there was none. Empty folders go too.
  remove(id: string): boolean {
    const file = this.fileOf(id);
    if (file === undefined) return false;
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    for (const folder of [path.dirname(file), path.dirname(path.dirname(file))]) {
      try {
        rmdirSync(folder);
      } catch {
        break; // not empty
      }
    }
    return true;
  }

  // dead/YYYY-MM-DD/HH/<id>.json, or undefined for a malformed id.
  fileOf(id: string): string | undefined {
    const match = ID.exec(id);
    if (match === null) return undefined;
    const [, year, month, day, hour] = match;
    return path.join(this.dir, `${year}-${month}-${day}`, hour as string, `${id}.json`);
  }
}

// "20250601-131502-K3X9QZ": the time of death (UTC), then the millisecond
// (two characters, so that ids sort in order of death) and a random part.
export function newDeadLetterId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const ms = at.getUTCMilliseconds();
  let tail = `${ALPHABET[ms >> 5]}${ALPHABET[ms & 31]}`;
  for (const byte of randomBytes(4)) tail += ALPHABET[byte % 32];
  return `${stamp}-${tail}`;
}

export function isDeadLetterId(text: string): boolean {
  return ID.test(text);
}

function readLetter(file: string): StoredDeadLetter | string {
  let content: DeadLetterFile;
  try {
    content = JSON.parse(readFileSync(file, 'utf8')) as DeadLetterFile;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'not valid JSON';
  }
  if (typeof content?.id !== 'string' || typeof content.hook !== 'string' || typeof content.event?.raw !== 'string' || !Array.isArray(content.attempts)) {
    return 'not a dead letter';
  }
  let event: HookEvent;
  try {
    event = restoreEvent(content.event);
  } catch (error) {
    return (error as Error).message;
  }
  return { id: content.id, file, hook: content.hook, reason: String(content.reason ?? ''), deadAt: String(content.deadAt ?? ''), event, attempts: content.attempts };
}

function sortedEntries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}
