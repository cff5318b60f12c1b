// The daemon's side of the metrics: what the dispatcher, the sources' sink and
// the decision hooks report, the readings taken from the store and the
// dispatcher at each scrape, and the /metrics server at the address of
// `metrics:`, which a reload may start, move or stop. prom-client is loaded
// only once `metrics:` asks for it (it would slow every start otherwise);
// from then on the counts live as long as the process, whatever the reloads.
import type { Logger } from 'pino';
import { formatListenAddress, type ListenAddress } from '../../config/listen-address.js';
import type { HookdConfig } from '../../config/types.js';
import type { Dispatcher } from '../../dispatch/dispatcher.js';
import type { RunObserver, RunOutcome } from '../../dispatch/hook-stats.js';
import { errorText } from '../../errors.js';
import { MemoryDeadLetters } from '../../store/dead-letter.js';
import type { OpenedStore } from '../../store/open.js';
import type { HookdMetrics, ReplyOutcome } from './hookd-metrics.js';
import type { MetricsServer } from './metrics-server.js';

// What the readings come from: the running daemon's parts.
export interface MetricsView {
  readonly store: OpenedStore;
  readonly dispatcher: Dispatcher;
}

export class DaemonMetrics implements RunObserver {
  // Undefined until `metrics:` is first configured.
  private metrics: HookdMetrics | undefined;
  private server: MetricsServer | undefined;
  private address: ListenAddress | undefined;

  constructor(
    private readonly log: Logger,
    private readonly view: MetricsView,
  ) {}

  runEnded(hook: string, outcome: RunOutcome, durationMs: number): void {
    this.metrics?.runEnded(hook, outcome, durationMs);
  }

  eventReceived(source: string): void {
    this.metrics?.eventReceived(source);
  }

  decisionReplied(hook: string, outcome: ReplyOutcome): void {
    this.metrics?.decisionReplied(hook, outcome);
  }

  // Serve /metrics where the config says (nowhere without `metrics:`), and
  // show its hooks and sources from 0. At start a failure throws (hookd does
  // not start); at a reload it is logged and hookd goes on without /metrics.
  async apply(config: HookdConfig, sourceNames: readonly string[], { atStart = false } = {}): Promise<void> {
    if (JSON.stringify(config.metrics) !== JSON.stringify(this.address)) await this.stop();
    if (config.metrics === undefined) return;
    const metrics = this.metrics ?? (await this.load());
    for (const hook of config.hooks) metrics.declareHook(hook.name, hook.decide);
    for (const name of sourceNames) metrics.declareSource(name);
    if (this.server !== undefined) return;
    const { MetricsServer } = await import('./metrics-server.js');
    const server = new MetricsServer(metrics, config.metrics);
    try {
      const listening = await server.start();
      this.server = server;
      this.address = config.metrics;
      this.log.info({ listen: formatListenAddress(listening) }, 'serving metrics');
    } catch (error) {
      await server.stop();
      if (atStart) throw error;
      this.log.error({ listen: formatListenAddress(config.metrics), error: errorText(error) }, 'cannot serve metrics');
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
    this.address = undefined;
  }

  private async load(): Promise<HookdMetrics> {
    const { HookdMetrics } = await import('./hookd-metrics.js');
    const metrics = new HookdMetrics();
    const view = this.view;
    metrics.read({
      // Work not running yet: events not matched, deliveries waiting for their hook or a retry.
      queueDepth: () => view.store.queue.length + view.dispatcher.heldCount - view.dispatcher.runningCount,
      runningHooks: () => view.dispatcher.runningCount,
      deadLetters: () => deadLetterCount(view.store),
    });
    this.metrics = metrics;
    return metrics;
  }
}

// Dead letters in the state folder (counted from the file names at each
// scrape), or held in memory with `state: false`.
function deadLetterCount(store: OpenedStore): number {
  if (store.dead !== undefined) {
    let count = 0;
    for (const _ of store.dead.ids()) count++;
    return count;
  }
  return store.deadLetters instanceof MemoryDeadLetters ? store.deadLetters.letters.length : 0;
}
