// Opens the queue and the dead letters for a config: in memory for
// `state: false`.
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import { MemoryDeadLetters, type DeadLetterSink } from '../deadletters.js';
import { MemoryQueue, type EventQueue } from '../queue.js';

export interface OpenedStore {
  readonly queue: EventQueue;
  readonly deadLetters: DeadLetterSink;
  // Release the state directory (lock, open files).
  close(): Promise<void>;
}

export async function openStore(_config: HookdConfig, log: Logger): Promise<OpenedStore> {
  log.info('no state directory (state: false): events are kept in memory only and lost if hookd stops');
  const queue = new MemoryQueue();
  return { queue, deadLetters: new MemoryDeadLetters(), close: () => queue.shutdown() };
}
