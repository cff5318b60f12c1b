// What every source of the daemon feeds: an event goes into the store's queue
// (resolving once it is safe, the moment a source acknowledges it) and is
// counted for the metrics; the event settings are read from the config of the
// moment, so that a reload applies at once.
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import type { HookEvent } from '../event.js';
import type { EventSink } from '../sources/source.js';
import type { OpenedStore } from '../store/open.js';
import type { DaemonMetrics } from './metrics/daemon-metrics.js';

export interface SinkView {
  readonly config: HookdConfig;
  readonly store: OpenedStore;
}

export function daemonSink(daemon: SinkView, metrics: Pick<DaemonMetrics, 'eventReceived'>, log: Logger): EventSink {
  return {
    accept: async (event: HookEvent, hooks?: readonly string[]) => {
      const queued = await daemon.store.queue.accept(event, hooks);
      metrics.eventReceived(event.source);
      return queued;
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
