// Replaying dead letters: each goes back to its own hook only. Into a running
// daemon through its socket (control request {"$hookd":"replay","ids":[...]}
// or {"$hookd":"replay","all":true}), or, when none runs, here and now under
// the state directory's lock. A replayed letter is removed once its event is
// safely queued (daemon) or has run (here); if the hook fails again, a new
// dead letter takes its place.
import path from 'node:path';
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import type { ControlHandler } from '../control.js';
import type { Daemon } from '../daemon.js';
import type { DeadLetter, DeadLetterSink } from '../deadletters.js';
import { Dispatcher } from '../dispatcher.js';
import { HookdError } from '../errors.js';
import type { HookEvent } from '../event.js';
import type { JsonObject } from '../json.js';
import { MemoryQueue } from '../queue.js';
import { DiskDeadLetters, type StoredDeadLetter } from './dead-letters.js';
import { acquireStateLock } from './lock.js';
import { DEAD_DIR, prepareStateDir } from './state-dir.js';

// Which dead letters: given ids, or all of them.
export type ReplaySelection = { readonly ids: readonly string[] } | { readonly all: true };

export interface ReplayReport {
  // Back in the queue (daemon) or run with success (here).
  readonly replayed: string[];
  // Run here and failed again: old id -> the new dead letter's id.
  readonly failedAgain: Record<string, string>;
  // Kept: the hook is no longer in the config.
  readonly skipped: string[];
  // No dead letter with that id.
  readonly missing: string[];
}

// The control request "replay", answered by the running daemon.
export const replayHandler: ControlHandler = async (daemon: Daemon, request: JsonObject) => {
  const dead = daemon.store.dead;
  if (dead === undefined) throw new Error('this hookd keeps no dead letters (state: false)');
  const report = emptyReport();
  for (const letter of select(dead, readSelection(request), report)) {
    if (!hasHook(daemon.config, letter)) {
      report.skipped.push(letter.id);
      continue;
    }
    await daemon.sink.accept(letter.event, [letter.hook]);
    dead.remove(letter.id);
    report.replayed.push(letter.id);
  }
  return { ...report };
};

// No daemon runs: take the state directory's lock and run the hooks here,
// with their retries, logging to `log`.
export async function replayHere(config: HookdConfig, stateDir: string, selection: ReplaySelection, log: Logger): Promise<ReplayReport> {
  prepareStateDir(stateDir);
  const lock = acquireStateLock(stateDir);
  try {
    const dead = new DiskDeadLetters(path.join(stateDir, DEAD_DIR));
    const report = emptyReport();
    const queue = new MemoryQueue(Number.POSITIVE_INFINITY);
    const burials = new BurialRecorder(dead);
    const replaying: StoredDeadLetter[] = [];
    for (const letter of select(dead, selection, report)) {
      if (!hasHook(config, letter)) report.skipped.push(letter.id);
      else {
        replaying.push(letter);
        await queue.accept(letter.event, [letter.hook]);
      }
    }
    queue.close();
    const dispatcher = new Dispatcher({ config, queue, log, deadLetters: burials });
    await dispatcher.start();
    await dispatcher.whenIdle();
    for (const letter of replaying) {
      const again = burials.newId(letter.event, letter.hook);
      if (again === undefined) report.replayed.push(letter.id);
      else report.failedAgain[letter.id] = again;
      dead.remove(letter.id);
    }
    return report;
  } finally {
    lock.release();
  }
}

// The control request's fields as a selection; throws on a malformed one.
export function readSelection(request: JsonObject): ReplaySelection {
  if (request.all === true) return { all: true };
  const ids = request.ids;
  if (Array.isArray(ids) && ids.length > 0 && ids.every((id) => typeof id === 'string')) return { ids: ids as string[] };
  throw new HookdError('E_USAGE', 'replay needs "ids": [ID, ...] or "all": true');
}

function* select(dead: DiskDeadLetters, selection: ReplaySelection, report: ReplayReport): Generator<StoredDeadLetter> {
  // All ids are listed first: replaying removes files from the folders being listed.
  const ids = 'all' in selection ? [...dead.ids()] : selection.ids;
  for (const id of ids) {
    const letter = dead.find(id);
    if (letter === undefined) report.missing.push(id);
    else yield letter;
  }
}

function hasHook(config: HookdConfig, letter: StoredDeadLetter): boolean {
  return config.hooks.some((hook) => hook.name === letter.hook && !hook.decide);
}

function emptyReport(): ReplayReport {
  return { replayed: [], failedAgain: {}, skipped: [], missing: [] };
}

// Stores the dead letters of a replay and remembers which replayed letter
// each one replaces.
class BurialRecorder implements DeadLetterSink {
  private readonly ids = new Map<HookEvent, Map<string, string>>();

  constructor(private readonly dead: DiskDeadLetters) {}

  async add(letter: DeadLetter): Promise<void> {
    const stored = this.dead.write(letter);
    const byHook = this.ids.get(letter.event) ?? new Map<string, string>();
    byHook.set(letter.hook, stored.id);
    this.ids.set(letter.event, byHook);
  }

  newId(event: HookEvent, hook: string): string | undefined {
    return this.ids.get(event)?.get(hook);
  }
}
