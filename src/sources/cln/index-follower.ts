// Follows one (subsystem, index) pair of lightningd: page through
// `list<subsystem> index=<i> start=<last+1> limit=<n>`, then
// `wait <subsystem> <i> <last+1>`, and again. Values can jump (a deleted
// row leaves a gap in `created`; a row updated twice shows only its latest
// `updated_index`), so listing always starts at last+1 and never assumes +1.
// Deleted rows cannot be listed: the `deleted` index is followed by `wait`
// alone, each value becoming one event. Only one page is held at a time.
import { makeEvent, type HookEvent } from '../../event.js';
import { isJsonObject, stringifyJson, type JsonObject, type JsonValue } from '../../json.js';
import type { IndexTopic } from '../../lightningd/index-topics.js';
import type { LightningRpc } from './rpc-client.js';

export const SOURCE_NAME = 'cln';
// Rows asked for per list call: the most the follower holds at once.
export const PAGE_ROWS = 200;

export interface FollowerContext {
  readonly rpc: LightningRpc;
  // Hands an event on; resolves once it is durably accepted.
  deliver(event: HookEvent): Promise<void>;
  // The pair has been handled up to `value` (its event, if any, accepted).
  advanced(topic: IndexTopic, value: number): void;
  // Set when the source stops: nothing more is handed on.
  readonly signal: AbortSignal;
  readonly pageRows?: number;
}

// The node's current value of the pair's index (`wait` with nextvalue 0
// answers at once with it).
export async function currentValue(rpc: LightningRpc, topic: IndexTopic): Promise<number> {
  return valueIn(await waitIndex(rpc, topic, 0), topic);
}

// A listed row (or a deletion) and its value of the followed index.
interface IndexRow {
  readonly fields: JsonObject;
  readonly value: number;
}

export class IndexFollower {
  // The last value handed on (0: none yet).
  last: number;

  constructor(
    readonly topic: IndexTopic,
    start: number,
  ) {
    this.last = start;
  }

  // Runs until the connection is lost (rejects with its error) or the
  // signal stops it (resolves).
  async run(context: FollowerContext): Promise<void> {
    // The index as the last `wait` saw it: every value up to it that a full
    // listing did not show belongs to a row since deleted or updated again.
    let known = this.last;
    while (!context.signal.aborted) {
      if (this.topic.index !== 'deleted') {
        if (!(await this.listFrom(context))) return;
        if (known > this.last) this.advance(context, known);
      }
      // A wait may last long: a pair dropped by a reload must not hang on it.
      const reply = await untilAborted(waitIndex(context.rpc, this.topic, this.last + 1), context.signal);
      if (reply === undefined || context.signal.aborted) return;
      const value = valueIn(reply, this.topic);
      if (this.topic.index === 'deleted') {
        if (!(await this.deliverDeletions(context, reply, value))) return;
      } else known = Math.max(known, value);
    }
  }

  // Pages until a short page; false when stopped.
  private async listFrom(context: FollowerContext): Promise<boolean> {
    const limit = context.pageRows ?? PAGE_ROWS;
    const { subsystem, index } = this.topic;
    for (;;) {
      const result = await context.rpc.call(subsystem.listMethod, { index, start: this.last + 1, limit });
      const rows = isJsonObject(result) && Array.isArray(result[subsystem.listKey]) ? (result[subsystem.listKey] as JsonValue[]) : [];
      const before = this.last;
      const page: IndexRow[] = [];
      let top = this.last;
      for (const row of rows) {
        if (!isJsonObject(row)) continue;
        const value = row[`${index}_index`];
        // Listed from last+1, so a smaller value is not expected; never go back.
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= top) continue;
        page.push({ fields: row, value });
        top = value;
      }
      if (!(await this.hand(context, page))) return false;
      if (rows.length < limit) return true;
      // A full page that moved nothing would be asked again forever.
      if (this.last === before) throw new Error(`${subsystem.listMethod} index=${index} start=${before + 1} gave a full page of rows before that value`);
    }
  }

  // Every deleted value up to `value`: the reply's object describes the one
  // that woke the wait; deletions the node made while nobody waited carry
  // only their value.
  private async deliverDeletions(context: FollowerContext, reply: JsonObject, value: number): Promise<boolean> {
    const { subsystem } = this.topic;
    const described = reply[subsystem.name] ?? reply.details;
    const limit = context.pageRows ?? PAGE_ROWS;
    for (let first = this.last + 1; first <= value; first += limit) {
      const page: IndexRow[] = [];
      for (let next = first; next <= Math.min(value, first + limit - 1); next++) {
        const object = next === value && isJsonObject(described) ? described : {};
        page.push({ fields: { ...object, deleted_index: next }, value: next });
      }
      if (!(await this.hand(context, page))) return false;
    }
    return true;
  }

  // A page's events are handed on together, so that the durable queue stores
  // them with one fsync (one each costs ~4 ms a row: 10^4 rows took 45 s);
  // the position passes a row only once it and every row before it are
  // accepted. False when stopped.
  private async hand(context: FollowerContext, page: readonly IndexRow[]): Promise<boolean> {
    if (context.signal.aborted) return false;
    const accepted = await Promise.allSettled(page.map(({ fields, value }) => context.deliver(indexEvent(this.topic, fields, value))));
    for (const [n, result] of accepted.entries()) {
      if (result.status === 'rejected') throw result.reason;
      this.advance(context, (page[n] as IndexRow).value);
    }
    return true;
  }

  private advance(context: FollowerContext, value: number): void {
    this.last = value;
    context.advanced(this.topic, value);
  }
}

// The event of one row (or deletion): its id is stable across restarts, so
// a script can tell a repeat by HOOKD_ID.
export function indexEvent(topic: IndexTopic, fields: JsonObject, value: number): HookEvent {
  return makeEvent({ type: topic.type, fields, raw: stringifyJson(fields), source: SOURCE_NAME, id: `${topic.subsystem.name}:${topic.index}:${value}` });
}

function waitIndex(rpc: LightningRpc, topic: IndexTopic, nextvalue: number): Promise<JsonObject> {
  return rpc.call('wait', { subsystem: topic.subsystem.name, indexname: topic.index, nextvalue }).then((reply) => {
    if (!isJsonObject(reply)) throw new Error(`wait ${topic.subsystem.name} ${topic.index}: the reply is not an object`);
    return reply;
  });
}

// The promise's value, or undefined as soon as the signal aborts.
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    // Its answer no longer matters; its failure must not go unhandled.
    promise.catch(() => {});
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function valueIn(reply: JsonObject, topic: IndexTopic): number {
  const value = reply[topic.index];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`wait ${topic.subsystem.name} ${topic.index}: no index value in the reply`);
  }
  return value;
}
