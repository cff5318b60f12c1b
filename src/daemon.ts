// The daemon: config → store (queue + dead letters) → dispatcher, sources
// feeding the queue, signals. It ends by itself when every source is finite
// and has ended, and the queue is done.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { EXIT } from './cli/exit-codes.js';
import type { HookdConfig } from './config/types.js';
import { Dispatcher } from './dispatcher.js';
import type { HookEvent } from './event.js';
import type { ServiceNotifier } from './notify.js';
import { createSource, sourceKey } from './sources/create.js';
import type { EventSink, Source } from './sources/source.js';
import { openStore, type OpenedStore } from './store/open.js';

export interface DaemonOptions {
  readonly config: HookdConfig;
  readonly log: Logger;
  readonly stdin?: Readable | undefined;
  // Listen to SIGTERM / SIGINT / SIGHUP (off in tests that embed a daemon).
  readonly handleSignals?: boolean;
  // A source that owns stdin (Core Lightning's plugin protocol): it replaces
  // the config's stdin source, and is started with the others.
  readonly protocolSource?: Source | undefined;
  // Variables for every hook (Core Lightning's LIGHTNING_RPC, ...).
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
  // Tells systemd when hookd is ready and when it stops (notify.ts).
  readonly notifier?: ServiceNotifier | undefined;
}

export class Daemon {
  config: HookdConfig;
  readonly log: Logger;
  readonly startedAt = new Date();
  readonly sources = new Map<string, Source>();
  store!: OpenedStore;
  dispatcher!: Dispatcher;
  private readonly stdin: Readable | undefined;
  // What every source feeds; it reads the current config at each event.
  readonly sink: EventSink;
  private stopping: Promise<number> | undefined;
  private exitResolve!: (code: number) => void;
  // Resolves with the exit code once the daemon has stopped.
  readonly exited: Promise<number>;

  constructor(private readonly options: DaemonOptions) {
    this.config = options.config;
    this.log = options.log;
    this.stdin = options.stdin;
    this.exited = new Promise((resolve) => (this.exitResolve = resolve));
    const daemon = this;
    this.sink = {
      accept: (event: HookEvent, hooks?: readonly string[]) => daemon.store.queue.accept(event, hooks),
      get shape() {
        return { typePath: daemon.config.typePath, idPath: daemon.config.idPath };
      },
      get maxEventBytes() {
        return daemon.config.maxEventBytes;
      },
      log: options.log,
    };
  }

  async start(): Promise<void> {
    this.store = await openStore(this.config, this.log);
    this.dispatcher = new Dispatcher({
      config: this.config,
      queue: this.store.queue,
      log: this.log,
      deadLetters: this.store.deadLetters,
      extraEnv: this.options.extraEnv,
    });
    await this.dispatcher.start();
    const protocol = this.options.protocolSource;
    if (protocol !== undefined) this.sources.set('protocol', protocol);
    for (const spec of this.config.sources) {
      if (protocol !== undefined && spec.kind === 'stdin') continue;
      this.sources.set(sourceKey(spec), createSource(spec, { stdin: this.stdin }));
    }
    for (const source of this.sources.values()) await source.start(this.sink);
    if (this.options.handleSignals !== false) this.listenToSignals();
    const sourceNames = [...this.sources.values()].map((source) => source.name);
    this.log.info({ config: this.config.file, hooks: this.config.hooks.length, sources: sourceNames }, 'hookd started');
    // Only now: every source is open (the socket listens), so units ordered
    // after hookd (bitcoind calling `hookd emit`) find it working.
    this.options.notifier?.ready(`running: ${this.config.hooks.length} hooks; sources: ${sourceNames.join(', ')}`);
    void this.watchFiniteSources();
  }

  // With only finite sources, finish the queue and exit once they end.
  private async watchFiniteSources(): Promise<void> {
    const sources = [...this.sources.values()];
    if (sources.length === 0 || sources.some((source) => !source.finite)) return;
    await Promise.all(sources.map((source) => source.ended));
    if (this.stopping) return;
    this.store.queue.close();
    await this.dispatcher.whenIdle();
    void this.stop('all sources ended');
  }

  private listenToSignals(): void {
    let interrupts = 0;
    const onTerm = (signal: NodeJS.Signals): void => {
      if (signal === 'SIGINT' && ++interrupts > 1) {
        this.log.warn('second SIGINT: exiting at once');
        process.exit(EXIT.INTERRUPTED);
      }
      void this.stop(signal);
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onTerm);
  }

  // Stop reading, let running hooks finish (up to shutdown_timeout), flush.
  stop(reason: string): Promise<number> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<number> {
    this.log.info({ reason }, 'hookd stopping');
    this.options.notifier?.stopping();
    await Promise.all([...this.sources.values()].map((source) => source.stop()));
    await this.dispatcher.stop(this.config.shutdownTimeoutMs);
    await this.store.close();
    this.log.info('hookd stopped');
    await this.options.notifier?.flush();
    this.exitResolve(EXIT.OK);
    return EXIT.OK;
  }
}
