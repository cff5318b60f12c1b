// What every source of the daemon feeds: the queue, or (for a source that is
// its own queue) the dispatcher directly; the event settings are read from
// the current config at each event, so that a reload applies at once.
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { EventSink } from '../sources/source.js';
import type { OpenedStore } from '../store/open.js';

export interface SinkTarget {
  readonly config: HookdConfig;
  readonly store: OpenedStore;
  readonly dispatcher: Dispatcher;
}

export function daemonSink(daemon: SinkTarget, log: Logger): EventSink {
  return {
    accept: (event, hooks) => daemon.store.queue.accept(event, hooks),
    runNow: (event) => daemon.dispatcher.runNow(event),
    get concurrency() {
      return daemon.config.concurrency;
    },
    get shape() {
      return { typePath: daemon.config.typePath, idPath: daemon.config.idPath };
    },
    get maxEventBytes() {
      return daemon.config.maxEventBytes;
    },
    log,
  };
}
