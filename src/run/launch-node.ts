// Starting a run's program from hookd itself (libuv's fork + exec): the
// fallback when hookd-spawner is absent or refused.
import type { ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import type { LaunchHandlers, Launched, LaunchRequest } from './launch.js';
import { withoutStackTraces } from './without-stack-traces.js';

export function launchInProcess(request: LaunchRequest, handlers: LaunchHandlers): Launched {
  // detached: a new process group (a session), so that a timeout reaches every descendant.
  const child: ChildProcess = spawn(request.command, [...request.args], {
    cwd: request.cwd,
    env: request.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    // Only a failed spawn leaves pid undefined; other errors (kill) are noise.
    if (child.pid === undefined) handlers.onSpawnError(error.code ?? 'error');
  });
  if (child.pid === undefined) return { release: () => {} }; // 'error' follows
  handlers.onSpawn(child.pid);
  child.stdin?.on('error', () => {}); // EPIPE: a hook need not read its stdin
  withoutStackTraces(() => child.stdin?.end(`${request.input}\n`));
  child.stdout?.on('data', (chunk: Buffer) => handlers.onOutput('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => handlers.onOutput('stderr', chunk));
  child.on('exit', (code, signal) => handlers.onExit(code, signal));
  child.on('close', () => handlers.onClose());
  return {
    release: () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
