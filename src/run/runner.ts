// One run of one hook: start the program directly (no shell) in its own
// process group, the event on its stdin, enforce the timeout on the whole
// group, collect its output line by line, and describe how it ended. The
// program is started in-process or by hookd-spawner (launch.ts); everything
// else happens here, so a run looks the same either way.
import { existsSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Launched, Launcher, LaunchRequest } from './launch.js';
import { currentLauncher } from './launcher.js';
import { LineCollector, OutputBudget, type OutputStream } from './output-lines.js';
import { signalGroup } from './without-stack-traces.js';

export type { OutputStream } from './output-lines.js';

// Output kept (and logged) per run; the rest is counted and dropped.
export const MAX_OUTPUT_BYTES = 64 * 1024;

// What to start (LaunchRequest), and how the run is bounded and watched.
export interface RunRequest extends LaunchRequest {
  readonly timeoutMs: number;
  readonly killAfterMs: number;
  // Each complete output line, as it comes (within the output limit).
  readonly onOutput?: ((stream: OutputStream, line: string) => void) | undefined;
  // Aborting ends the run as a timeout would (SIGTERM, then SIGKILL).
  readonly signal?: AbortSignal | undefined;
  // Called once the process exists.
  readonly onSpawn?: ((pid: number) => void) | undefined;
  // How to start the program; default: the one the daemon selected.
  readonly launch?: Launcher | undefined;
}

// A failure has the same shape as a success.
export interface RunResult {
  readonly pid: number | undefined;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  // Ended by the AbortSignal (shutdown), not by its own doing.
  readonly aborted: boolean;
  // The program could not be started (ENOENT, EACCES, ...), or the spawner
  // died during the run.
  readonly spawnError: string | undefined;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly droppedBytes: number;
  readonly ok: boolean;
  // How it ended, in words: "exit 3", "timed out (SIGTERM)", ... (logs, dead letters).
  readonly outcome: string;
}

export function runProgram(request: RunRequest): Promise<RunResult> {
  return new Promise((resolve) => new Run(request, resolve).start());
}

class Run {
  private pid: number | undefined;
  private launched: Launched | undefined;
  private readonly started = performance.now();
  private timedOut = false;
  private aborted = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private spawnError: string | undefined;
  // The spawner died: no exit will be reported.
  private lost = false;
  private readonly output = { stdout: '', stderr: '' };
  private readonly budget = new OutputBudget(MAX_OUTPUT_BYTES);
  private readonly lines = { stdout: this.collector('stdout'), stderr: this.collector('stderr') };
  private readonly timers: NodeJS.Timeout[] = [];
  // SIGKILL for the group, once SIGTERM has been sent.
  private killTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private onAbort = (): void => {
    this.aborted = true;
    this.terminateGroup();
  };

  constructor(
    private readonly request: RunRequest,
    private readonly resolve: (result: RunResult) => void,
  ) {}

  start(): void {
    const { request } = this;
    const launch = request.launch ?? currentLauncher().launch;
    try {
      this.launched = launch(request, {
        onSpawn: (pid) => this.onSpawn(pid),
        onSpawnError: (code) => {
          this.spawnError = spawnFailure(code, request);
          this.finish();
        },
        onOutput: (stream, chunk) => this.lines[stream].write(chunk),
        onExit: (code, signal) => {
          this.exit = { code, signal };
          // What the hook left running in its group goes with it.
          if (signalGroup(this.pid as number, 0)) this.terminateGroup();
        },
        onClose: () => {
          this.lines.stdout.end();
          this.lines.stderr.end();
          this.finish();
        },
        onLost: (reason) => {
          // hookd owns the group: it ends it as at a timeout.
          this.spawnError = `${reason} during the run`;
          this.lost = true;
          this.terminateGroup();
          this.finish();
        },
      });
    } catch (error) {
      this.spawnError = (error as Error).message;
      this.finish();
    }
  }

  private onSpawn(pid: number): void {
    const { request } = this;
    this.pid = pid;
    request.onSpawn?.(pid);
    this.timers.push(setTimeout(() => {
      if (this.exit !== undefined) return; // exited in time; its leftovers are already being ended
      this.timedOut = true;
      this.terminateGroup();
    }, request.timeoutMs));
    if (request.signal?.aborted) this.onAbort();
    else request.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private collector(stream: OutputStream): LineCollector {
    return new LineCollector(this.budget, (line) => {
      this.output[stream] += `${line}\n`;
      this.request.onOutput?.(stream, line);
    });
  }

  // SIGTERM to the whole group now, SIGKILL after the grace period.
  private terminateGroup(): void {
    const { pid } = this;
    if (pid === undefined || this.finished || this.killTimer !== undefined) return;
    signalGroup(pid, 'SIGTERM');
    this.killTimer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
      if (this.finished) return;
      // A descendant that left the group may still hold our pipes: stop waiting for it.
      this.timers.push(setTimeout(() => {
        this.launched?.release();
        this.finish();
      }, 1000));
    }, this.request.killAfterMs);
  }

  private finish(): void {
    if (this.finished) return;
    if (this.pid !== undefined && this.exit === undefined && !this.lost) return; // exit not seen yet
    this.finished = true;
    for (const timer of this.timers) clearTimeout(timer);
    // A descendant that ignores SIGTERM and let go of our pipes still gets its SIGKILL.
    if (this.killTimer !== undefined && (this.pid === undefined || !signalGroup(this.pid, 0))) clearTimeout(this.killTimer);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    const exitCode = this.exit?.code ?? null;
    const signal = this.exit?.signal ?? null;
    const ended = {
      pid: this.pid,
      exitCode,
      signal,
      timedOut: this.timedOut,
      aborted: this.aborted,
      spawnError: this.spawnError,
      durationMs: Math.round(performance.now() - this.started),
      stdout: this.output.stdout,
      stderr: this.output.stderr,
      droppedBytes: this.budget.droppedBytes,
      ok: exitCode === 0 && !this.timedOut && !this.aborted && this.spawnError === undefined,
    };
    this.resolve({ ...ended, outcome: describeOutcome(ended) });
  }
}

// "ENOENT: cannot start /path", or the working folder when that is what is missing.
function spawnFailure(code: string, request: RunRequest): string {
  if (code === 'ENOENT' && request.cwd !== undefined && !existsSync(request.cwd)) {
    return `ENOENT: cannot start ${request.command}: no working folder ${request.cwd}`;
  }
  if (code === 'EACCES') return `EACCES: cannot start ${request.command}: ${accessHint(request.command)}`;
  return `${code}: cannot start ${request.command}`;
}

// Why execve said EACCES: most often the script lost its x bit after the
// config was loaded (an editor, a copy, a checkout).
function accessHint(command: string): string {
  try {
    if ((statSync(command).mode & 0o111) === 0) return `not executable (chmod +x ${command})`;
  } catch {
    // Not a path we can look at: a folder above it is closed to us.
  }
  return 'permission denied: the user hookd runs as may not execute it, or not open a folder above it';
}

// "exit 3", "killed by SIGKILL", "timed out", for logs and dead letters.
function describeOutcome(result: Omit<RunResult, 'outcome'>): string {
  if (result.spawnError) return result.spawnError;
  if (result.timedOut) return `timed out${result.signal ? ` (${result.signal})` : ''}`;
  if (result.aborted) return `stopped at shutdown${result.signal ? ` (${result.signal})` : ''}`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit ${result.exitCode}`;
}
