// Reading the queue back at start: what a previous process left unfinished.
// Pass 1 follows every record to learn which deliveries are still open (few:
// the dispatcher holds at most a window of them) and how far dispatching got;
// dispatching follows arrival order, so every event after that point is
// undispatched. Pass 2 finds the open deliveries' events and counts the
// undispatched ones, without keeping them: they are read again when due.
// A record cut short at the end of a file (a crash mid-write) is reported,
// skipped and cut off; a damaged one elsewhere is reported and skipped.
import { errorText } from '../errors.js';
import { truncateSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AttemptRecord } from './dead-letter.js';
import type { HookEvent } from '../event.js';
import type { PendingDelivery } from './queue.js';
import { decodeRecord, eventRecordSeq, restoreEvent, type DeliveryState, type QueueRecord, type StoredEvent } from './records.js';
import { readLines } from './read-lines.js';
import { listSegments, segmentFile, type Position } from './segments.js';

// A dispatched event with deliveries not yet done or dead.
export interface LiveEvent {
  // The segment that holds the event's full record (its `event` or latest `carried`).
  segment: number;
  event: HookEvent;
  readonly deliveries: Map<string, DeliveryState>;
}

export interface ScannedQueue {
  // Segment number -> events in it not yet finished.
  readonly segments: Map<number, number>;
  readonly live: Map<number, LiveEvent>;
  // The first undispatched event, if any.
  readonly spill: Position | undefined;
  readonly undispatched: number;
  readonly nextSeq: number;
  readonly pending: PendingDelivery[];
}

interface OpenEvent {
  segment: number | undefined;
  stored: StoredEvent | undefined;
  readonly deliveries: Map<string, DeliveryState & { starts: Map<number, string> }>;
}

export function scanQueue(dir: string, log: Logger): ScannedQueue {
  const numbers = listSegments(dir);
  const open = new Map<number, OpenEvent>();
  let dispatchedUpTo = 0;
  let maxSeq = 0;
  for (const segment of numbers) {
    for (const { record } of records(dir, segment, log, true)) {
      maxSeq = Math.max(maxSeq, record.seq);
      if (record.rec === 'dispatched' || record.rec === 'carried') dispatchedUpTo = Math.max(dispatchedUpTo, record.seq);
      follow(open, record, segment);
    }
  }

  const segments = new Map<number, number>(numbers.map((number) => [number, 0]));
  let spill: Position | undefined;
  let undispatched = 0;
  for (const segment of numbers) {
    for (const { record, offset, text } of records(dir, segment, log, false)) {
      if (record.rec !== 'event') continue;
      if (record.seq > dispatchedUpTo) {
        spill ??= { segment, offset };
        undispatched++;
        segments.set(segment, (segments.get(segment) ?? 0) + 1);
        continue;
      }
      const state = open.get(record.seq);
      if (state !== undefined && state.stored === undefined) {
        // Parsed only now: one of the few events with open deliveries.
        const full = decodeRecord(text);
        if (typeof full === 'string' || full.rec !== 'event') continue;
        state.stored = full.event;
        state.segment = segment;
      }
    }
  }

  const live = new Map<number, LiveEvent>();
  const pending: PendingDelivery[] = [];
  for (const [seq, state] of [...open].sort(([a], [b]) => a - b)) {
    if (state.stored === undefined || state.segment === undefined) {
      log.warn({ seq, hooks: [...state.deliveries.keys()] }, 'an unfinished delivery cannot be recovered: the record of its event is damaged or missing');
      continue;
    }
    let event: HookEvent;
    try {
      event = restoreEvent(state.stored);
    } catch (error) {
      log.warn({ seq, error: errorText(error) }, 'an unfinished delivery cannot be recovered: its stored event is unreadable');
      continue;
    }
    const deliveries = new Map<string, DeliveryState>();
    for (const [hook, delivery] of state.deliveries) {
      const history = withInterruptions(delivery);
      deliveries.set(hook, { attempts: delivery.attempts, history });
      pending.push({ seq, event, hook, attempts: delivery.attempts, history });
    }
    live.set(seq, { segment: state.segment, event, deliveries });
    segments.set(state.segment, (segments.get(state.segment) ?? 0) + 1);
  }
  return { segments, live, spill, undispatched, nextSeq: maxSeq + 1, pending };
}

// Apply one record of pass 1 to the open deliveries.
function follow(open: Map<number, OpenEvent>, record: ScannedRecord, segment: number): void {
  switch (record.rec) {
    case 'dispatched':
      if (record.hooks.length === 0) open.delete(record.seq);
      else open.set(record.seq, { segment: undefined, stored: undefined, deliveries: new Map(record.hooks.map((hook) => [hook, { attempts: 0, history: [], starts: new Map() }])) });
      return;
    case 'carried': {
      const deliveries = new Map(Object.entries(record.deliveries).map(([hook, state]) => [hook, { attempts: state.attempts, history: [...state.history], starts: new Map<number, string>() }]));
      open.set(record.seq, { segment, stored: record.event, deliveries });
      return;
    }
    case 'started': {
      const delivery = open.get(record.seq)?.deliveries.get(record.hook);
      if (delivery === undefined) return;
      delivery.attempts = Math.max(delivery.attempts, record.attempt);
      delivery.starts.set(record.attempt, record.at);
      return;
    }
    case 'failed':
      open.get(record.seq)?.deliveries.get(record.hook)?.history.push(record.result);
      return;
    case 'settled': {
      const state = open.get(record.seq);
      state?.deliveries.delete(record.hook);
      if (state?.deliveries.size === 0) open.delete(record.seq);
      return;
    }
    case 'event':
      return;
  }
}

// Attempts that started but never ended were cut short by the stop (a crash,
// or a shutdown that ended them): say so in the history.
function withInterruptions(delivery: DeliveryState & { starts: Map<number, string> }): AttemptRecord[] {
  const history = [...delivery.history];
  for (let attempt = 1; attempt <= delivery.attempts; attempt++) {
    if (history.some((entry) => entry.attempt === attempt)) continue;
    history.push({
      attempt,
      startedAt: delivery.starts.get(attempt) ?? '',
      durationMs: 0,
      outcome: 'cut short: hookd stopped during the run',
      exitCode: null,
      signal: null,
      timedOut: false,
      stderrTail: [],
    });
  }
  return history.sort((a, b) => a.attempt - b.attempt);
}

// An `event` record known only by its seq (see eventRecordSeq).
type ScannedRecord = Exclude<QueueRecord, { rec: 'event' }> | { readonly rec: 'event'; readonly seq: number };

// The good records of one segment; bad ones are reported (first pass only).
function* records(dir: string, segment: number, log: Logger, report: boolean): Generator<{ record: ScannedRecord; offset: number; text: string }> {
  const file = segmentFile(dir, segment);
  for (const line of readLines(file)) {
    if (line.text === undefined) {
      if (report) {
        log.warn({ file, offset: line.offset, bytes: line.end - line.offset }, 'queue file ends in a record cut short (hookd stopped mid-write): skipped and cut off; nothing before it is lost');
        truncateSync(file, line.offset);
      }
      return;
    }
    const seq = eventRecordSeq(line.text);
    if (seq !== undefined) {
      yield { record: { rec: 'event', seq }, offset: line.offset, text: line.text };
      continue;
    }
    const record = decodeRecord(line.text);
    if (typeof record === 'string') {
      if (report) log.warn({ file, offset: line.offset, problem: record }, 'damaged queue record skipped');
      continue;
    }
    yield { record, offset: line.offset, text: line.text };
  }
}
