// Tells systemd (Type=notify) when hookd is ready, reloading or stopping.
// Node has no unix datagram sockets, so each message goes through the
// `systemd-notify` tool that ships with systemd: it sends as hookd's child, and
// waits until systemd has processed the message (its barrier), so a message is
// never dropped because the sender was gone. That is why the unit needs
// NotifyAccess=all. Without $NOTIFY_SOCKET every call does nothing.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

export interface ServiceNotifier {
  // Every source is open: systemd starts the units ordered after hookd.
  ready(status?: string): void;
  // A reload began; ready() ends it.
  reloading(): void;
  // Shutdown began.
  stopping(): void;
  // Resolves once every message sent so far has been handed over (or failed).
  flush(): Promise<void>;
}

// The helper gives up on its own after 5 s; this only guards against a hung one.
const HELPER_TIMEOUT_MS = 15_000;

export interface NotifierOptions {
  readonly log: Logger;
  // Default process.env; its NOTIFY_SOCKET is taken out, so hooks never get it.
  readonly env?: NodeJS.ProcessEnv;
  // Default "systemd-notify", looked up in PATH.
  readonly command?: string;
}

export function createServiceNotifier(options: NotifierOptions): ServiceNotifier {
  const env = options.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return SILENT;
  // A hook that calls sd_notify itself (MAINPID=, READY=1) would confuse
  // systemd about hookd: only hookd speaks to it.
  delete env.NOTIFY_SOCKET;
  return new SystemdNotifier(socket, options.log, options.command ?? 'systemd-notify', env);
}

const SILENT: ServiceNotifier = Object.freeze({
  ready: () => {},
  reloading: () => {},
  stopping: () => {},
  flush: () => Promise.resolve(),
});

class SystemdNotifier implements ServiceNotifier {
  // Messages go one after the other, so systemd sees them in order.
  private chain: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(
    private readonly socket: string,
    private readonly log: Logger,
    private readonly command: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  ready(status?: string): void {
    this.send(status === undefined ? ['READY=1'] : ['READY=1', `STATUS=${status}`]);
  }

  reloading(): void {
    this.send(['RELOADING=1', 'STATUS=reloading the config']);
  }

  stopping(): void {
    this.send(['STOPPING=1', 'STATUS=stopping']);
  }

  flush(): Promise<void> {
    return this.chain;
  }

  private send(assignments: readonly string[]): void {
    this.chain = this.chain.then(() => this.run(assignments));
  }

  private run(assignments: readonly string[]): Promise<void> {
    return new Promise((resolve) => {
      let stderr = '';
      const child = spawn(this.command, [...assignments], {
        env: { ...this.env, NOTIFY_SOCKET: this.socket },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // Not spawn's own `timeout`: its timer outlives a helper that failed to
      // start, and would hold hookd's exit back.
      const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS).unref();
      const done = (problem?: string): void => {
        clearTimeout(timer);
        if (problem !== undefined) this.warn(assignments, problem);
        resolve();
      };
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        done(error.code === 'ENOENT' ? `${this.command} not found in PATH (install systemd, or use Type=exec)` : error.message);
      });
      child.on('close', (code, signal) => {
        done(code === 0 ? undefined : stderr.trim().split('\n')[0] || `${this.command} ended with ${signal ?? `exit code ${code}`}`);
      });
    });
  }

  private warn(assignments: readonly string[], reason: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log.warn({ message: assignments[0], socket: this.socket }, `cannot tell systemd: ${reason}`);
  }
}
