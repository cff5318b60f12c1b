// Publishing an event to JetStream (the `publish:` action, and dead letters
// sent to `dead_subject:`): the event's JSON as the body, its id as
// Nats-Msg-Id so that the stream drops a retried copy, and a wait for the
// stream's acknowledgement: a publish no stream stored is a failure.
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { errorText } from '../errors.js';

// How long to wait for the stream's acknowledgement of one publish.
export const PUBLISH_ACK_TIMEOUT_MS = 5_000;

export interface Publication {
  readonly subject: string;
  readonly body: string;
  // Nats-Msg-Id: the stream keeps one message per id within its duplicate window.
  readonly msgId: string;
}

// Why a publish failed, in one line.
export class PublishError extends Error {}

export async function publishToStream(js: JetStreamClient, publication: Publication, timeoutMs = PUBLISH_ACK_TIMEOUT_MS): Promise<PubAck> {
  try {
    return await js.publish(publication.subject, publication.body, { msgID: publication.msgId, timeout: timeoutMs });
  } catch (error) {
    throw new PublishError(describePublishError(error, publication.subject));
  }
}

function describePublishError(error: unknown, subject: string): string {
  const name = error instanceof Error ? error.constructor.name : '';
  // The client reports a subject without a stream as "jetstream is not enabled" (no responders).
  if (name === 'JetStreamNotEnabled' || name === 'NoRespondersError') return `no JetStream stream stores subject "${subject}"`;
  if (name === 'TimeoutError') return `no acknowledgement from the stream for "${subject}" (timed out)`;
  return `publish to "${subject}" failed: ${errorText(error)}`;
}
