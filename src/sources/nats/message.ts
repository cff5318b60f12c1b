// A JetStream message's body is one event: the same JSON a socket line would
// carry. A body that is not one is an EventError, which the source answers
// with `term` (never redelivered).
import { EventError, makeEvent, parseEvent, type EventShape, type HookEvent } from '../../event.js';
import { ExactNumber, getPath, type JsonObject } from '../../json.js';

export const NATS_SOURCE = 'nats';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BOM = '\uFEFF';

// `fallbackId` names the event when its body has no id: the same for every
// redelivery of the message, so that logs and dead letters agree across a fleet.
export function eventFromBody(body: Uint8Array, shape: EventShape, maxBytes: number, fallbackId: string): HookEvent | EventError {
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
  const ownId = hasOwnId(event.fields, shape.idPath);
  if (!multiLine && ownId) return event;
  return makeEvent({
    ...event,
    raw: multiLine ? text.replace(/\r?\n|\r/g, ' ') : text,
    receivedAt: new Date(event.receivedAt),
    id: ownId ? event.id : fallbackId,
  });
}

// Whether parseEvent took the id from the body (a non-empty string or a number).
function hasOwnId(fields: JsonObject, idPath: string | undefined): boolean {
  if (idPath === undefined) return false;
  const value = getPath(fields, idPath);
  return (typeof value === 'string' && value !== '') || typeof value === 'number' || value instanceof ExactNumber;
}
