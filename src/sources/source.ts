// What every source implements, and what it is given: a sink that accepts
// events (resolving once they are safe, which is when the source may
// acknowledge them) and the current event settings.
import type { Logger } from 'pino';
import type { HookSpec } from '../config/types.js';
import type { EventShape, HookEvent } from '../event.js';

export interface EventSink {
  // Resolves once the event is stored; waiting here is backpressure.
  // An event that no hook's `on` matches (and that names no hooks) is not
  // stored: it is counted as received and resolves at once.
  accept(event: HookEvent, hooks?: readonly string[]): Promise<unknown>;
  // Whether an event of this type is worth making and storing: false when no
  // hook's `on` matches it under the config of the moment, in which case it
  // has been counted as received and the source drops it (nothing would run).
  // Lets a source skip the exact parse and the id of such an event.
  admit(type: string, source: string): boolean;
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
