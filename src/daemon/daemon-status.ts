// The `status` control request: what `hookd status` shows about the running
// daemon (uptime, config, sources, queue, and per-hook counters).
import type { HookdConfig } from '../config/types.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { emptyStats, type HookStats } from '../dispatch/hook-stats.js';
import type { Source } from '../sources/source.js';
import type { OpenedStore } from '../store/open.js';

export interface SourceStatus extends Record<string, unknown> {
  readonly key: string;
  readonly kind: string;
}

export interface HookStatus extends Readonly<HookStats> {
  readonly name: string;
  // False for a hook a reload removed (its counters stay until restart).
  readonly inConfig: boolean;
}

export interface DaemonStatus {
  readonly pid: number;
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly config: string;
  readonly state: string | false;
  readonly sources: SourceStatus[];
  // Events accepted and not yet dispatched; deliveries dispatched and not
  // finished (running, waiting for their hook, or waiting for a retry);
  // events that no hook's `on` matched when they arrived (not stored).
  readonly queue: { readonly events: number; readonly deliveries: number; readonly durable: boolean; readonly unmatched: number };
  readonly running: number;
  readonly hooks: HookStatus[];
}

// What the status is read from: the running daemon's parts.
export interface StatusView {
  readonly config: HookdConfig;
  readonly startedAt: Date;
  readonly sources: ReadonlyMap<string, Source>;
  readonly store: OpenedStore;
  readonly dispatcher: Dispatcher;
  // Where the sources' events go; counts those that matched no hook.
  readonly sink: { readonly unmatched: number };
  // Hooks run outside the dispatcher (decision hooks), with counters of their own.
  readonly outsideStats?: () => ReadonlyMap<string, Readonly<HookStats>>;
}

export function daemonStatus(daemon: StatusView, now = Date.now()): DaemonStatus {
  const stats = new Map([...daemon.dispatcher.hookStats(), ...(daemon.outsideStats?.() ?? [])]);
  const configured = daemon.config.hooks.map((hook) => hook.name);
  const names = [...configured, ...[...stats.keys()].filter((name) => !configured.includes(name))];
  return {
    pid: process.pid,
    startedAt: daemon.startedAt.toISOString(),
    uptimeMs: now - daemon.startedAt.getTime(),
    config: daemon.config.file,
    state: daemon.config.state,
    sources: [...daemon.sources].map(([key, source]) => ({ key, kind: source.name, ...source.status() })),
    queue: { events: daemon.store.queue.length, deliveries: daemon.dispatcher.heldCount, durable: daemon.store.queue.durable, unmatched: daemon.sink.unmatched },
    running: daemon.dispatcher.runningCount,
    hooks: names.map((name) => ({ name, inConfig: configured.includes(name), ...(stats.get(name) ?? emptyStats()) })),
  };
}

// The status after sources with a remote side (JetStream) asked for their counts.
export async function refreshedStatus(daemon: StatusView): Promise<DaemonStatus> {
  await Promise.all([...daemon.sources.values()].map((source) => source.refresh?.()));
  return daemonStatus(daemon);
}
