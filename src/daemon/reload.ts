// Live reload: an edit of the config file (chokidar; an editor's save by
// rename counts as an edit) or SIGHUP reads the config again. A valid config
// is handed to the daemon, which swaps it in for events not yet dispatched;
// an invalid one is logged problem by problem and the running config stays.
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import { CoalescedTask } from '../coalesced-task.js';
import { loadConfig } from '../config/load.js';
import type { HookdConfig, SourceSpec } from '../config/types.js';
import { errorText, HookdError } from '../errors.js';
import { sourceKey } from '../sources/create.js';
import type { Source } from '../sources/source.js';

// Editors often write a file in several steps: wait until it is quiet.
const SETTLE_MS = 150;

export interface ReloadTarget {
  readonly config: HookdConfig;
  readonly log: Logger;
  // Swap the config in; starts and stops sources as it says.
  applyConfig(config: HookdConfig): Promise<void>;
  // A reload begins, or has ended (applied or not): systemd hears of both.
  reloadPhase?(phase: 'begin' | 'end'): void;
}

export type ConfigLoader = (file: string) => Promise<HookdConfig>;

export class ConfigReloader {
  private watcher: FSWatcher | undefined;
  private settle: NodeJS.Timeout | undefined;
  private reason = 'reload';
  private readonly task = new CoalescedTask(() => this.reloadNow(), (error) => this.target.log.error({ error: errorText(error) }, 'config reload failed; the running config stays'));
  private stopped = false;

  constructor(
    private readonly target: ReloadTarget,
    private readonly load: ConfigLoader = (file) => loadConfig({ path: file }),
  ) {}

  // Watch the config file; resolves once the watch is in place.
  async watch(): Promise<void> {
    const file = this.target.config.file;
    this.watcher = watch(file, { ignoreInitial: true, persistent: true });
    this.watcher.on('add', () => this.changed());
    this.watcher.on('change', () => this.changed());
    this.watcher.on('unlink', () => this.target.log.warn({ config: file }, 'the config file was removed; the running config stays until it is back'));
    this.watcher.on('error', (error) => this.target.log.error({ config: file, error: errorText(error) }, 'watching the config failed; SIGHUP still reloads'));
    await new Promise<void>((resolve) => this.watcher?.once('ready', resolve));
  }

  // Reload now (SIGHUP); reloads asked for during a reload fold into one more.
  reload(reason: string): void {
    if (this.stopped) return;
    this.reason = reason;
    this.task.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.settle);
    await this.watcher?.close();
    await this.task.idle();
  }

  private changed(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.reload('config file changed'), SETTLE_MS);
  }

  private async reloadNow(): Promise<void> {
    this.target.reloadPhase?.('begin');
    try {
      await this.reloadFile();
    } finally {
      this.target.reloadPhase?.('end');
    }
  }

  private async reloadFile(): Promise<void> {
    const { log } = this.target;
    const file = this.target.config.file;
    const reason = this.reason;
    if (/\.(c|m)?js$/.test(file)) {
      log.warn({ config: file, reason }, 'a JavaScript config is read once per process; restart hookd to apply its edits');
      return;
    }
    let next: HookdConfig;
    try {
      next = await this.load(file);
    } catch (error) {
      const problems = error instanceof HookdError && error.details.length > 0 ? error.details : [errorText(error)];
      for (const problem of problems) log.error({ config: file }, problem);
      log.error({ config: file, reason, problems: problems.length }, `config not reloaded: ${problems.length} problem${problems.length === 1 ? '' : 's'}; the running config stays`);
      return;
    }
    if (this.stopped) return;
    await this.target.applyConfig(next);
    log.info({ config: file, reason, hooks: next.hooks.length, sources: next.sources.map(sourceKey) }, 'config reloaded');
  }
}

// What a new config changes in the running sources: keys to stop (gone or
// changed) and specs to start (new or changed).
export function planSourceChanges(running: ReadonlyMap<string, SourceSpec>, next: readonly SourceSpec[]): { stop: string[]; start: SourceSpec[] } {
  const wanted = new Map(next.map((spec) => [sourceKey(spec), spec]));
  const stop: string[] = [];
  const start: SourceSpec[] = [];
  for (const [key, spec] of running) {
    const update = wanted.get(key);
    if (update === undefined || JSON.stringify(update) !== JSON.stringify(spec)) stop.push(key);
  }
  for (const [key, spec] of wanted) {
    const current = running.get(key);
    if (current === undefined || JSON.stringify(current) !== JSON.stringify(spec)) start.push(spec);
  }
  return { stop, start };
}

// Checks each source a reload would start, before anything stops: one whose
// check fails (bitcoind refusing the credentials) is kept out, and the running
// source it would replace goes on.
export async function checkSourceChanges(
  plan: { stop: string[]; start: SourceSpec[] },
  create: (spec: SourceSpec) => Promise<Source>,
  log: Logger,
): Promise<{ stop: string[]; start: [SourceSpec, Source][] }> {
  const start: [SourceSpec, Source][] = [];
  let stop = plan.stop;
  for (const spec of plan.start) {
    const source = await create(spec);
    try {
      await source.check?.();
      start.push([spec, source]);
    } catch (error) {
      const key = sourceKey(spec);
      stop = stop.filter((running) => running !== key);
      await source.stop().catch(() => {});
      log.error({ source: key, error: errorText(error) }, `source kept out of the reload: ${errorText(error)}`);
    }
  }
  return { stop, start };
}
