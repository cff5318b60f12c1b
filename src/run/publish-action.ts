// The publish action, beside the runner: a hook with `publish:` instead of
// `run:` sends its event to NATS JetStream and waits for the stream's
// acknowledgement. Its result has the runner's shape, so that retries, the
// run's log line, statistics and dead letters treat both alike.
import type { HookSpec } from '../config/types.js';
import type { HookEvent } from '../event.js';
import type { NatsLink } from '../nats/connection.js';
import { publishToStream } from '../nats/publish.js';
import { renderTemplate } from '../template.js';
import type { RunResult } from './runner.js';

// The subject a publish hook sends this event to.
export function publishSubject(hook: HookSpec, event: HookEvent): string | undefined {
  return hook.publish === undefined ? undefined : renderTemplate(hook.publish, event.fields);
}

// Publishes the event's JSON with its id as Nats-Msg-Id; the hook's
// `timeout` bounds the wait for the acknowledgement (the client holds a
// publish while it reconnects).
export async function runPublish(link: NatsLink, hook: HookSpec, event: HookEvent): Promise<RunResult> {
  const started = performance.now();
  const subject = publishSubject(hook, event) ?? '';
  const ended = (outcome: string, ok: boolean, timedOut = false): RunResult => ({
    pid: undefined,
    exitCode: ok ? 0 : null,
    signal: null,
    timedOut,
    aborted: false,
    spawnError: undefined,
    durationMs: Math.round(performance.now() - started),
    stdout: '',
    stderr: ok ? '' : outcome,
    droppedBytes: 0,
    ok,
    outcome,
  });
  try {
    const ack = await publishToStream(link.js, { subject, body: event.raw, msgId: event.id }, hook.timeoutMs);
    return ended(`published to ${subject} (stream ${ack.stream}, seq ${ack.seq}${ack.duplicate ? ', a duplicate the stream dropped' : ''})`, true);
  } catch (error) {
    const message = (error as Error).message;
    return ended(message, false, message.includes('timed out'));
  }
}
