// Where an HTTP listener (the http source, /metrics) listens: "HOST:PORT" on
// TCP, or a unix socket path (anything with a "/"), for a reverse proxy.
// Like the socket source, a listener stays private unless asked: a TCP address
// other than loopback needs `public: true`.
import { isIP } from 'node:net';
import path from 'node:path';

export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string; readonly mode: number };

// What a listen value should look like, for "expected ..., got ..." problems.
export const LISTEN_FORMS = 'HOST:PORT (such as 127.0.0.1:8080 or [::1]:8080) or a unix socket path';

// The address, or undefined when the text is neither form. Port 0 picks a
// free port (the one chosen is logged). Relative socket paths resolve
// against `baseDir` (the config's folder).
export function parseListenAddress(text: string, baseDir: string, mode = 0o600): ListenAddress | undefined {
  if (text.includes('/')) return { kind: 'unix', path: path.resolve(baseDir, text), mode };
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const host = match[1] ?? (match[2] as string);
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  // A name other than localhost could resolve to anything: refused, so that
  // "is it public" has an answer at validate time.
  if (host !== 'localhost' && isIP(host) === 0) return undefined;
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  return { kind: 'tcp', host, port };
}

// Whether only this machine can connect: loopback TCP or a unix socket.
export function isPrivateAddress(address: ListenAddress): boolean {
  if (address.kind === 'unix') return true;
  const host = address.host.toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

// The address as people write it, for logs and messages.
export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === 'unix') return address.path;
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
