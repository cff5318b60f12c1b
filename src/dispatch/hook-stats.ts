// Per-hook counters for `hookd status` and the logs, and the observer that
// hookd's Prometheus metrics plug in (they live in a layer above).
import type { RunResult } from '../run/runner.js';
import { redactSecrets } from '../log/redact.js';

export interface HookStats {
  runs: number;
  successes: number;
  failures: number;
  timeouts: number;
  running: number;
  lastExit: string | null;
  lastError: string | null;
  lastDurationMs: number | null;
  lastRunAt: string | null;
}

// How a run ended, for the metrics: `dead` is a failed or timed-out run after
// which the event goes to the dead letters (no retry left).
export const RUN_OUTCOMES = ['ok', 'failed', 'timeout', 'dead'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

// Told of every run that ends.
export interface RunObserver {
  runEnded(hook: string, outcome: RunOutcome, durationMs: number): void;
}

export function runOutcome(result: RunResult, retrying: boolean): RunOutcome {
  if (result.ok) return 'ok';
  if (!retrying) return 'dead';
  return result.timedOut ? 'timeout' : 'failed';
}

export function emptyStats(): HookStats {
  return { runs: 0, successes: 0, failures: 0, timeouts: 0, running: 0, lastExit: null, lastError: null, lastDurationMs: null, lastRunAt: null };
}

export function recordRun(stats: HookStats, result: RunResult, endedAt: Date): void {
  stats.runs++;
  stats.lastExit = result.outcome;
  stats.lastDurationMs = result.durationMs;
  stats.lastRunAt = endedAt.toISOString();
  if (result.ok) {
    stats.successes++;
    return;
  }
  stats.failures++;
  if (result.timedOut) stats.timeouts++;
  const lastStderr = result.stderr.trimEnd().split('\n').pop();
  // Shown by `hookd status`: secrets masked as in the logs.
  stats.lastError = lastStderr ? `${stats.lastExit}: ${redactSecrets(lastStderr)}` : stats.lastExit;
}

// The counters of every hook that ran, created at its first run.
export class HookStatsTable {
  private readonly byHook = new Map<string, HookStats>();

  constructor(private readonly observer?: RunObserver) {}

  // A run ended; `retrying`: another attempt follows. A run cut short by
  // hookd's own stop is not an outcome for the observer: it runs again
  // after the restart.
  ended(name: string, result: RunResult, retrying: boolean, endedAt = new Date()): void {
    recordRun(this.of(name), result, endedAt);
    if (!result.aborted) this.observer?.runEnded(name, runOutcome(result, retrying), result.durationMs);
  }

  of(name: string): HookStats {
    let stats = this.byHook.get(name);
    if (stats === undefined) {
      stats = emptyStats();
      this.byHook.set(name, stats);
    }
    return stats;
  }

  all(): ReadonlyMap<string, Readonly<HookStats>> {
    return this.byHook;
  }
}
