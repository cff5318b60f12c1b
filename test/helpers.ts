// Shared test tools: a fresh folder per test, real executable scripts, the
// built bin as a child process, and waiting for conditions instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// A config without `state:` uses the default state directory ($STATE_DIRECTORY,
// else $XDG_STATE_HOME/hookd, else ~/.local/state/hookd). Tests must neither
// touch the real one nor share one (hookd locks it): this test process gets
// its own, and every child environment made by cleanEnv a fresh one inside it
// unless the test sets XDG_STATE_HOME or STATE_DIRECTORY itself.
const PROCESS_STATE_HOME = mkdtempSync(path.join(tmpdir(), 'hookd-state-home-'));
process.env.XDG_STATE_HOME = PROCESS_STATE_HOME;
delete process.env.STATE_DIRECTORY;
process.on('exit', () => rmSync(PROCESS_STATE_HOME, { recursive: true, force: true }));

export const BIN = path.join(ROOT, 'bin', 'hookd.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

// A temp folder removed when the test ends. A process of the test may still
// be writing into it then (its own after hook has not run yet): a failed
// removal must not stop the other after hooks (which end those processes),
// so it is tried again when the test process exits.
export function tempDir(t: TestContext, prefix = 'hookd-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const remove = (): void => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  t.after(() => {
    try {
      remove();
    } catch {
      process.once('exit', remove);
    }
  });
  return dir;
}

// Writes an executable script (mode 0755 unless told otherwise).
export function writeScript(dir: string, name: string, body: string, mode = 0o755): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body.startsWith('#!') ? body : `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

export function writeFile(dir: string, name: string, text: string, mode = 0o644): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

// The environment of a child hookd, without inherited EVENT_* / HOOKD_*
// variables, so that results do not depend on the caller's environment.
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('EVENT_') || name.startsWith('HOOKD_') || name === 'LIGHTNINGD_PLUGIN' || name === 'JOURNAL_STREAM' || name === 'NOTIFY_SOCKET' || name === 'STATE_DIRECTORY') continue;
    env[name] = value;
  }
  env.XDG_STATE_HOME = mkdtempSync(path.join(PROCESS_STATE_HOME, 'child-'));
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly input?: string | Buffer;
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
  // `node bin/hookd.js emit` (the ES modules) rather than the installed command.
  readonly viaNode?: boolean;
}

// The command as installed (a shell line that picks Node's flags and, for
// `emit`, the bundled dist/cli/emit.cjs).
export const COMMAND = path.join(ROOT, 'bin', 'hookd');

// Runs the built bin to completion: `emit` as installed (bitcoind and scripts
// run that one; bin-command.test.ts checks `node bin/hookd.js emit` agrees),
// every other command as `node bin/hookd.js`.
export function runHookd(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [program, programArgs] = args[0] === 'emit' && options.viaNode !== true ? [COMMAND, args] : [process.execPath, [BIN, ...args]];
    const child = spawn(program, programArgs, {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

// A hookd child that keeps running; killed (SIGKILL) when the test ends.
export interface HookdProcess {
  readonly child: ChildProcess;
  // Every stdout line so far.
  readonly lines: string[];
  readonly stderr: () => string;
  // The JSON log entries so far (non-JSON lines are skipped).
  logs(): Record<string, unknown>[];
  // Resolves with the exit code once the process has ended.
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startHookd(t: TestContext, args: readonly string[], options: RunOptions = {}): HookdProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() as string;
    lines.push(...parts);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  child.stdin!.on('error', () => {});
  if (options.input !== undefined) child.stdin!.end(options.input);
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    logs: () => lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
    exited,
  };
}

// Polls until `condition` returns a truthy value; fails after `timeoutMs`.
export async function waitFor<T>(condition: () => T | Promise<T>, what = 'condition', timeoutMs = 15_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Writes a YAML config (the text as given) into `dir` and returns its path.
export function writeConfig(dir: string, yaml: string, name = 'hookd.yaml'): string {
  return writeFile(dir, name, yaml);
}

// The exit of a hookd child, or a failure after `timeoutMs` (never a hung suite).
export function exitWithin(hookd: HookdProcess, timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hookd did not exit within ${timeoutMs} ms; stderr: ${hookd.stderr()}`)), timeoutMs);
  });
  return Promise.race([hookd.exited, timeout]).finally(() => clearTimeout(timer));
}
