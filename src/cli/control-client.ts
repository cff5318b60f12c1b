// The client side of the daemon's socket, for emit, status and dead replay:
// send JSON lines, read one reply line per line sent. Small on purpose: it is
// on the start-up path of `hookd emit`.
import { connect } from 'node:net';
import { HookdError } from '../errors.js';

// Send each line; resolve with the parsed reply to each, in order.
export function exchange(socketPath: string, lines: readonly string[], timeoutMs = 30_000): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const replies: Record<string, unknown>[] = [];
    let buffered = '';
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HookdError('E_NOT_RUNNING', `no answer from hookd at ${socketPath} within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(lines.map((line) => `${line}\n`).join('')));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          replies.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          replies.push({ ok: false, error: `unreadable reply: ${line.slice(0, 200)}` });
        }
        if (replies.length === lines.length) {
          clearTimeout(timer);
          socket.end();
          resolve(replies);
        }
      }
    });
    let failed = false;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      failed = true;
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new HookdError('E_NOT_RUNNING', `hookd is not running (no socket at ${socketPath})`));
      } else if (error.code === 'EACCES') {
        // Loaded only here: the hint reads /etc/group, emit rarely needs it.
        void import('./socket-access.js').then(({ socketAccessHint }) => reject(new HookdError('E_NOT_RUNNING', `cannot reach hookd: ${socketAccessHint(socketPath)}`)), reject);
      } else reject(new HookdError('E_NOT_RUNNING', `cannot reach hookd at ${socketPath}: ${error.code ?? error.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!failed && replies.length < lines.length) reject(new HookdError('E_NOT_RUNNING', `hookd at ${socketPath} closed the connection before answering`));
    });
  });
}
