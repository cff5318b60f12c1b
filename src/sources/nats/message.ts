// A JetStream message's body is one event: the same JSON a socket line would
// carry. A body that is not one is an EventError, which the source answers
// with `term` (never redelivered).
import { EventError, idFrom, makeEvent, parseEvent, type EventShape, type HookEvent } from '../../event.js';

export const NATS_SOURCE = 'nats';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BOM = '\uFEFF';

export interface MessageOrigin {
  readonly subject: string;
  // Names the event when its body has no id: the same for every redelivery
  // of the message, so that logs and dead letters agree across a fleet.
  readonly fallbackId: string;
}

export function eventFromBody(body: Uint8Array, shape: EventShape, maxBytes: number, origin: MessageOrigin): HookEvent | EventError {
  if (body.length > maxBytes) return new EventError(`body of ${body.length} bytes is over max_event_bytes (${maxBytes})`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return new EventError('invalid UTF-8');
  }
  if (text.startsWith(BOM)) text = text.slice(1);
  text = text.trim();
  if (text === '') return new EventError('empty body');
  let event: HookEvent;
  try {
    event = parseEvent(text, shape, NATS_SOURCE);
  } catch (error) {
    if (error instanceof EventError) return error;
    throw error;
  }
  // A hook reads its event as one line. In valid JSON a line break can only
  // be whitespace between tokens, so a space stands in for it unchanged.
  const multiLine = /[\r\n]/.test(text);
  return makeEvent({
    ...event,
    raw: multiLine ? text.replace(/\r?\n|\r/g, ' ') : text,
    receivedAt: new Date(event.receivedAt),
    id: idFrom(event.fields, shape.idPath) ?? origin.fallbackId,
    subject: origin.subject,
  });
}
