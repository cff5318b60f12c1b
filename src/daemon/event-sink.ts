// What every source of the daemon feeds: the store's queue (resolving once the
// event is safe, the moment a source acknowledges it), or, for a source that
// is its own queue (JetStream), the dispatcher directly. Each event is counted
// for the metrics; the event settings are read from the config of the moment,
// so that a reload applies at once.
//
// An event that no hook's `on` matches when it arrives is counted and not
// stored: it would only pass through the queue to be matched to nothing.
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { HookEvent } from '../event.js';
import { typeReach } from '../match.js';
import type { EventSink } from '../sources/source.js';
import type { OpenedStore } from '../store/open.js';
import type { DaemonMetrics } from './metrics/daemon-metrics.js';

export interface SinkTarget {
  readonly config: HookdConfig;
  readonly store: OpenedStore;
  readonly dispatcher: Dispatcher;
}

export interface DaemonSink extends EventSink {
  // Events that matched no hook on arrival, since start.
  readonly unmatched: number;
}

export function daemonSink(daemon: SinkTarget, metrics: Pick<DaemonMetrics, 'eventReceived'>, log: Logger): DaemonSink {
  let unmatched = 0;
  let screened: HookdConfig | undefined;
  let reaches: (type: string) => boolean = () => true;
  const admit = (type: string, source: string): boolean => {
    if (daemon.config !== screened) {
      screened = daemon.config;
      // Decision hooks answer lightningd directly; the queue never runs them.
      reaches = typeReach(screened.hooks.filter((hook) => !hook.decide));
    }
    if (reaches(type)) return true;
    unmatched++;
    metrics.eventReceived(source);
    log.debug({ source, type }, 'no hook matches this event');
    return false;
  };
  return {
    accept: (event: HookEvent, hooks?: readonly string[]) => {
      if (hooks === undefined && !admit(event.type, event.source)) return Promise.resolve();
      return daemon.store.queue.accept(event, hooks).then(() => metrics.eventReceived(event.source));
    },
    admit,
    runNow: (event: HookEvent) => {
      metrics.eventReceived(event.source);
      return daemon.dispatcher.runNow(event);
    },
    get unmatched() {
      return unmatched;
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
