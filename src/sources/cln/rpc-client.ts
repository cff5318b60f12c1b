// A JSON-RPC 2.0 client on lightningd's unix socket (lightning-rpc). Replies
// are JSON objects back to back, each followed by a blank line; several
// requests may be in flight on one connection and are answered by id, in any
// order (a `wait` stays pending while a `list` is answered). Replies are
// parsed with hookd's exact parser, so msat values keep every digit.
import net from 'node:net';
import { MessageReader } from '../../lightningd/framing.js';
import { errorText } from '../../errors.js';
import { isJsonObject, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../../json.js';

// lightningd answered with a JSON-RPC error (unknown command, bad parameter).
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (code ${code})`);
    this.name = 'RpcError';
  }
}

// The connection is gone (lightningd stopped or restarting): the request may
// or may not have been seen, and is to be asked again on a new connection.
export class RpcConnectionLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpcConnectionLost';
  }
}

// JSON-RPC's "invalid params": lightningd's answer to a subsystem or index it
// does not know.
export const INVALID_PARAMS = -32602;
// "Method not found": a list command the node does not have.
export const METHOD_NOT_FOUND = -32601;

interface Pending {
  readonly method: string;
  readonly resolve: (result: JsonValue) => void;
  readonly reject: (error: Error) => void;
}

export class LightningRpc {
  private readonly reader = new MessageReader();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private lost: RpcConnectionLost | undefined;
  private lostResolve!: (error: RpcConnectionLost) => void;
  // Resolves once the connection is gone, with why.
  readonly closed: Promise<RpcConnectionLost>;

  private constructor(
    private readonly socket: net.Socket,
    readonly path: string,
  ) {
    this.closed = new Promise((resolve) => (this.lostResolve = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(`lightning-rpc ${path}: ${errorText(error)}`));
    socket.on('close', () => this.fail(`lightning-rpc ${path}: connection closed`));
  }

  // Connects to the socket; rejects with RpcConnectionLost when nobody listens.
  static connect(path: string): Promise<LightningRpc> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path);
      const onError = (error: Error): void => reject(new RpcConnectionLost(`cannot connect to lightning-rpc ${path}: ${errorText(error)}`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new LightningRpc(socket, path));
      });
    });
  }

  // One request; resolves with its `result`.
  call(method: string, params: JsonObject = {}): Promise<JsonValue> {
    if (this.lost !== undefined) return Promise.reject(this.lost);
    const id = `hookd:${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.socket.write(`${stringifyJson({ jsonrpc: '2.0', id, method, params })}\n\n`);
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(`lightning-rpc ${this.path}: closed by hookd`);
  }

  private onData(chunk: Buffer): void {
    for (const item of this.reader.push(chunk)) {
      if (item.kind !== 'message') {
        // Not lightningd: give up on this connection rather than guess.
        this.socket.destroy();
        return this.fail(`lightning-rpc ${this.path}: the reply is not JSON-RPC (${item.kind})`);
      }
      this.onMessage(item.text);
    }
  }

  private onMessage(text: string): void {
    let message: JsonValue;
    try {
      message = parseJson(text);
    } catch (error) {
      this.socket.destroy();
      return this.fail(`lightning-rpc ${this.path}: a reply is not JSON: ${errorText(error)}`);
    }
    if (!isJsonObject(message) || typeof message.id !== 'string') return; // a notification: hookd subscribed to none
    const request = this.pending.get(message.id);
    if (request === undefined) return;
    this.pending.delete(message.id);
    const { error } = message;
    if (isJsonObject(error)) {
      const code = typeof error.code === 'number' ? error.code : 0;
      request.reject(new RpcError(request.method, code, typeof error.message === 'string' ? error.message : 'error'));
    } else if ('result' in message) request.resolve(message.result as JsonValue);
    else request.reject(new RpcError(request.method, 0, 'reply without result nor error'));
  }

  private fail(reason: string): void {
    if (this.lost !== undefined) return;
    this.lost = new RpcConnectionLost(reason);
    for (const request of this.pending.values()) request.reject(this.lost);
    this.pending.clear();
    this.lostResolve(this.lost);
  }
}
