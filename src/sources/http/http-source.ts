// The http source: webhooks from BTCPay Server, GitHub and friends. A POST of
// a JSON object to `path` is an event; the answer is 202 once the event is
// stored (the acknowledgement, as on the socket), or the one-line reason it
// was not taken. Answers are JSON: {"ok":true,"id":"..."} or {"ok":false,"error":"..."}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { HttpSourceSpec } from '../../config/http-settings.js';
import { formatListenAddress, type ListenAddress } from '../../config/listen-address.js';
import { readSecretFile } from '../../config/secret-file.js';
import { errorText } from '../../errors.js';
import { EventError } from '../../event.js';
import { rememberSecrets } from '../../log/redact.js';
import type { EventSink, Source } from '../source.js';
import { eventFromBody } from './body-event.js';
import { HttpListener } from './listen.js';
import { readRequestBody } from './request-body.js';
import { checkSignature } from './signature.js';

// Connections served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS = 256;
// A client gets this long to send its whole request.
const REQUEST_TIMEOUT_MS = 30_000;
// How long requests under way may take to get their answers at stop.
const STOP_GRACE_MS = 2000;

// The http source's settings as the config gives them (listen, urlPath,
// signature, typeHeader).
export type HttpSourceOptions = Omit<HttpSourceSpec, 'kind'>;

type Answer = { readonly status: number; readonly body: Record<string, unknown>; readonly headers?: Record<string, string> };

export class HttpSource implements Source {
  readonly name = 'http';
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private listener: HttpListener | undefined;
  private secret: Buffer | undefined;
  private stopped = false;
  private readonly counts = { accepted: 0, refused: 0, unauthorized: 0 };

  constructor(private readonly options: HttpSourceOptions) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  // The address listened on (with the port chosen, for port 0).
  get listening(): ListenAddress {
    return this.listener?.address ?? this.options.listen;
  }

  async start(sink: EventSink): Promise<void> {
    if (this.options.signature) {
      this.secret = readSecretFile(this.options.signature.secretFile);
      // Should a hook ever print it, the log masks it like a secret of a hook's env.
      rememberSecrets({ HTTP_SECRET: this.secret.toString('utf8') });
    }
    const server = createServer((request, response) => void this.serve(request, response, sink));
    server.maxConnections = MAX_CONNECTIONS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.listener = new HttpListener(server, this.options.listen);
    if (await this.listener.listen()) sink.log.warn({ source: this.name, path: formatListenAddress(this.listening) }, 'replaced a stale socket file left by a hookd that did not stop cleanly');
    sink.log.info({ source: this.name, listen: formatListenAddress(this.listening), path: this.options.urlPath }, 'listening');
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.ended;
    this.stopped = true;
    await this.listener?.close(STOP_GRACE_MS);
    this.endResolve();
  }

  status(): Record<string, unknown> {
    // `path` is the WHERE column of `hookd status`: 127.0.0.1:8080/events, /run/hookd.sock:/events.
    const address = this.listening;
    const where = address.kind === 'unix' ? `${address.path}:${this.options.urlPath}` : `${formatListenAddress(address)}${this.options.urlPath}`;
    return { path: where, ...this.counts };
  }

  private async serve(request: IncomingMessage, response: ServerResponse, sink: EventSink): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.answer(request, sink);
    } catch (error) {
      // Never a stack trace to the client; the log has what went wrong.
      sink.log.error({ source: this.name }, `request failed: ${errorText(error)}`);
      answer = refusal(500, 'internal error');
    }
    if (answer.status === 202) this.counts.accepted++;
    else if (answer.status === 401) this.counts.unauthorized++;
    else this.counts.refused++;
    send(response, answer);
  }

  private async answer(request: IncomingMessage, sink: EventSink): Promise<Answer> {
    const url = new URL(request.url ?? '/', 'http://hookd');
    if (url.pathname !== this.options.urlPath) return refusal(404, `no such path; events are POSTed to ${this.options.urlPath}`);
    if (request.method !== 'POST') return { ...refusal(405, 'only POST is accepted'), headers: { Allow: 'POST' } };
    const body = await readRequestBody(request, sink.maxEventBytes);
    if (body.kind === 'aborted') return refusal(400, 'the request ended before its body');
    if (body.kind === 'oversize') return this.refuse(sink, 413, `body of ${body.size} bytes is over max_event_bytes (${sink.maxEventBytes})`);
    if (this.options.signature && this.secret) {
      const check = checkSignature(this.options.signature.scheme, this.secret, request.headers, body.bytes);
      if (!check.ok) return this.refuse(sink, 401, `signature refused: ${check.reason}`);
    }
    const event = eventFromBody(body.bytes, request.headers, sink.shape, this.name, this.options.typeHeader);
    if (event instanceof EventError) return this.refuse(sink, 400, `event refused: ${event.message}`);
    if (this.stopped) return tryLater('hookd is shutting down');
    try {
      await sink.accept(event);
    } catch (error) {
      // The state folder refuses writes (disk full, read-only): the sender
      // should try again later. The details (paths) stay in the log.
      sink.log.error({ source: this.name }, `event not stored: ${errorText(error)}`);
      return tryLater('hookd cannot store events right now; try again later');
    }
    return { status: 202, body: { ok: true, id: event.id } };
  }

  private refuse(sink: EventSink, status: number, message: string): Answer {
    sink.log.warn({ source: this.name, status }, message);
    return refusal(status, message);
  }
}

function refusal(status: number, error: string): Answer {
  return { status, body: { ok: false, error } };
}

// 503: the sender should try again (webhook senders retry on 5xx).
function tryLater(error: string): Answer {
  return { ...refusal(503, error), headers: { 'Retry-After': '30' } };
}

function send(response: ServerResponse, answer: Answer): void {
  const text = `${JSON.stringify(answer.body)}\n`;
  response.writeHead(answer.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...answer.headers,
  });
  response.end(text);
}
