// Taking a unix socket path: a socket file left by a crash is replaced, one
// that a live hookd listens on is not; the socket is created private (the
// configured mode is applied after) and removed when hookd stops.
import { lstatSync, unlinkSync } from 'node:fs';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect, type Server } from 'node:net';
import path from 'node:path';
import { HookdError } from '../errors.js';

const PROBE_TIMEOUT_MS = 2000;

// Free the path for listening, or throw E_SOCKET_IN_USE. True when a stale
// socket file was removed.
export async function claimSocketPath(socketPath: string): Promise<boolean> {
  let stats;
  try {
    stats = await lstat(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw listenError(socketPath, error);
    await mkdir(path.dirname(socketPath), { recursive: true });
    return false;
  }
  if (!stats.isSocket()) {
    throw new HookdError('E_SOCKET_IN_USE', `${socketPath} exists and is not a socket; remove it or choose another socket path`);
  }
  if (await isListening(socketPath)) {
    throw new HookdError('E_SOCKET_IN_USE', `${socketPath} is in use by another running hookd; stop it first or choose another socket path`);
  }
  await unlink(socketPath);
  return true;
}

// Whether something accepts connections on the socket (a hung listener counts).
function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    const done = (listening: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(listening);
    };
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    probe.on('connect', () => done(true));
    probe.on('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
  });
}

// Listen with a umask that leaves the socket to its owner from the first
// instant; then apply the configured mode. Resolves with the socket's inode.
export async function listenPrivately(server: Server, socketPath: string, mode: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(listenError(socketPath, error));
    server.once('error', onError);
    // The bind happens inside listen(), before it returns.
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
  await chmod(socketPath, mode);
  return (await lstat(socketPath)).ino;
}

// Remove the socket file if it is still the one we created.
export function removeSocketFile(socketPath: string, inode: number): void {
  try {
    if (lstatSync(socketPath).ino === inode) unlinkSync(socketPath);
  } catch {
    // already gone
  }
}

function listenError(socketPath: string, error: unknown): HookdError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new HookdError('E_SOCKET_IN_USE', `${socketPath} is in use by another process`);
  return new HookdError('E_CONFIG', `cannot listen on ${socketPath}: ${code ?? (error as Error).message}`);
}
