// One delivery (an event for one hook) from its first attempt to its end:
// take a slot, record the attempt in the queue's journal, run, count it, log
// it, then settle it, wait and retry, or keep it as a dead letter.
import type { Logger } from 'pino';
import type { HookdConfig, HookSpec } from '../config/types.js';
import { errorText } from '../errors.js';
import type { HookEvent } from '../event.js';
import { prepareInvocation } from '../run/invocation.js';
import type { NatsLink } from '../nats/connection.js';
import { runPublish } from '../run/publish-action.js';
import { runProgram, type RunResult } from '../run/runner.js';
import { processStartTicks } from '../run/process-groups.js';
import { stderrTail, type AttemptRecord, type DeadLetterSink } from '../store/dead-letter.js';
import type { DeliveryJournal, EventQueue } from '../store/queue.js';
import { describeFailure, failureKind, willRetry } from './failure-kind.js';
import type { HookStatsTable } from './hook-stats.js';
import type { RunRecorder } from '../store/running-groups.js';
import type { Limiter } from './limiter.js';
import { delay, retryDelay } from './retry-timing.js';
import { logRun } from './run-log-line.js';

// `spec` is the hook as it was when the event was dispatched, so a reload
// never changes a delivery halfway.
export interface Delivery {
  readonly seq: number;
  // Where its attempts and end are recorded: the queue's journal, or the
  // completion of an event that bypasses the queue.
  readonly journal: DeliveryJournal;
  readonly event: HookEvent;
  readonly spec: HookSpec;
  attempts: number;
  readonly history: AttemptRecord[];
  // Coalesced: the sequence numbers of the other events this run stands for,
  // settled with it in the queue's journal (see coalescer.ts; only queued
  // events coalesce).
  readonly merged?: readonly number[];
}

// What deliveries share: the dispatcher's parts.
export interface DeliveryContext {
  readonly queue: EventQueue;
  readonly log: Logger;
  readonly limiter: Limiter;
  readonly deadLetters: DeadLetterSink;
  readonly stats: HookStatsTable;
  readonly random: () => number;
  readonly extraEnv: Readonly<Record<string, string>> | undefined;
  // Aborts retry waits at shutdown; kills running hooks past the grace.
  readonly stopSignal: AbortSignal;
  readonly killSignal: AbortSignal;
  // Process groups of the hooks running now (pids of their leaders).
  readonly groups: Set<number>;
  // Keeps each run's process group on record, for the next start after a crash.
  readonly runs: RunRecorder | undefined;
  config(): HookdConfig;
  stopping(): boolean;
  // The NATS connection, for publish hooks.
  nats(): NatsLink | undefined;
}

// Run a delivery until it is done, dead, or interrupted by shutdown.
export async function deliver(delivery: Delivery, context: DeliveryContext): Promise<void> {
  const { spec, event } = delivery;
  for (;;) {
    const result = await attempt(delivery, context);
    if (result === undefined || result.aborted) return; // shutdown: the durable queue runs it again
    if (result.ok) {
      delivery.journal.settled(delivery.seq, spec.name, 'done');
      for (const seq of delivery.merged ?? []) context.queue.journal.settled(seq, spec.name, 'done');
      return;
    }
    if (!willRetry(spec, result, delivery.attempts)) {
      const reason = describeFailure(result.outcome, failureKind(spec, result)) + coalescedNote(delivery);
      await bury(context, delivery.journal, delivery.seq, event, spec.name, delivery.history, reason, delivery.merged);
      return;
    }
    if (!(await delay(retryDelay(spec, delivery.attempts, context.random), context.stopSignal))) return;
  }
}

// One attempt in a slot of the global limit; undefined when hookd began to stop first.
async function attempt(delivery: Delivery, context: DeliveryContext): Promise<RunResult | undefined> {
  const { spec, event } = delivery;
  const release = await context.limiter.acquire();
  if (context.stopping()) {
    release();
    return undefined;
  }
  delivery.attempts++;
  delivery.journal.attemptStarted(delivery.seq, spec.name, delivery.attempts);
  const stats = context.stats.of(spec.name);
  stats.running++;
  const startedAt = new Date();
  let result: RunResult;
  try {
    result = await runOnce(delivery, context);
  } finally {
    stats.running--;
    release();
  }
  const retrying = willRetry(spec, result, delivery.attempts);
  context.stats.ended(spec.name, result, retrying);
  const record = attemptRecord(delivery.attempts, startedAt, result);
  delivery.history.push(record);
  if (!result.ok && !result.aborted) delivery.journal.attemptFailed(delivery.seq, spec.name, record);
  logRun(context.log, { hook: spec, event, attempt: delivery.attempts, coalesced: coalescedCount(delivery) }, result, retrying, failureKind(spec, result));
  return result;
}

async function runOnce(delivery: Delivery, context: DeliveryContext): Promise<RunResult> {
  const { spec, event } = delivery;
  const nats = context.nats();
  // Validation ties publish: to a nats: section, so the link is there.
  if (spec.publish !== undefined && nats !== undefined) return runPublish(nats, spec, event);
  const coalesced = coalescedCount(delivery);
  const extraEnv = coalesced === undefined ? context.extraEnv : { ...context.extraEnv, HOOKD_COALESCED: String(coalesced) };
  const invocation = prepareInvocation(spec, event, delivery.attempts, { config: context.config(), extraEnv });
  let group: number | undefined;
  try {
    return await runProgram({
      ...invocation,
      signal: context.killSignal,
      onOutput: (stream, line) => context.log.info({ hook: spec.name, id: event.id, stream }, line),
      onSpawn: (pid) => {
        context.groups.add((group = pid));
        context.runs?.started({ pid, hook: spec.name, killAfterMs: spec.killAfterMs, startTicks: processStartTicks(pid) });
      },
    });
  } finally {
    if (group !== undefined) {
      context.groups.delete(group);
      context.runs?.ended(group);
    }
  }
}

// How an attempt ended, as the journal and dead letters keep it.
function attemptRecord(attempt: number, startedAt: Date, result: RunResult): AttemptRecord {
  return {
    attempt,
    startedAt: startedAt.toISOString(),
    durationMs: result.durationMs,
    outcome: result.outcome,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    stderrTail: stderrTail(result.stderr),
  };
}

// HOOKD_COALESCED: how many events a run of a coalescing hook stands for.
function coalescedCount(delivery: Delivery): number | undefined {
  return delivery.spec.coalesce === undefined ? undefined : 1 + (delivery.merged?.length ?? 0);
}

function coalescedNote(delivery: Delivery): string {
  const count = delivery.merged?.length ?? 0;
  return count === 0 ? '' : `; the last of ${count + 1} coalesced events`;
}

// Keep a delivery that will not run again as a dead letter (the events merged
// into it, always queued ones, are settled with it: the dead letter stands for them).
export async function bury(context: Pick<DeliveryContext, 'deadLetters' | 'queue' | 'log'>, journal: DeliveryJournal, seq: number, event: HookEvent, hook: string, attempts: readonly AttemptRecord[], reason: string, merged: readonly number[] = []): Promise<void> {
  try {
    await context.deadLetters.add({ event, hook, attempts, reason, deadAt: new Date().toISOString() });
    journal.settled(seq, hook, 'dead');
    for (const settled of merged) context.queue.journal.settled(settled, hook, 'dead');
  } catch (error) {
    // Not settled: the durable queue will offer it again after a restart.
    context.log.error({ hook, id: event.id, error: errorText(error) }, 'cannot store the dead letter');
  }
}
