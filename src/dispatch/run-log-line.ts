// The one log line of each run, when it ends: at info when it succeeded, warn
// when it will be retried (or was stopped by a shutdown), error otherwise.
import type { Logger } from 'pino';
import type { HookSpec } from '../config/types.js';
import type { HookEvent } from '../event.js';
import { type RunResult } from '../run/runner.js';
import { describeFailure, type FailureKind } from './failure-kind.js';

export interface RunSubject {
  readonly hook: Pick<HookSpec, 'name' | 'retries'>;
  readonly event: Pick<HookEvent, 'type' | 'id'>;
  readonly attempt: number;
  // Coalesced runs: how many events the run stands for.
  readonly coalesced?: number | undefined;
}

// `failure`: under retry_on tempfail, whether the failure was temporary or permanent.
export function logRun(log: Logger, subject: RunSubject, result: RunResult, willRetry: boolean, failure?: FailureKind): void {
  const fields = {
    hook: subject.hook.name,
    type: subject.event.type,
    id: subject.event.id,
    pid: result.pid,
    exit: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut || undefined,
    durationMs: result.durationMs,
    attempt: subject.attempt,
    coalesced: subject.coalesced,
    droppedBytes: result.droppedBytes || undefined,
    failure,
  };
  const outcome = describeFailure(result.outcome, failure);
  if (result.ok) log.info(fields, 'hook ok');
  else if (result.aborted) log.warn(fields, `hook stopped at shutdown: ${outcome}`);
  else if (willRetry) log.warn(fields, `hook failed: ${outcome}; will retry`);
  else if (failure === 'permanent') log.error(fields, `hook failed: ${outcome}; not retried, kept as a dead letter`);
  else log.error(fields, `hook failed: ${outcome}${subject.hook.retries > 0 ? '; out of retries, kept as a dead letter' : ''}`);
}
