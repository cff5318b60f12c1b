// Serves GET /metrics in the Prometheus text format, on TCP or a unix socket.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ListenAddress } from '../../config/listen-address.js';
import { errorText } from '../../errors.js';
import { HttpListener } from '../../sources/http/listen.js';
import type { HookdMetrics } from './hookd-metrics.js';

const METRICS_PATH = '/metrics';
// A scrape is small; a client stuck mid-request is dropped.
const REQUEST_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 1000;

export class MetricsServer {
  private listener: HttpListener | undefined;

  constructor(
    private readonly metrics: HookdMetrics,
    private readonly listen: ListenAddress,
  ) {}

  // Resolves with the address listened on (the port chosen, for port 0).
  async start(): Promise<ListenAddress> {
    this.metrics.includeProcessMetrics();
    const server = createServer((request, response) => void this.serve(request, response));
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.listener = new HttpListener(server, this.listen);
    await this.listener.listen();
    return this.listener.address;
  }

  async stop(): Promise<void> {
    await this.listener?.close(STOP_GRACE_MS);
    this.listener = undefined;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://hookd');
    if (url.pathname !== METRICS_PATH) return sendText(response, 404, `not found; metrics are at ${METRICS_PATH}\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'only GET is accepted\n', { Allow: 'GET, HEAD' });
    try {
      const { text, contentType } = await this.metrics.exposition();
      // For HEAD, node sends the headers only.
      sendText(response, 200, text, { 'Content-Type': contentType });
    } catch (error) {
      // A collector that fails (a reading that throws) is a 500 with one line, no stack.
      sendText(response, 500, `metrics unavailable: ${errorText(error)}\n`);
    }
  }
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
