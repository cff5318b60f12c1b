// `retry_on: tempfail`: as Postfix and sendmail read an exit status, 75
// (EX_TEMPFAIL) means "try later" and any other failure is permanent. A
// timeout counts as temporary: the hook did not get to say.
import type { HookSpec } from '../config/types.js';
import type { RunResult } from '../run/runner.js';

export const EX_TEMPFAIL = 75;

export type FailureKind = 'temporary' | 'permanent';

// The kind of a failed run under retry_on tempfail; undefined under `any`
// (every failure is retried alike) and for runs that did not fail.
export function failureKind(spec: Pick<HookSpec, 'retryOn'>, result: RunResult): FailureKind | undefined {
  if (spec.retryOn !== 'tempfail' || result.ok || result.aborted) return undefined;
  return result.exitCode === EX_TEMPFAIL || result.timedOut ? 'temporary' : 'permanent';
}

// Whether a failed attempt (number `attempts`) is tried again.
export function willRetry(spec: Pick<HookSpec, 'retryOn' | 'retries'>, result: RunResult, attempts: number): boolean {
  if (result.ok || result.aborted || attempts > spec.retries) return false;
  return failureKind(spec, result) !== 'permanent';
}

// "exit 3, a permanent failure (retry_on: tempfail)": the outcome with its
// kind, for log lines and dead letters.
export function describeFailure(outcome: string, kind: FailureKind | undefined): string {
  if (kind === undefined) return outcome;
  return kind === 'temporary' ? `${outcome}, a temporary failure` : `${outcome}, a permanent failure (retry_on: tempfail)`;
}
