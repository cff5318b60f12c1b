// The one log line of each run, when it ends: at info when it succeeded, warn
// when it will be retried (or was stopped by a shutdown), error otherwise.
import type { Logger } from 'pino';
import type { HookSpec } from '../config/types.js';
import type { HookEvent } from '../event.js';
import { type RunResult } from '../run/runner.js';

export interface RunSubject {
  readonly hook: Pick<HookSpec, 'name' | 'retries'>;
  readonly event: Pick<HookEvent, 'type' | 'id'>;
  readonly attempt: number;
}

export function logRun(log: Logger, subject: RunSubject, result: RunResult, willRetry: boolean): void {
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
    droppedBytes: result.droppedBytes || undefined,
  };
  const outcome = result.outcome;
  if (result.ok) log.info(fields, 'hook ok');
  else if (result.aborted) log.warn(fields, `hook stopped at shutdown: ${outcome}`);
  else if (willRetry) log.warn(fields, `hook failed: ${outcome}; will retry`);
  else log.error(fields, `hook failed: ${outcome}${subject.hook.retries > 0 ? '; out of retries, kept as a dead letter' : ''}`);
}
