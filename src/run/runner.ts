// One run of one hook: spawn the program directly (no shell) in its own
// process group, write the event to its stdin, enforce the timeout on the
// whole group, collect its output line by line, and describe how it ended.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import spawn from 'cross-spawn';
import { LineCollector, OutputBudget, type OutputStream } from './output-lines.js';
import { groupAlive, signalGroup } from './process-groups.js';

export type { OutputStream } from './output-lines.js';

// Output kept (and logged) per run; the rest is counted and dropped.
export const MAX_OUTPUT_BYTES = 64 * 1024;

export interface RunRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  // Written to stdin followed by a newline, then EOF.
  readonly input: string;
  readonly timeoutMs: number;
  readonly killAfterMs: number;
  // Each complete output line, as it comes (within the output limit).
  readonly onOutput?: ((stream: OutputStream, line: string) => void) | undefined;
  // Aborting ends the run as a timeout would (SIGTERM, then SIGKILL).
  readonly signal?: AbortSignal | undefined;
  // Called once the process exists.
  readonly onSpawn?: ((pid: number) => void) | undefined;
}

// A failure has the same shape as a success.
export interface RunResult {
  readonly pid: number | undefined;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  // Ended by the AbortSignal (shutdown), not by its own doing.
  readonly aborted: boolean;
  // The program could not be started (ENOENT, EACCES, ...).
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
  private child: ChildProcess | undefined;
  private readonly started = performance.now();
  private timedOut = false;
  private aborted = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private spawnError: string | undefined;
  private readonly output = { stdout: '', stderr: '' };
  private readonly budget = new OutputBudget(MAX_OUTPUT_BYTES);
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
    let child: ChildProcess;
    try {
      // detached: a new process group, so that a timeout reaches every descendant.
      child = spawn(request.command, [...request.args], {
        cwd: request.cwd,
        env: request.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      this.spawnError = (error as Error).message;
      this.finish();
      return;
    }
    this.child = child;
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a failed spawn leaves pid undefined; other errors (kill) are noise.
      if (child.pid === undefined) {
        this.spawnError = spawnFailure(error, request);
        this.finish();
      }
    });
    if (child.pid === undefined) return; // 'error' follows
    request.onSpawn?.(child.pid);
    child.stdin?.on('error', () => {}); // EPIPE: a hook need not read its stdin
    child.stdin?.end(`${request.input}\n`);
    this.collect('stdout');
    this.collect('stderr');
    this.timers.push(setTimeout(() => {
      if (this.exit !== undefined) return; // exited in time; its leftovers are already being ended
      this.timedOut = true;
      this.terminateGroup();
    }, request.timeoutMs));
    if (request.signal?.aborted) this.onAbort();
    else request.signal?.addEventListener('abort', this.onAbort, { once: true });
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      // What the hook left running in its group goes with it.
      if (groupAlive(child.pid as number)) this.terminateGroup();
    });
    child.on('close', () => this.finish());
  }

  private collect(stream: OutputStream): void {
    const source = this.child?.[stream];
    if (!source) return;
    const lines = new LineCollector(this.budget, (line) => {
      this.output[stream] += `${line}\n`;
      this.request.onOutput?.(stream, line);
    });
    source.on('data', (chunk: Buffer) => lines.write(chunk));
    source.on('end', () => lines.end());
  }

  // SIGTERM to the whole group now, SIGKILL after the grace period.
  private terminateGroup(): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.finished || this.killTimer !== undefined) return;
    signalGroup(pid, 'SIGTERM');
    this.killTimer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
      if (this.finished) return;
      // A descendant that left the group may still hold our pipes: stop waiting for it.
      this.timers.push(setTimeout(() => {
        this.child?.stdout?.destroy();
        this.child?.stderr?.destroy();
        this.finish();
      }, 1000));
    }, this.request.killAfterMs);
  }

  private finish(): void {
    if (this.finished) return;
    if (this.child && this.child.pid !== undefined && this.exit === undefined) return; // 'exit' not seen yet
    this.finished = true;
    for (const timer of this.timers) clearTimeout(timer);
    // A descendant that ignores SIGTERM and let go of our pipes still gets its SIGKILL.
    if (this.killTimer !== undefined && !groupAlive(this.child?.pid as number)) clearTimeout(this.killTimer);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    const exitCode = this.exit?.code ?? null;
    const signal = this.exit?.signal ?? null;
    const ended = {
      pid: this.child?.pid,
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
function spawnFailure(error: NodeJS.ErrnoException, request: RunRequest): string {
  const code = error.code ?? 'error';
  if (code === 'ENOENT' && request.cwd !== undefined && !existsSync(request.cwd)) {
    return `ENOENT: cannot start ${request.command}: no working folder ${request.cwd}`;
  }
  return `${code}: cannot start ${request.command}`;
}

// "exit 3", "killed by SIGKILL", "timed out", for logs and dead letters.
function describeOutcome(result: Omit<RunResult, 'outcome'>): string {
  if (result.spawnError) return result.spawnError;
  if (result.timedOut) return `timed out${result.signal ? ` (${result.signal})` : ''}`;
  if (result.aborted) return `stopped at shutdown${result.signal ? ` (${result.signal})` : ''}`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit ${result.exitCode}`;
}
