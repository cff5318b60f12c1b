// Tools for the daemon's tests: a hook that records each event it gets, a
// sink that records what a source accepts, socket clients, and waiting for
// hookd's log lines.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import type { HookEvent } from '../src/event.ts';
import type { EventSink } from '../src/sources/source.ts';
import { exitWithin, startHookd, waitFor, writeConfig, writeScript, type HookdProcess } from './helpers.ts';

// A hook that appends "$HOOKD_SOURCE $HOOKD_TYPE $EVENT_N" to `out`.
export function recordingHook(dir: string, out: string, name = 'record.sh'): string {
  return writeScript(dir, name, `printf '%s %s %s\\n' "$HOOKD_SOURCE" "$HOOKD_TYPE" "$EVENT_N" >> '${out}'`);
}

// The lines of a file ([] while it does not exist).
export function linesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
}

// Waits until `file` has `count` lines; returns them.
export function waitForLines(file: string, count: number, what = `${count} lines in ${path.basename(file)}`): Promise<string[]> {
  return waitFor(() => {
    const lines = linesOf(file);
    return lines.length >= count ? lines : undefined;
  }, what);
}

// Waits for a log entry whose msg contains `text` (and whose fields match).
export function waitForLog(hookd: HookdProcess, text: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return waitFor(
    () => hookd.logs().find((entry) => String(entry.msg).includes(text) && Object.entries(fields).every(([key, value]) => entry[key] === value)),
    `log "${text}"`,
  );
}

// Starts hookd on a config written into `dir`; resolves once it has started.
export async function startDaemon(t: TestContext, dir: string, yaml: string, extraArgs: string[] = []): Promise<{ hookd: HookdProcess; config: string }> {
  const config = writeConfig(dir, yaml);
  const hookd = startHookd(t, ['-c', config, '--log-format', 'json', ...extraArgs], { cwd: dir });
  await Promise.race([
    waitForLog(hookd, 'hookd started'),
    hookd.exited.then(({ code }) => {
      throw new Error(`hookd exited (${code}) before it started: ${hookd.stderr()}`);
    }),
  ]);
  return { hookd, config };
}

// Sends `signal`; resolves with the exit code (see exitWithin).
export async function stopHookd(hookd: HookdProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  hookd.child.kill(signal);
  return (await exitWithin(hookd)).code;
}

// Sends lines on one connection; resolves with the parsed answers once hookd
// closes it (or every line is answered); fails after `timeoutMs`.
export function talk(socketPath: string, lines: readonly string[], timeoutMs = 20_000): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on ${socketPath} within ${timeoutMs}ms`));
    }, timeoutMs);
    const answers: Record<string, unknown>[] = [];
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(lines.map((line) => `${line}\n`).join('')));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() as string;
      answers.push(...parts.map((part) => JSON.parse(part) as Record<string, unknown>));
      if (answers.length === lines.length) socket.end();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answers);
    });
  });
}

export interface RecordingSink {
  readonly sink: EventSink;
  readonly events: HookEvent[];
  // The log entries written so far.
  readonly logs: Record<string, unknown>[];
  // While set, accept() waits for it (backpressure); a rejected gate refuses the event.
  gate: Promise<void> | undefined;
  // Accepts called so far (finished or not).
  pending: number;
}

// A sink that accepts every event and keeps it; logs go into `logs`.
export function recordingSink(maxEventBytes = 1024 * 1024): RecordingSink {
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  let seq = 0;
  const recording: RecordingSink = {
    events: [],
    logs,
    gate: undefined,
    pending: 0,
    sink: {
      accept: async (event) => {
        recording.pending++;
        await recording.gate;
        recording.events.push(event);
        return { seq: ++seq, event };
      },
      runNow: async (event) => {
        recording.events.push(event);
      },
      admit: () => true,
      concurrency: 8,
      shape: { typePath: 'type', idPath: undefined },
      maxEventBytes,
      log,
    },
  };
  return recording;
}

// The `n` field of each recorded event, as text.
export function numbers(events: readonly HookEvent[]): string[] {
  return events.map((event) => String(event.fields.n));
}
