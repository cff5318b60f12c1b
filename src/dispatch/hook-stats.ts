// Per-hook counters for `hookd status` and the logs.
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
