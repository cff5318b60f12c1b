// Reading undispatched events back from the segments, in arrival order, a
// bounded batch at a time: how the durable queue keeps a backlog on disk
// rather than in memory.
import { statSync } from 'node:fs';
import type { HookEvent } from '../event.js';
import { decodeRecord, restoreEvent, type QueueRecord } from './records.js';
import { readLines } from './read-lines.js';
import { segmentFile, type Position } from './segments.js';

// Bytes of records read back at once, at most.
const READ_BACK_BYTES = 1024 * 1024;

export interface ReadBackRequest {
  readonly dir: string;
  // Where to start (the first undispatched event not in memory).
  readonly from: Position;
  // The end of what is written (the writer's position).
  readonly end: Position;
  // The segments that exist, oldest first.
  readonly segments: readonly number[];
  // Skip events up to this seq (already in memory).
  readonly afterSeq: number;
  readonly maxEvents: number;
}

export interface ReadBackEvent {
  readonly seq: number;
  readonly segment: number;
  // Undefined when the stored text cannot be read: it can never run.
  readonly event: HookEvent | undefined;
  readonly hooks: readonly string[] | undefined;
  readonly problem?: unknown;
}

export interface ReadBack {
  readonly events: ReadBackEvent[];
  // Where the next batch starts; undefined once everything written was read.
  readonly next: Position | undefined;
}

export function readBack(request: ReadBackRequest): ReadBack {
  const { dir, end } = request;
  const events: ReadBackEvent[] = [];
  let position = request.from;
  let bytes = 0;
  for (;;) {
    const file = segmentFile(dir, position.segment);
    const limit = position.segment === end.segment ? end.offset : statSync(file).size;
    for (const line of readLines(file, position.offset, limit)) {
      if (events.length >= request.maxEvents || bytes >= READ_BACK_BYTES) return { events, next: { segment: position.segment, offset: line.offset } };
      if (line.text === undefined) break;
      bytes += line.end - line.offset;
      const record = decodeRecord(line.text);
      if (typeof record === 'string' || record.rec !== 'event' || record.seq <= request.afterSeq) continue;
      events.push({ seq: record.seq, segment: position.segment, hooks: record.hooks, ...restore(record) });
    }
    const following = request.segments.find((segment) => segment > position.segment);
    if (position.segment === end.segment || following === undefined) return { events, next: undefined };
    position = { segment: following, offset: 0 };
  }
}

function restore(record: Extract<QueueRecord, { rec: 'event' }>): { event: HookEvent | undefined; problem?: unknown } {
  try {
    return { event: restoreEvent(record.event) };
  } catch (problem) {
    return { event: undefined, problem };
  }
}
