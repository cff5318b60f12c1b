// The daemon: config → store (queue + dead letters) → dispatcher, sources
// feeding the queue, config reload, signals. It ends by itself when every
// source is finite and has ended, and the queue is done.
//
// Longer than our ~250 lines on purpose: this is where every part is wired
// and where start, reload and stop happen in order; each concern it starts
// lives in a module of its own (sink, status, reload, replay, left runs,
// spawner choice, NATS, metrics), and what remains is their order.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { EXIT } from '../exit-codes.js';
import type { HookdConfig, SourceSpec } from '../config/types.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import { errorText } from '../errors.js';
import type { ServiceNotifier } from './systemd-notify.js';
import { checkSourceChanges, ConfigReloader, planSourceChanges } from './reload.js';
import { replayIntoQueue } from './replay.js';
import { refreshedStatus } from './daemon-status.js';
import { DaemonNats } from './daemon-nats.js';
import { startLauncher, type StartedLauncher } from './spawner-choice.js';
import { forgetEnvCache } from '../run/env.js';
import type { HookStats } from '../dispatch/hook-stats.js';
import { endLeftRuns } from './left-runs.js';
import { controlChannel, type ControlChannel } from '../sources/control-line.js';
import { createSource, sourceKey } from '../sources/create.js';
import { readSelection } from '../store/dead-selection.js';
import type { Source } from '../sources/source.js';
import { openStore, type OpenedStore } from '../store/open.js';
import { daemonSink, type DaemonSink } from './event-sink.js';
import { DaemonMetrics } from './metrics/daemon-metrics.js';

export interface DaemonOptions {
  readonly config: HookdConfig;
  readonly log: Logger;
  readonly stdin?: Readable | undefined;
  // Listen to SIGTERM / SIGINT / SIGHUP (off in tests that embed a daemon).
  readonly handleSignals?: boolean;
  // Reload when the config file changes (default on).
  readonly watchConfig?: boolean;
  // A source that owns stdin (Core Lightning's plugin protocol): it replaces
  // the config's stdin source, and is started with the others.
  readonly protocolSource?: Source | undefined;
  // Variables for every hook (Core Lightning's LIGHTNING_RPC, ...).
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
  // In plugin mode, the node's own RPC socket (a `cln` source without `rpc`).
  readonly clnRpc?: string | undefined;
  // Tells systemd when hookd is ready, reloading, and when it stops (notify.ts).
  readonly notifier?: ServiceNotifier | undefined;
  // Counters of hooks run outside the dispatcher (plugin mode's decision hooks), for status.
  readonly outsideStats?: (() => ReadonlyMap<string, Readonly<HookStats>>) | undefined;
}

const TERMINATING_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
// How long sources may take to stop (socket clients getting their last answers).
const SOURCES_STOP_MS = 10_000;

export class Daemon {
  config: HookdConfig;
  readonly log: Logger;
  readonly startedAt = new Date();
  readonly sources = new Map<string, Source>();
  readonly outsideStats = (): ReadonlyMap<string, Readonly<HookStats>> => this.options.outsideStats?.() ?? new Map();
  // The spec each config source was started from, which a reload compares.
  private readonly sourceSpecs = new Map<string, SourceSpec>();
  store!: OpenedStore;
  dispatcher!: Dispatcher;
  private launcher: StartedLauncher | undefined;
  // The NATS connection of the config's nats: section, if any.
  readonly nats = new DaemonNats();
  private reloader!: ConfigReloader;
  // The state folder opened at start; only a restart moves it.
  private state: string | false = false;
  private readonly stdin: Readable | undefined;
  // What every source feeds; it reads the current config at each event.
  readonly sink: DaemonSink;
  // Prometheus metrics, served at `metrics:` (daemon-metrics.ts).
  readonly metrics: DaemonMetrics;
  private running = false;
  // Stopping (or a failed start): no source may start any more.
  private closing = false;
  private stopping: Promise<number> | undefined;
  private exitResolve!: (code: number) => void;
  private readonly signalHandlers = new Map<NodeJS.Signals, (signal: NodeJS.Signals) => void>();
  // Resolves with the exit code once the daemon has stopped.
  readonly exited: Promise<number>;

  constructor(private readonly options: DaemonOptions) {
    this.config = options.config;
    this.log = options.log;
    this.stdin = options.stdin;
    this.exited = new Promise((resolve) => (this.exitResolve = resolve));
    this.metrics = new DaemonMetrics(options.log, this);
    this.sink = daemonSink(this, this.metrics, options.log);
  }

  // Open everything; throws (HookdError) when a source cannot start, after
  // closing what was opened.
  async start(): Promise<void> {
    this.state = this.config.state;
    await this.nats.open(this.config, this.log);
    this.store = await openStore(this.config, this.log).catch(async (error: unknown) => {
      await this.nats.close();
      throw error;
    });
    if (this.store.running !== undefined) await endLeftRuns(this.store.running, this.log);
    try {
      this.launcher = await startLauncher(this.config.spawner, this.log);
    } catch (error) {
      await this.store.close();
      await this.nats.close();
      throw error;
    }
    this.dispatcher = new Dispatcher({
      config: this.config,
      queue: this.store.queue,
      log: this.log,
      deadLetters: this.nats.deadLetters(this.store.deadLetters, () => this.config, this.log),
      extraEnv: this.options.extraEnv,
      runObserver: this.metrics,
      runs: this.store.running,
      nats: () => this.nats.link,
    });
    await this.dispatcher.start();
    this.reloader = new ConfigReloader(this);
    try {
      const protocol = this.options.protocolSource;
      if (protocol !== undefined) await this.startSource('protocol', protocol);
      for (const spec of this.configSources(this.config)) await this.startSource(sourceKey(spec), await this.createSource(spec), spec);
      await this.metrics.apply(this.config, this.sourceNames(), { atStart: true });
      if (this.options.watchConfig !== false) await this.reloader.watch();
    } catch (error) {
      await this.close();
      throw error;
    }
    if (this.options.handleSignals !== false) this.listenToSignals();
    this.running = true;
    this.log.info({ config: this.config.file, hooks: this.config.hooks.length, sources: [...this.sources.keys()] }, 'hookd started');
    if (this.options.protocolSource === undefined) this.warnAboutDecisionHooks();
    // Only now: every source is open (the socket listens), so units ordered
    // after hookd (bitcoind calling `hookd emit`) find it working.
    this.notifyReady();
    void this.finishWhenSourcesEnd();
  }

  // Decision hooks answer lightningd; outside plugin mode nothing asks them.
  private warnAboutDecisionHooks(): void {
    const names = this.config.hooks.filter((hook) => hook.decide).map((hook) => hook.name);
    if (names.length > 0) this.log.warn({ hooks: names }, 'decision hooks (decide: true) run only when hookd is a Core Lightning plugin; here they never run');
  }

  // A reload begins (RELOADING=1) or has ended, applied or not (READY=1).
  reloadPhase(phase: 'begin' | 'end'): void {
    if (phase === 'begin') this.options.notifier?.reloading();
    else this.notifyReady();
  }

  private sourceNames(): string[] {
    return [...this.sources.values()].map((source) => source.name);
  }

  private notifyReady(): void {
    const names = this.sourceNames();
    this.options.notifier?.ready(`running: ${this.config.hooks.length} hooks; sources: ${names.join(', ')}`);
  }

  // Reload: the new config applies to events not yet dispatched; sources it
  // adds are started, those it removes or changes are stopped (and restarted).
  async applyConfig(next: HookdConfig): Promise<void> {
    if (this.closing) return;
    const planned = planSourceChanges(this.sourceSpecs, this.configSources(next));
    // A missing stream or refused credentials keep the whole config out.
    await this.nats.checkReload(next, planned.start, this.log);
    if (next.state !== this.state) this.log.warn({ state: this.state, configured: next.state }, 'state: takes effect at the next restart; the running state folder stays');
    if (next.spawner !== this.config.spawner) this.log.warn({ spawner: this.launcher?.name, configured: next.spawner }, 'spawner: takes effect at the next restart');
    this.config = next;
    forgetEnvCache(); // hooks' environments are read afresh
    this.dispatcher.setConfig(next);
    const plan = await checkSourceChanges(planned, (spec) => this.createSource(spec), this.log);
    for (const key of plan.stop) {
      const source = this.sources.get(key);
      this.sources.delete(key);
      this.sourceSpecs.delete(key);
      await source?.stop();
      this.log.info({ source: key }, 'source stopped by reload');
    }
    for (const [spec, source] of plan.start) {
      try {
        await this.startSource(sourceKey(spec), source, spec);
        this.log.info({ source: sourceKey(spec) }, 'source started by reload');
      } catch (error) {
        this.log.error({ source: sourceKey(spec), error: errorText(error) }, 'cannot start the source added by reload');
      }
    }
    await this.metrics.apply(next, this.sourceNames());
    for (const source of this.sources.values()) source.hooksChanged?.(next.hooks);
  }

  // The config's sources; the protocol source (Core Lightning) owns stdin.
  private configSources(config: HookdConfig): SourceSpec[] {
    const protocol = this.options.protocolSource !== undefined;
    return config.sources.filter((spec) => !(protocol && spec.kind === 'stdin'));
  }

  private createSource(spec: SourceSpec): Promise<Source> {
    return createSource(spec, { stdin: this.stdin, state: this.state, control: this.control, hooks: this.config.hooks, clnRpc: this.options.clnRpc, natsSource: this.nats.sourceFactory(() => this.config.concurrency) });
  }

  // The requests a socket answers for local clients (hookd status, hookd dead replay).
  readonly control: ControlChannel = controlChannel({
    status: async () => ({ ...(await refreshedStatus(this)) }),
    replay: async (request) => ({
      // Straight into the queue: a replay is not an event received.
      ...(await replayIntoQueue({ dead: this.store.dead, config: this.config, accept: (event, hooks) => this.store.queue.accept(event, hooks) }, readSelection(request))),
    }),
  });

  private async startSource(key: string, source: Source, spec?: SourceSpec): Promise<void> {
    try {
      await source.start(this.sink);
    } catch (error) {
      await source.stop().catch(() => {});
      throw error;
    }
    if (this.closing) {
      // Started by a reload while hookd began to stop.
      await source.stop();
      return;
    }
    this.sources.set(key, source);
    if (spec !== undefined) this.sourceSpecs.set(key, spec);
    void source.ended.then(() => this.finishWhenSourcesEnd());
  }

  // With only finite sources, finish the queue and exit once they end.
  private async finishWhenSourcesEnd(): Promise<void> {
    const onlyFinite = (): boolean => this.sources.size > 0 && [...this.sources.values()].every((source) => source.finite);
    if (!this.running || this.stopping || !onlyFinite()) return;
    await Promise.all([...this.sources.values()].map((source) => source.ended));
    // A reload may have added a source meanwhile.
    if (this.stopping || !onlyFinite()) return;
    this.store.queue.close();
    await this.dispatcher.whenIdle();
    void this.stop('all sources ended');
  }

  private listenToSignals(): void {
    let interrupts = 0;
    const onTerm = (signal: NodeJS.Signals): void => {
      if (signal === 'SIGINT' && ++interrupts > 1) {
        this.log.warn('second SIGINT: exiting at once');
        this.dispatcher.killRunningGroups();
        process.exit(EXIT.INTERRUPTED);
      }
      void this.stop(signal);
    };
    for (const signal of TERMINATING_SIGNALS) this.signalHandlers.set(signal, onTerm);
    this.signalHandlers.set('SIGHUP', () => this.reloader.reload('SIGHUP'));
    for (const [signal, handler] of this.signalHandlers) process.on(signal, handler);
  }

  // Stop reading, let running hooks finish (up to shutdown_timeout), flush.
  stop(reason: string): Promise<number> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<number> {
    this.log.info({ reason }, 'hookd stopping');
    this.options.notifier?.stopping();
    await this.close();
    this.log.info('hookd stopped');
    await this.options.notifier?.flush();
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.exitResolve(EXIT.OK);
    return EXIT.OK;
  }

  private async close(): Promise<void> {
    this.closing = true;
    // Every source stops reading in this very tick (a socket stops listening).
    const sourcesStopped = Promise.all([...[...this.sources.values()].map((source) => source.stop()), this.metrics.stop()]);
    // No more accepts: a source waiting for room in a full queue gets an
    // error at once instead of waiting for hooks to finish.
    this.store.queue.close();
    // A source that cannot stop (a bug) must not keep hookd from exiting.
    const stopped = await Promise.race([
      Promise.all([sourcesStopped, this.reloader.stop()]).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, SOURCES_STOP_MS, false).unref()),
    ]);
    if (!stopped) this.log.error({ waitedMs: SOURCES_STOP_MS }, 'a source did not stop in time; stopping anyway');
    await this.dispatcher.stop(this.config.shutdownTimeoutMs);
    await this.nats.close();
    await this.store.close();
    await this.launcher?.close();
  }
}
