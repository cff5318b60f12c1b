// The queue's records: one line each, "<crc32 in hex> <JSON>\n". The checksum
// and the final newline tell a whole record from one cut short by a crash or
// damaged on disk. Event text is kept exactly as received (`raw`); its fields
// are parsed again when it is read back, numbers exact.
import { crc32 } from 'node:zlib';
import type { AttemptRecord } from './dead-letter.js';
import { makeEvent, type HookEvent } from '../event.js';
import { isJsonObject, parseJson } from '../json.js';
import type { Settlement } from './queue.js';

// An event as stored (in queue records and dead letters).
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly receivedAt: string;
  readonly raw: string;
}

// What is left of a dispatched event's delivery to one hook.
export interface DeliveryState {
  attempts: number;
  readonly history: AttemptRecord[];
}

export type QueueRecord =
  // Accepted (only for `hooks` when replayed for given hooks).
  | { readonly rec: 'event'; readonly seq: number; readonly event: StoredEvent; readonly hooks?: readonly string[] | undefined }
  // Matched: these hooks will run it (possibly none).
  | { readonly rec: 'dispatched'; readonly seq: number; readonly hooks: readonly string[] }
  | { readonly rec: 'started'; readonly seq: number; readonly hook: string; readonly attempt: number; readonly at: string }
  | { readonly rec: 'failed'; readonly seq: number; readonly hook: string; readonly result: AttemptRecord }
  | { readonly rec: 'settled'; readonly seq: number; readonly hook: string; readonly outcome: Settlement }
  // A dispatched, unfinished event copied forward so that an old file can go.
  | { readonly rec: 'carried'; readonly seq: number; readonly event: StoredEvent; readonly deliveries: Readonly<Record<string, DeliveryState>> };

export function encodeRecord(record: QueueRecord): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

// A line without its newline: the record, or why it is not one.
export function decodeRecord(line: string): QueueRecord | string {
  const space = line.indexOf(' ');
  if (space !== 8) return 'no checksum';
  const json = line.slice(9);
  if (line.slice(0, 8) !== checksum(json)) return 'checksum mismatch';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'invalid JSON';
  }
  if (typeof value !== 'object' || value === null || typeof (value as { seq?: unknown }).seq !== 'number') return 'not a queue record';
  return value as QueueRecord;
}

// An `event` record's seq, checked but not parsed: the start-up scan meets a
// backlog's every event and needs only that (parsing them all would churn the
// heap). Undefined for any other record, or a damaged one.
const EVENT_START = /^[0-9a-f]{8} \{"rec":"event","seq":(\d+),/;

export function eventRecordSeq(line: string): number | undefined {
  const match = EVENT_START.exec(line);
  if (match === null || line.slice(0, 8) !== checksum(line.slice(9))) return undefined;
  return Number(match[1]);
}

function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

export function storedEvent(event: HookEvent): StoredEvent {
  return { id: event.id, type: event.type, source: event.source, receivedAt: event.receivedAt, raw: event.raw };
}

// Back to a HookEvent: the fields are parsed from the exact text again.
export function restoreEvent(stored: StoredEvent): HookEvent {
  const fields = parseJson(stored.raw);
  if (!isJsonObject(fields)) throw new Error(`stored event ${stored.id} is not a JSON object`);
  return makeEvent({ type: stored.type, fields, raw: stored.raw, source: stored.source, receivedAt: new Date(stored.receivedAt), id: stored.id });
}
