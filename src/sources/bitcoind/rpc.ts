// A JSON-RPC client for bitcoind over HTTP with Basic auth. Replies are
// parsed by src/json.ts, so amounts keep their text ("0.10000000"). Both reply
// conventions are understood: 1.0 errors come with HTTP 500 (404 for an
// unknown method), 2.0 errors with 200; a rejected login is a 401 with an
// empty body. What goes wrong is one of three errors: RpcError (bitcoind
// answered with an error), RpcAuthError (credentials refused) and
// RpcUnavailable (no answer: not running, restarting, a reply that is not JSON).
import http from 'node:http';
import { isJsonObject, JsonSyntaxError, parseJson, type JsonValue } from '../../json.js';
import { readCredentials, type CredentialSource } from './credentials.js';

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly method: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

export class RpcAuthError extends Error {}
export class RpcUnavailable extends Error {
  constructor(
    message: string,
    // The connection was closed under the request (a kept-alive one, after a restart).
    readonly reset = false,
  ) {
    super(message);
  }
}

// bitcoind's codes that a follower meets.
export const RPC_IN_WARMUP = -28;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_INVALID_ADDRESS_OR_KEY = -5;
export const RPC_WALLET_NOT_FOUND = -18;

export interface CallOptions {
  // Sent to /wallet/<name>.
  readonly wallet?: string | undefined;
  // How long to wait for the reply (a long poll needs its own).
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class BitcoindRpc {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private authorization: string | undefined;
  private nextId = 1;

  constructor(
    readonly url: URL,
    private readonly credentials: CredentialSource,
  ) {}

  // One call; a 401 reads the credentials again once (a restarted bitcoind
  // writes a new cookie) before it is an RpcAuthError.
  async call(method: string, params: readonly JsonValue[], options: CallOptions = {}): Promise<JsonValue> {
    const fresh = this.authorization === undefined;
    this.authorization ??= await this.readAuthorization();
    let reply = await this.post(method, params, options);
    if (reply.status === 401 && !fresh) {
      this.authorization = await this.readAuthorization();
      reply = await this.post(method, params, options);
    }
    if (reply.status === 401 || reply.status === 403) {
      this.authorization = undefined;
      throw new RpcAuthError(`bitcoind at ${this.url.host} refused the credentials (HTTP ${reply.status})`);
    }
    return resultOf(method, reply);
  }

  // Whether anything answers HTTP at the URL (a 401 to a call without credentials).
  async answers(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.send('{}', undefined, '/', { timeoutMs: 5_000, signal });
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async readAuthorization(): Promise<string> {
    return `Basic ${Buffer.from(await readCredentials(this.credentials)).toString('base64')}`;
  }

  // Every call hookd makes only reads: one that met a kept-alive connection
  // closed by a restarted bitcoind is sent again, once.
  private async post(method: string, params: readonly JsonValue[], options: CallOptions): Promise<HttpReply> {
    const body = JSON.stringify({ jsonrpc: '1.0', id: this.nextId++, method, params });
    const path = options.wallet === undefined ? '/' : `/wallet/${encodeURIComponent(options.wallet)}`;
    try {
      return await this.send(body, this.authorization, path, options);
    } catch (error) {
      if (!(error instanceof RpcUnavailable && error.reset) || options.signal?.aborted) throw error;
      return this.send(body, this.authorization, path, options);
    }
  }

  private send(body: string, authorization: string | undefined, path: string, options: CallOptions): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
      if (authorization !== undefined) headers.Authorization = authorization;
      const request = http.request(
        { host: this.url.hostname, port: this.url.port || 80, path, method: 'POST', headers, agent: this.agent, signal: options.signal, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          response.on('error', (error) => reject(unavailable(this.url, error)));
        },
      );
      request.on('timeout', () => request.destroy(new Error('no reply in time')));
      request.on('error', (error) => reject(options.signal?.aborted ? error : unavailable(this.url, error)));
      request.end(body);
    });
  }
}

interface HttpReply {
  readonly status: number;
  readonly text: string;
}

function unavailable(url: URL, error: Error): RpcUnavailable {
  const code = (error as NodeJS.ErrnoException).code;
  return new RpcUnavailable(`bitcoind at ${url.host} does not answer: ${code ?? error.message}`, code === 'ECONNRESET' || code === 'EPIPE');
}

// The result of a reply, or its error as an RpcError.
function resultOf(method: string, reply: HttpReply): JsonValue {
  let body: JsonValue;
  try {
    body = parseJson(reply.text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    // e.g. 503 "Work queue depth exceeded": busy, not broken.
    throw new RpcUnavailable(`${method}: bitcoind answered HTTP ${reply.status} without JSON`);
  }
  if (!isJsonObject(body)) throw new RpcUnavailable(`${method}: bitcoind answered HTTP ${reply.status} with a reply that is not a JSON-RPC object`);
  const error = body.error;
  if (error !== undefined && error !== null) {
    const code = isJsonObject(error) && typeof error.code === 'number' ? error.code : 0;
    const message = isJsonObject(error) && typeof error.message === 'string' ? error.message : 'unknown error';
    throw new RpcError(code, message, method);
  }
  if (!('result' in body)) throw new RpcUnavailable(`${method}: bitcoind answered HTTP ${reply.status} without a result`);
  return body.result as JsonValue;
}
