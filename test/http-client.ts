// A plain HTTP client for the tests of the http source and /metrics: real
// requests over TCP or a unix socket, signatures computed here with
// node:crypto (independently of hookd's own check).
import { createHmac } from 'node:crypto';
import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  // The body parsed as JSON, when it is JSON.
  readonly json: Record<string, unknown> | undefined;
}

export interface HttpTarget {
  // "host:port" for TCP, or socketPath for a unix socket.
  readonly host?: string;
  readonly port?: number;
  readonly socketPath?: string;
}

export function httpRequest(
  target: HttpTarget,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request({ ...target, agent: false, method, path, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

// "sha256=<hex>" of the body under the secret, as BTCPay Server and GitHub send it.
export function hmacHeader(secret: string, body: string | Buffer, prefix = 'sha256='): string {
  return `${prefix}${createHmac('sha256', secret).update(body).digest('hex')}`;
}
