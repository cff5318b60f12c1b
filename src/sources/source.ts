// What every source implements, and what it is given: a sink that accepts
// events (resolving once they are safe, which is when the source may
// acknowledge them) and the current event settings.
import type { Logger } from 'pino';
import type { HookSpec } from '../config/types.js';
import type { EventShape, HookEvent } from '../event.js';
import type { QueuedEvent } from '../store/queue.js';

export interface EventSink {
  // Resolves once the event is stored; waiting here is backpressure.
  accept(event: HookEvent, hooks?: readonly string[]): Promise<QueuedEvent>;
  // For a source that is its own queue (JetStream): runs the event's
  // deliveries without the local queue; resolves once every one has ended
  // (done, or a dead letter), rejects when hookd stops first.
  runNow(event: HookEvent): Promise<void>;
  // Most hook runs at once (`concurrency`): how many events such a source holds.
  readonly concurrency: number;
  // Read at each event, so that a reload applies at once.
  readonly shape: EventShape;
  readonly maxEventBytes: number;
  readonly log: Logger;
}

export interface Source {
  // Shown in logs and `hookd status`; also HOOKD_SOURCE.
  readonly name: string;
  // A finite source ends on its own (stdin at EOF); hookd exits when every
  // source has ended and the queue is done.
  readonly finite: boolean;
  // Mistakes of the config that only the outside world shows (bitcoind
  // refusing the credentials); throws HookdError. A reload keeps out a source
  // whose check fails, and the running one stays.
  check?(): Promise<void>;
  // Open the source; resolves once it is ready (the socket listens).
  start(sink: EventSink): Promise<void>;
  // Resolves when the source has ended by itself or been stopped.
  readonly ended: Promise<void>;
  // Stop reading; resolves once no further event will be accepted.
  stop(): Promise<void>;
  // Details for `hookd status` (file position, clients, ...).
  status(): Record<string, unknown>;
  // The config's hooks after a reload, for a source that reads only what
  // hooks can match (cln).
  hooksChanged?(hooks: readonly HookSpec[]): void;
  // Asks the other side for counts that status() shows (JetStream's pending).
  refresh?(): Promise<void>;
}
