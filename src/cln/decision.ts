// Decision hooks: lightningd waits for hookd's answer to an HTLC, a peer, a
// channel. Each request runs the matching `decide: true` hooks in config
// order, at once (never queued behind notification work, never retried); the
// first reply that is not `continue` is final. A script that fails, hangs or
// answers out of shape gets its hook's fallback, and the answer leaves at the
// timeout even while the script is still being killed: lightningd has no
// timeout of its own and aborts on a malformed reply.
import { errorText } from '../errors.js';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { HookdConfig, HookSpec } from '../config/types.js';
import type { DaemonMetrics } from '../daemon/metrics/daemon-metrics.js';
import type { HookEvent } from '../event.js';
import { prepareInvocation } from '../run/invocation.js';
import { stringifyJson, type JsonObject } from '../json.js';
import { Limiter } from '../dispatch/limiter.js';
import { hookMatches } from '../match.js';
import { runProgram, type RunResult } from '../run/runner.js';
import { CONTINUE, type HookDefinition } from '../lightningd/hook-catalog.js';
import { completeReply, isContinue, isPlainContinue } from '../lightningd/reply.js';
import { DecisionStatsTable, type FallbackKind } from './decision-stats.js';
import { fallbackReply, judgeRun, type Verdict } from './verdict.js';

// Decision scripts running at once, all hooks together; more wait their turn,
// and the wait counts toward their timeout.
export const DECISION_CONCURRENCY = 64;
// How long past its timeout a run may take to report before the fallback goes out.
const ANSWER_GRACE_MS = 100;

export interface DecisionOptions {
  readonly config: () => HookdConfig;
  readonly log: Logger;
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
  // Counts each hook's replies: its script's own, or the fallback.
  readonly replies?: Pick<DaemonMetrics, 'decisionReplied'> | undefined;
}

export class DecisionRunner {
  private readonly limiter = new Limiter(DECISION_CONCURRENCY);
  private readonly stopController = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  // Runs, own replies and fallbacks per decision hook, for status.
  readonly stats = new DecisionStatsTable();

  constructor(private readonly options: DecisionOptions) {}

  // The reply to one hook request (never throws: the worst case is continue).
  async decide(hook: HookDefinition, event: HookEvent): Promise<JsonObject> {
    const started = performance.now();
    const config = this.options.config();
    const candidates = config.hooks.filter((spec) => spec.decide && hookMatches(spec, event.type, event.fields));
    let enriched: JsonObject | undefined;
    for (const spec of candidates) {
      let verdict: Verdict;
      try {
        verdict = await this.runOne(spec, hook, event, config);
      } catch (error) {
        verdict = { reply: this.fallbackOf(spec, hook, event) };
        this.stats.fellBack(spec.name, 'internal', errorText(error));
        this.options.replies?.decisionReplied(spec.name, 'fallback');
        this.options.log.error({ hook: spec.name, id: event.id, error: errorText(error) }, `decision hook ${spec.name}: internal error; answering the fallback ${stringifyJson(verdict.reply)}`);
      }
      if (!isContinue(verdict.reply)) {
        this.logAnswer(event, spec, verdict.reply, started);
        return verdict.reply;
      }
      if (enriched === undefined && !isPlainContinue(verdict.reply)) enriched = verdict.reply;
    }
    const reply = enriched ?? completeReply(hook, CONTINUE, event.fields);
    if (candidates.length === 0) this.options.log.debug({ type: event.type, id: event.id }, 'no decision hook matches: continue');
    else this.logAnswer(event, undefined, reply, started);
    return reply;
  }

  // Ends running decision scripts (their requests get the fallback).
  async stop(): Promise<void> {
    this.stopController.abort();
    await Promise.allSettled([...this.running]);
  }

  private async runOne(spec: HookSpec, hook: HookDefinition, event: HookEvent, config: HookdConfig): Promise<Verdict> {
    const fallback = (reason: string, kind: FallbackKind): Verdict => {
      const reply = this.fallbackOf(spec, hook, event);
      this.stats.fellBack(spec.name, kind, reason);
      this.options.replies?.decisionReplied(spec.name, 'fallback');
      // A continue fallback lets the HTLC, peer or channel through: say so.
      const open = isContinue(reply) ? ` (fail-open: ${event.type} goes ahead unchecked)` : '';
      this.options.log.warn({ hook: spec.name, type: event.type, id: event.id, reason }, `decision hook ${spec.name}: ${reason}; answering the fallback ${stringifyJson(reply)}${open}`);
      return { reply };
    };
    if (this.stopController.signal.aborted) return fallback('hookd is shutting down', 'stopping');
    const deadline = performance.now() + spec.timeoutMs;
    const acquiring = this.limiter.acquire();
    const slot = await this.withDeadline(acquiring, spec.timeoutMs);
    if (slot === undefined) {
      void acquiring.then((release) => release()); // the slot, once free, is not ours to keep
      return fallback(`no free slot within its timeout (${DECISION_CONCURRENCY} decision scripts running)`, 'busy');
    }
    const invocation = prepareInvocation(spec, event, 1, { config, extraEnv: this.options.extraEnv });
    const run = runProgram({
      ...invocation,
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
      signal: this.stopController.signal,
      onOutput: (stream, line) => {
        if (stream === 'stderr') this.options.log.info({ hook: spec.name, id: event.id, stream }, line);
      },
    });
    this.stats.started(spec.name);
    this.track(run.then((result) => this.stats.ran(spec.name, result)).finally(() => {
      this.stats.ended(spec.name);
      slot();
    }));
    const result = await this.withDeadline(run, Math.max(0, deadline - performance.now()) + ANSWER_GRACE_MS);
    if (result === undefined) {
      void run.then((late) => this.options.log.warn({ hook: spec.name, id: event.id, pid: late.pid, durationMs: late.durationMs }, `decision hook ${spec.name} ended after its answer was sent: ${late.outcome}`));
      return fallback(`timed out after ${spec.timeoutMs} ms`, 'timeout');
    }
    return this.judge(spec, hook, event, result, fallback);
  }

  private judge(spec: HookSpec, hook: HookDefinition, event: HookEvent, result: RunResult, fallback: (reason: string, kind: FallbackKind) => Verdict): Verdict {
    this.options.log.debug({ hook: spec.name, type: event.type, id: event.id, pid: result.pid, exit: result.exitCode, durationMs: result.durationMs }, 'decision script ended');
    const verdict = judgeRun(spec, hook, event.fields, result);
    if (verdict.fallbackReason === undefined) {
      this.stats.replied(spec.name);
      this.options.replies?.decisionReplied(spec.name, 'own');
      return verdict;
    }
    return fallback(verdict.fallbackReason, result.timedOut ? 'timeout' : result.ok ? 'bad-reply' : 'failed');
  }

  private fallbackOf(spec: HookSpec, hook: HookDefinition, event: HookEvent): JsonObject {
    return fallbackReply(spec, hook, event.fields);
  }

  private logAnswer(event: HookEvent, spec: HookSpec | undefined, reply: JsonObject, started: number): void {
    const fields = { type: event.type, id: event.id, hook: spec?.name, latencyMs: Math.round(performance.now() - started) };
    // One line per HTLC on a routing node: debug, not info (fallbacks are warned above).
    this.options.log.debug(fields, `answered ${event.type}: ${stringifyJson(reply)}`);
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => {}).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  // The promise's value, or undefined once `ms` have passed.
  private withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      void promise.then((value) => {
        clearTimeout(timer);
        resolve(value);
      }, () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
}
