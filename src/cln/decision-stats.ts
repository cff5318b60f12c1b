// Counters of the decision hooks, for `status` (hookd-status in lightningd,
// hookd status on a socket): runs as for any hook, plus how each request was
// answered: the script's own reply, or the fallback and why.
import { emptyStats, recordRun, type HookStats } from '../dispatch/hook-stats.js';
import type { RunResult } from '../run/runner.js';

// Why a fallback answered, in a word per kind (the log line has the details).
export const FALLBACK_KINDS = ['timeout', 'failed', 'bad-reply', 'busy', 'stopping', 'internal'] as const;
export type FallbackKind = (typeof FALLBACK_KINDS)[number];

export interface DecisionHookStats extends HookStats {
  // Requests answered with the script's own reply.
  replies: number;
  // Requests answered with the hook's fallback, by kind.
  fallbacks: Record<FallbackKind, number>;
  lastFallback: string | null;
}

function emptyDecisionStats(): DecisionHookStats {
  return { ...emptyStats(), replies: 0, fallbacks: Object.fromEntries(FALLBACK_KINDS.map((kind) => [kind, 0])) as Record<FallbackKind, number>, lastFallback: null };
}

export class DecisionStatsTable {
  private readonly byHook = new Map<string, DecisionHookStats>();

  private of(hook: string): DecisionHookStats {
    let stats = this.byHook.get(hook);
    if (stats === undefined) {
      stats = emptyDecisionStats();
      this.byHook.set(hook, stats);
    }
    return stats;
  }

  // A script's run ended (in time or not).
  ran(hook: string, result: RunResult): void {
    recordRun(this.of(hook), result, new Date());
  }

  // A run started and has not ended yet.
  started(hook: string): void {
    this.of(hook).running++;
  }

  ended(hook: string): void {
    this.of(hook).running--;
  }

  replied(hook: string): void {
    this.of(hook).replies++;
  }

  fellBack(hook: string, kind: FallbackKind, reason: string): void {
    const stats = this.of(hook);
    stats.fallbacks[kind]++;
    stats.lastFallback = reason;
  }

  all(): ReadonlyMap<string, Readonly<DecisionHookStats>> {
    return this.byHook;
  }
}
