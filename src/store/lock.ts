// The state directory's lock: one hookd per directory. The file `lock` holds
// the holder's pid (and, on Linux, its boot and start time, so that a pid
// reused after a reboot or by another program is not taken for the holder).
// It is created atomically (link(2) of a finished temp file); a lock whose
// holder is dead (kill -9, power loss) is taken over.
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { HookdError } from '../errors.js';

export const LOCK_FILE = 'lock';

// Another live hookd holds the directory.
export class StateLockedError extends HookdError {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super('E_STATE_LOCKED', `the state directory ${dir} is in use by another hookd (pid ${pid}); stop it first, or give this one its own state: directory`);
  }
}

export interface StateLock {
  readonly file: string;
  // Remove the lock (only if it is still ours).
  release(): void;
}

// Take the lock of `dir` or throw E_STATE_LOCKED naming the holder's pid.
// `onStale` hears of a dead holder's lock being taken over.
export function acquireStateLock(dir: string, onStale: (pid: number) => void = () => {}): StateLock {
  const file = path.join(dir, LOCK_FILE);
  const content = lockContent(process.pid);
  const temp = path.join(dir, `.lock.${process.pid}.tmp`);
  writeDurably(temp, content);
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(temp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 20) throw error;
      }
      const held = readLock(file);
      if (held === undefined) continue; // released in between: try again
      if (holderAlive(held)) {
        throw new StateLockedError(dir, held.pid);
      }
      if (takeOverStale(file, held.text)) onStale(held.pid);
    }
  } finally {
    tryUnlink(temp);
  }
  const release = (): void => {
    if (readLock(file)?.text === content) tryUnlink(file);
    process.removeListener('exit', release);
  };
  // A normal exit that skipped the store's close still leaves no lock behind.
  process.on('exit', release);
  return { file, release };
}

interface HeldLock {
  readonly pid: number;
  // "<boot id> <start time>" of the holder, when it was written on Linux.
  readonly start: string | undefined;
  readonly text: string;
}

function lockContent(pid: number): string {
  const start = processStart(pid);
  return `${pid}\n${start === undefined ? '' : `${start}\n`}`;
}

function readLock(file: string): HeldLock | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, startLine] = text.split('\n');
  const pid = Number(pidLine);
  // Unreadable content: a torn write by a dead holder (nobody alive writes it so).
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, start: startLine || undefined, text };
}

function holderAlive(held: HeldLock): boolean {
  if (held.pid === 0) return false;
  try {
    process.kill(held.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Alive; but is it the same process that wrote the lock?
  if (held.start === undefined) return true;
  const start = processStart(held.pid);
  return start === undefined || start === held.start;
}

// Rename the stale lock away, then check that what was renamed is the stale
// lock we read and not a fresh one another starting hookd just made; put a
// fresh one back.
function takeOverStale(file: string, staleText: string): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // someone else moved it: look again
  }
  let text = '';
  try {
    text = readFileSync(aside, 'utf8');
  } catch {
    // gone: nothing to check
  }
  if (text !== staleText) {
    try {
      linkSync(aside, file);
    } catch {
      // a third one holds it now; the next look will say so
    }
    tryUnlink(aside);
    return false;
  }
  tryUnlink(aside);
  return true;
}

// "<boot id> <start time in clock ticks>" from /proc, or undefined off Linux.
function processStart(pid: number): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[19];
    return startTime === undefined ? undefined : `${bootId} ${startTime}`;
  } catch {
    return undefined;
  }
}

function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
