// A stand-in for lightningd's JSON-RPC socket (lightning-rpc), as far as the
// `cln` source uses it, following the behaviour captured from real v26.06.6
// nodes (test/fixtures/cln-rpc/README.md):
// - requests are JSON objects back to back; every reply is one JSON object
//   followed by a blank line; several requests run at once on a connection
//   and are answered by id, in any order;
// - each subsystem keeps `created`, `updated` and `deleted` counters; a
//   deleted row leaves a gap in `created`, a row updated again moves on in
//   `updated` (so `index=updated` lists each row once, at its latest value);
// - `list<subsystem>` with `index`/`start`/`limit` ("limit" without "index"
//   is refused; chainmoves/channelmoves refuse index=updated; networkevents
//   treat updated/deleted as created);
// - `wait` answers at once with the current value when it is already at or
//   past `nextvalue`, else when a change reaches it, with the object that
//   describes the change (invoices/forwards/sendpays also as `details`);
// - `getinfo` gives the version. An "old node" lacks some subsystems: their
//   list command is unknown and `wait` refuses them as lightningd does.
// Tests add, update and delete rows, stop and restart the node.
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MessageReader } from '../src/lightningd/framing.ts';
import { isJsonObject, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../src/json.ts';
import { FIXTURES } from './helpers.ts';

export const RPC_FIXTURES = path.join(FIXTURES, 'cln-rpc');

type IndexName = 'created' | 'updated' | 'deleted';

interface Kind {
  readonly listMethod: string;
  readonly listKey: string;
  // Index names `list` accepts, and how it reads them.
  readonly listIndexes: Readonly<Record<string, 'created' | 'updated'>>;
  // The wait reply's object: a summary of the row.
  readonly summary: (row: JsonObject, index: IndexName) => JsonObject;
  // invoices, forwards and sendpays repeat the object as the deprecated `details`.
  readonly details: boolean;
}

const pick = (row: JsonObject, names: readonly string[], renames: Record<string, string> = {}): JsonObject => {
  const out: JsonObject = {};
  for (const name of names) {
    const value = row[renames[name] ?? name];
    if (value !== undefined) out[name] = value;
  }
  return out;
};

const CREATED_UPDATED = { created: 'created', updated: 'updated' } as const;
const KINDS: Readonly<Record<string, Kind>> = {
  invoices: { listMethod: 'listinvoices', listKey: 'invoices', listIndexes: CREATED_UPDATED, details: true, summary: (row, index) => pick(row, index === 'updated' ? ['status', 'label'] : ['label', 'status', 'bolt11']) },
  forwards: { listMethod: 'listforwards', listKey: 'forwards', listIndexes: CREATED_UPDATED, details: true, summary: (row, index) => pick(row, index === 'deleted' ? ['status', 'in_channel', 'in_htlc_id'] : ['status', 'in_channel', 'in_htlc_id', 'in_msat', 'out_channel']) },
  sendpays: { listMethod: 'listsendpays', listKey: 'payments', listIndexes: CREATED_UPDATED, details: true, summary: (row) => pick(row, ['status', 'partid', 'groupid', 'payment_hash']) },
  htlcs: { listMethod: 'listhtlcs', listKey: 'htlcs', listIndexes: CREATED_UPDATED, details: false, summary: (row) => pick(row, ['state', 'short_channel_id', 'direction', 'htlc_id', 'cltv_expiry', 'payment_hash', 'amount_msat'], { htlc_id: 'id', cltv_expiry: 'expiry' }) },
  chainmoves: { listMethod: 'listchainmoves', listKey: 'chainmoves', listIndexes: { created: 'created' }, details: false, summary: (row) => pick(row, ['account', 'credit_msat', 'debit_msat'], { account: 'account_id' }) },
  channelmoves: { listMethod: 'listchannelmoves', listKey: 'channelmoves', listIndexes: { created: 'created' }, details: false, summary: (row) => pick(row, ['account', 'credit_msat', 'debit_msat'], { account: 'account_id' }) },
  networkevents: { listMethod: 'listnetworkevents', listKey: 'networkevents', listIndexes: { created: 'created', updated: 'created', deleted: 'created' }, details: false, summary: (row) => pick(row, ['created_index', 'type', 'peer_id']) },
};

export type SubsystemName = 'invoices' | 'forwards' | 'sendpays' | 'htlcs' | 'chainmoves' | 'channelmoves' | 'networkevents';

interface Table {
  // By created_index, in creation order.
  readonly rows: Map<number, JsonObject>;
  readonly counters: Record<IndexName, number>;
}

interface Waiter {
  readonly subsystem: string;
  readonly index: IndexName;
  readonly nextvalue: number;
  readonly answer: (result: JsonObject) => void;
}

export interface StandinOptions {
  readonly socketPath: string;
  readonly version?: string;
  // Subsystems this node does not have (an older release).
  readonly omit?: readonly string[];
}

export class LightningRpcStandin {
  readonly socketPath: string;
  readonly version: string;
  // Every request received, in order (method and params).
  readonly requests: { method: string; params: JsonValue }[] = [];
  private readonly tables = new Map<string, Table>();
  private readonly waiters = new Set<Waiter>();
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;

  constructor(options: StandinOptions) {
    this.socketPath = options.socketPath;
    this.version = options.version ?? 'v26.06.6';
    for (const name of Object.keys(KINDS)) {
      if (!options.omit?.includes(name)) this.tables.set(name, { rows: new Map(), counters: { created: 0, updated: 0, deleted: 0 } });
    }
  }

  // Listens on the socket (again, after stop(): the rows are kept, as in lightningd's database).
  async start(): Promise<void> {
    rmSync(this.socketPath, { force: true });
    const server = net.createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    this.server = server;
  }

  // lightningd going away: every connection drops, pending waits unanswered.
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.waiters.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  counter(subsystem: SubsystemName, index: IndexName): number {
    return this.table(subsystem).counters[index];
  }

  // A new row; returns its created_index.
  create(subsystem: SubsystemName, fields: JsonObject): number {
    const table = this.table(subsystem);
    const createdIndex = ++table.counters.created;
    const row: JsonObject = { ...fields, created_index: createdIndex };
    table.rows.set(createdIndex, row);
    this.fire(subsystem, 'created', row);
    return createdIndex;
  }

  // Rows made by `make(i)` for i = 1..count, waking waiters once at the end (a fast seed).
  createMany(subsystem: SubsystemName, count: number, make: (i: number) => JsonObject): void {
    const table = this.table(subsystem);
    for (let i = 1; i <= count; i++) {
      const createdIndex = ++table.counters.created;
      table.rows.set(createdIndex, { ...make(i), created_index: createdIndex });
    }
    this.wake(subsystem, 'created', undefined);
  }

  // Changes a row; returns its new updated_index.
  update(subsystem: SubsystemName, createdIndex: number, changes: JsonObject): number {
    const table = this.table(subsystem);
    const row = table.rows.get(createdIndex);
    if (row === undefined) throw new Error(`no ${subsystem} row ${createdIndex}`);
    const updatedIndex = ++table.counters.updated;
    Object.assign(row, changes, { updated_index: updatedIndex });
    this.fire(subsystem, 'updated', row);
    return updatedIndex;
  }

  // Deletes a row; returns the deleted counter's new value.
  remove(subsystem: SubsystemName, createdIndex: number): number {
    const table = this.table(subsystem);
    const row = table.rows.get(createdIndex);
    if (row === undefined) throw new Error(`no ${subsystem} row ${createdIndex}`);
    table.rows.delete(createdIndex);
    table.counters.deleted++;
    this.fire(subsystem, 'deleted', row);
    return table.counters.deleted;
  }

  // Rows exactly as a real node listed them (a fixture's `response`), with
  // their own indexes; the counters move up to the largest.
  seed(subsystem: SubsystemName, fixture: string): JsonObject[] {
    const table = this.table(subsystem);
    const rows = (fixtureResponse(fixture)[KINDS[subsystem]!.listKey] as JsonObject[]).map((row) => ({ ...row }));
    for (const row of rows) {
      const created = row.created_index as number;
      table.rows.set(created, row);
      table.counters.created = Math.max(table.counters.created, created);
      if (typeof row.updated_index === 'number') table.counters.updated = Math.max(table.counters.updated, row.updated_index);
    }
    return rows;
  }

  private table(subsystem: string): Table {
    const table = this.tables.get(subsystem);
    if (table === undefined) throw new Error(`this node has no ${subsystem}`);
    return table;
  }

  private fire(subsystem: string, index: IndexName, row: JsonObject): void {
    this.wake(subsystem, index, KINDS[subsystem]!.summary(row, index));
  }

  // Answers the waits the counter now reaches, with the change's object.
  private wake(subsystem: string, index: IndexName, object: JsonObject | undefined): void {
    const value = this.table(subsystem).counters[index];
    for (const waiter of [...this.waiters]) {
      if (waiter.subsystem !== subsystem || waiter.index !== index || value < waiter.nextvalue) continue;
      this.waiters.delete(waiter);
      const result: JsonObject = { subsystem, [index]: value };
      if (object !== undefined) {
        if (KINDS[subsystem]!.details) result.details = object;
        result[subsystem] = object;
      }
      waiter.answer(result);
    }
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    const reader = new MessageReader();
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      for (const item of reader.push(chunk)) {
        if (item.kind !== 'message') return void socket.destroy();
        const request = parseJson(item.text);
        if (!isJsonObject(request)) return void socket.destroy();
        this.handle(request, (reply) => {
          if (!socket.destroyed) socket.write(`${stringifyJson({ jsonrpc: '2.0', id: request.id as JsonValue, ...reply })}\n\n`);
        });
      }
    });
  }

  private handle(request: JsonObject, send: (reply: JsonObject) => void): void {
    const method = String(request.method);
    const params = isJsonObject(request.params) ? request.params : {};
    this.requests.push({ method, params });
    const fail = (code: number, message: string): void => send({ error: { code, message } });
    if (method === 'getinfo') return send({ result: { ...fixtureResponse('getinfo-B.json'), version: this.version } });
    if (method === 'wait') return this.handleWait(params, (result) => send({ result }), fail);
    const subsystem = [...this.tables.keys()].find((name) => KINDS[name]!.listMethod === method);
    if (subsystem === undefined) return fail(-32601, `Unknown command '${method}'`);
    const result = this.list(subsystem, params);
    if (typeof result === 'string') return fail(-32602, result);
    send({ result });
  }

  private handleWait(params: JsonObject, answer: (result: JsonObject) => void, fail: (code: number, message: string) => void): void {
    const { subsystem, indexname, nextvalue } = params;
    if (typeof subsystem !== 'string' || !this.tables.has(subsystem)) return fail(-32602, `subsystem: unknown subsystem: invalid token '${JSON.stringify(subsystem)}'`);
    if (indexname !== 'created' && indexname !== 'updated' && indexname !== 'deleted') return fail(-32602, `indexname: unknown index: invalid token '${JSON.stringify(indexname)}'`);
    if (typeof nextvalue !== 'number' || !Number.isSafeInteger(nextvalue) || nextvalue < 0) return fail(-32602, `nextvalue: should be an unsigned 64 bit integer: invalid token '${String(nextvalue)}'`);
    const value = this.table(subsystem).counters[indexname];
    if (value >= nextvalue) return answer({ subsystem, [indexname]: value });
    this.waiters.add({ subsystem, index: indexname, nextvalue, answer });
  }

  // The list reply, or the error message.
  private list(subsystem: string, params: JsonObject): JsonObject | string {
    const kind = KINDS[subsystem]!;
    const { index, start, limit } = params;
    if (index === undefined) {
      if (limit !== undefined) return 'Can only specify {limit} with {index}';
      return { [kind.listKey]: [...this.table(subsystem).rows.values()] };
    }
    const order = typeof index === 'string' ? kind.listIndexes[index] : undefined;
    if (order === undefined) return `index must be 'created', since ${subsystem} are never updated`;
    const from = typeof start === 'number' ? start : 0;
    const field = `${order}_index`;
    let rows = [...this.table(subsystem).rows.values()];
    if (order === 'updated') {
      // Never-updated rows come first, and only when listing from 0.
      const never = from === 0 ? rows.filter((row) => row.updated_index === undefined) : [];
      const updated = rows.filter((row) => typeof row.updated_index === 'number' && row.updated_index >= from);
      rows = [...never, ...updated.sort((a, b) => (a.updated_index as number) - (b.updated_index as number))];
    } else rows = rows.filter((row) => (row[field] as number) >= from).sort((a, b) => (a.created_index as number) - (b.created_index as number));
    if (typeof limit === 'number') rows = rows.slice(0, limit);
    return { [kind.listKey]: rows };
  }
}

// The `response` of a captured reply in test/fixtures/cln-rpc/.
export function fixtureResponse(name: string): JsonObject {
  const capture = parseJson(readFileSync(path.join(RPC_FIXTURES, name), 'utf8'));
  if (!isJsonObject(capture) || !isJsonObject(capture.response)) throw new Error(`${name}: no response object`);
  return capture.response;
}
