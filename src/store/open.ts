// Opens the queue and the dead letters for a config: on disk under the state
// directory, locked against a second hookd; in memory for `state: false`.
import path from 'node:path';
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import { MemoryDeadLetters, type DeadLetterSink } from './dead-letter.js';
import { HookdError } from '../errors.js';
import { MemoryQueue, type EventQueue } from './queue.js';
import { DiskDeadLetters } from './disk-dead-letters.js';
import { DurableQueue } from './durable-queue.js';
import { acquireStateLock } from './lock.js';
import { RUNNING_DIR, RunningGroups } from './running-groups.js';
import { DEAD_DIR, prepareStateDir, QUEUE_DIR, stateError } from './state-layout.js';

export interface OpenedStore {
  readonly queue: EventQueue;
  readonly deadLetters: DeadLetterSink;
  // The state directory and its dead letters; undefined for `state: false`.
  readonly dir: string | undefined;
  readonly dead: DiskDeadLetters | undefined;
  // The process groups of running hooks, on record; undefined for `state: false`.
  readonly running: RunningGroups | undefined;
  // Release the state directory (lock, open files).
  close(): Promise<void>;
}

export async function openStore(config: HookdConfig, log: Logger): Promise<OpenedStore> {
  if (config.state === false) {
    log.info('no state directory (state: false): events are kept in memory only and lost if hookd stops');
    const queue = new MemoryQueue();
    return { queue, deadLetters: new MemoryDeadLetters(), dir: undefined, dead: undefined, running: undefined, close: () => queue.shutdown() };
  }
  const dir = config.state;
  prepareStateDir(dir);
  const lock = acquireStateLock(dir, (pid) => log.warn({ state: dir, pid }, `took over the lock of hookd pid ${pid}, which is gone`));
  let queue: DurableQueue;
  let running: RunningGroups;
  try {
    queue = new DurableQueue({ dir: path.join(dir, QUEUE_DIR), log });
    running = new RunningGroups(path.join(dir, RUNNING_DIR));
  } catch (error) {
    lock.release();
    throw error instanceof HookdError ? error : stateError(dir, error);
  }
  const dead = new DiskDeadLetters(path.join(dir, DEAD_DIR));
  log.info({ state: dir }, 'state directory open: accepted events are on disk until every hook is done with them');
  return {
    queue,
    deadLetters: dead,
    dir,
    dead,
    running,
    close: async () => {
      try {
        await queue.shutdown();
      } finally {
        lock.release();
      }
    },
  };
}
