// hookd's Prometheus metrics, in a registry of its own (not prom-client's
// global one, so that two daemons in one process, as in tests, do not mix).
// Counters are fed as things happen; queue depth, dead letters and running
// hooks are read at each scrape from the parts that know them.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RUN_OUTCOMES, type RunObserver, type RunOutcome } from '../../dispatch/hook-stats.js';


// Whose reply a decision hook gave lightningd: the script's own, or the fallback.
export const REPLY_OUTCOMES = ['own', 'fallback'] as const;
export type ReplyOutcome = (typeof REPLY_OUTCOMES)[number];

// Values read at scrape time; each missing one reads as 0.
export interface MetricsReadings {
  queueDepth?(): number;
  deadLetters?(): number;
  runningHooks?(): number;
}

// Seconds: hook runs go from a few milliseconds (a notification) to minutes.
const RUN_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class HookdMetrics implements RunObserver {
  readonly registry = new Registry();
  private readings: MetricsReadings = {};
  private processMetrics = false;
  private readonly eventsReceived: Counter<'source'>;
  private readonly runs: Counter<'hook' | 'outcome'>;
  private readonly runDuration: Histogram<'hook'>;
  private readonly decisionReplies: Counter<'hook' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    this.eventsReceived = new Counter({ name: 'hookd_events_received_total', help: 'Events accepted, by source', labelNames: ['source'], registers });
    this.runs = new Counter({ name: 'hookd_runs_total', help: 'Hook runs, by hook and how they ended (ok, failed, timeout, dead)', labelNames: ['hook', 'outcome'], registers });
    this.runDuration = new Histogram({ name: 'hookd_run_duration_seconds', help: 'How long hook runs took, by hook', labelNames: ['hook'], buckets: RUN_DURATION_BUCKETS, registers });
    this.decisionReplies = new Counter({ name: 'hookd_decision_replies_total', help: 'Replies of decision hooks to lightningd, by hook and whose reply it was (own, fallback)', labelNames: ['hook', 'outcome'], registers });
    const reading = (name: string, help: string, read: (readings: MetricsReadings) => number | undefined): void => {
      const readings = (): MetricsReadings => this.readings;
      new Gauge({ name, help, registers, collect() { this.set(read(readings()) ?? 0); } });
    };
    reading('hookd_queue_depth', 'Events accepted and not yet dispatched to their hooks', (r) => r.queueDepth?.());
    reading('hookd_dead_letters', 'Dead letters kept in the state folder', (r) => r.deadLetters?.());
    reading('hookd_running_hooks', 'Hook processes running now', (r) => r.runningHooks?.());
  }

  // Where the scrape-time values come from (set again after a reload).
  read(readings: MetricsReadings): void {
    this.readings = readings;
  }

  // The process_* and nodejs_* metrics, from when the first /metrics server
  // starts (their collectors cost a little even when nobody scrapes).
  includeProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  eventReceived(source: string): void {
    this.eventsReceived.inc({ source });
  }

  runEnded(hook: string, outcome: RunOutcome, durationMs: number): void {
    this.runs.inc({ hook, outcome });
    this.runDuration.observe({ hook }, durationMs / 1000);
  }

  decisionReplied(hook: string, outcome: ReplyOutcome): void {
    this.decisionReplies.inc({ hook, outcome });
  }

  // A hook is known before its first run: its series show 0 rather than being
  // absent, so that rate() and alerts work from the start.
  declareHook(hook: string, decides = false): void {
    for (const outcome of RUN_OUTCOMES) this.runs.inc({ hook, outcome }, 0);
    if (decides) for (const outcome of REPLY_OUTCOMES) this.decisionReplies.inc({ hook, outcome }, 0);
  }

  declareSource(source: string): void {
    this.eventsReceived.inc({ source }, 0);
  }

  // The Prometheus text format and its content type.
  async exposition(): Promise<{ readonly text: string; readonly contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
