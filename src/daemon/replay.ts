// Replaying dead letters: each goes back to its own hook only. Into a running
// daemon through its socket (control request {"$hookd":"replay","ids":[...]}
// or {"$hookd":"replay","all":true}), or, when none runs, here and now under
// the state directory's lock. A replayed letter is removed once its event is
// safely queued (daemon) or has run (here); if the hook fails again, a new
// dead letter takes its place.
import path from 'node:path';
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import type { HookEvent } from '../event.js';
import { emptyReport, selectLetters, type ReplayReport, type ReplaySelection } from '../store/dead-selection.js';
import type { DeadLetter, DeadLetterSink } from '../store/dead-letter.js';
import { DiskDeadLetters, type StoredDeadLetter } from '../store/disk-dead-letters.js';
import { acquireStateLock } from '../store/lock.js';
import { MemoryQueue } from '../store/queue.js';
import { DEAD_DIR, prepareStateDir } from '../store/state-layout.js';

// What a replay into the running daemon needs of it.
export interface ReplayTarget {
  readonly dead: DiskDeadLetters | undefined;
  readonly config: HookdConfig;
  accept(event: HookEvent, hooks: readonly string[]): Promise<unknown>;
}

// The running daemon queues each selected letter again for its hook.
export async function replayIntoQueue(target: ReplayTarget, selection: ReplaySelection): Promise<ReplayReport> {
  const dead = target.dead;
  if (dead === undefined) throw new Error('this hookd keeps no dead letters (state: false)');
  const report = emptyReport();
  for (const letter of selectLetters(dead, selection, report)) {
    if (!hasHook(target.config, letter)) {
      report.skipped.push(letter.id);
      continue;
    }
    await target.accept(letter.event, [letter.hook]);
    dead.remove(letter.id);
    report.replayed.push(letter.id);
  }
  return report;
}

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
    for (const letter of selectLetters(dead, selection, report)) {
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

function hasHook(config: HookdConfig, letter: StoredDeadLetter): boolean {
  return config.hooks.some((hook) => hook.name === letter.hook && !hook.decide);
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
