// An event as hookd carries it: the text exactly as received (what a hook gets
// on stdin), the parsed fields (numbers exact), its type, id and origin.
import { newEventId } from './id.js';
import { ExactNumber, getPath, isJsonObject, JsonSyntaxError, type JsonObject } from './json.js';
import { exactJson, parseJsonLoose } from './json-fast.js';

export interface HookEvent {
  readonly id: string;
  readonly type: string;
  // One line of JSON, without the newline: the hook's stdin.
  readonly raw: string;
  readonly fields: JsonObject;
  // Which source it came from: HOOKD_SOURCE.
  readonly source: string;
  // ISO 8601 time of arrival: HOOKD_TIME.
  readonly receivedAt: string;
  // The NATS subject it came on (nats source only): HOOKD_SUBJECT.
  readonly subject?: string | undefined;
}

// Why a line is not an event; `message` is one line for the warning.
export class EventError extends Error {}

export interface EventShape {
  // Dotted paths of the type and of the optional id field.
  readonly typePath: string;
  readonly idPath?: string | undefined;
}

// A line read as far as its type: enough to tell whether any hook can want
// it, before the exact numbers and the id that only a stored event needs.
export interface EventDraft {
  readonly raw: string;
  readonly type: string;
  // JSON.parse's reading (parseJsonLoose): numbers not yet exact.
  readonly loose: JsonObject;
}

// Parse one JSON line into an event; throws EventError.
export function parseEvent(raw: string, shape: EventShape, source: string, receivedAt = new Date()): HookEvent {
  return finishEvent(draftEvent(raw, shape), shape, source, receivedAt);
}

// Check one JSON line and read its type; throws EventError, with the same
// messages as parseEvent.
export function draftEvent(raw: string, shape: EventShape): EventDraft {
  let loose;
  try {
    loose = parseJsonLoose(raw);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new EventError(`invalid JSON: ${error.message}`);
    throw error;
  }
  if (!isJsonObject(loose)) throw new EventError(`expected a JSON object, got ${describeJson(loose)}`);
  const type = getPath(loose, shape.typePath);
  if (typeof type !== 'string' || type === '') {
    throw new EventError(type === undefined ? `no event type: field "${shape.typePath}" is missing` : `the event type "${shape.typePath}" must be a non-empty string`);
  }
  return { raw, type, loose };
}

// The event of a draft: numbers exact, and its own id or a fresh one.
export function finishEvent(draft: EventDraft, shape: EventShape, source: string, receivedAt = new Date()): HookEvent {
  const fields = exactJson(draft.raw, draft.loose) as JsonObject;
  return makeEvent({ type: draft.type, fields, raw: draft.raw, source, receivedAt, id: idFrom(fields, shape.idPath) });
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof ExactNumber) return 'a number';
  return `a ${typeof value}`;
}

// The event's own id (the field at `event.id:`), when it has one.
export function idFrom(fields: JsonObject, idPath: string | undefined): string | undefined {
  if (idPath === undefined) return undefined;
  const value = getPath(fields, idPath);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' || value instanceof ExactNumber) return String(value);
  return undefined;
}

// Build an event from its parts; a missing id gets a fresh one.
export function makeEvent(parts: {
  type: string;
  fields: JsonObject;
  raw: string;
  source: string;
  receivedAt?: Date;
  id?: string | undefined;
  subject?: string | undefined;
}): HookEvent {
  const receivedAt = parts.receivedAt ?? new Date();
  return Object.freeze({
    id: parts.id ?? newEventId(receivedAt.getTime()),
    type: parts.type,
    raw: parts.raw,
    fields: parts.fields,
    source: parts.source,
    receivedAt: isoTime(receivedAt),
    ...(parts.subject !== undefined && { subject: parts.subject }),
  });
}

// Events arrive many to a millisecond: the time text of the last one is reused.
let lastTime = Number.NaN;
let lastTimeText = '';

function isoTime(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastTimeText = date.toISOString();
    lastTime = time;
  }
  return lastTimeText;
}
