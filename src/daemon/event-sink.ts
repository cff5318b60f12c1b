// What every source of the daemon feeds: the store's queue (resolving once the
// event is safe, the moment a source acknowledges it), or, for a source that
// is its own queue (JetStream), the dispatcher directly. Each event is counted
// for the metrics; the event settings are read from the config of the moment,
// so that a reload applies at once.
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { HookEvent } from '../event.js';
import type { EventSink } from '../sources/source.js';
import type { OpenedStore } from '../store/open.js';
import type { DaemonMetrics } from './metrics/daemon-metrics.js';

export interface SinkTarget {
  readonly config: HookdConfig;
  readonly store: OpenedStore;
  readonly dispatcher: Dispatcher;
}

export function daemonSink(daemon: SinkTarget, metrics: Pick<DaemonMetrics, 'eventReceived'>, log: Logger): EventSink {
  return {
    accept: async (event: HookEvent, hooks?: readonly string[]) => {
      const queued = await daemon.store.queue.accept(event, hooks);
      metrics.eventReceived(event.source);
      return queued;
    },
    runNow: (event: HookEvent) => {
      metrics.eventReceived(event.source);
      return daemon.dispatcher.runNow(event);
    },
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
