// What `hookd test` shows of each event: per matching hook the argv, cwd,
// timeout and environment, and (without --dry-run) how its run went.
import type { HookSpec } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { stringifyJson, type JsonObject } from '../json.js';
import { maskSecrets, redactSecrets } from '../log/redact.js';
import type { Invocation } from '../run/invocation.js';
import type { HookEvent } from '../event.js';
import { publishSubject } from '../run/publish-action.js';
import type { RunResult } from '../run/runner.js';
import type { HookExplanation } from './test-explain.js';
import { quoteArgv } from './quote.js';

export interface HookReport {
  readonly hook: string;
  readonly decide: boolean;
  readonly argv: readonly string[];
  // The folder the hook runs in: its `cwd`, else hookd's working folder.
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly killAfterMs: number;
  readonly env: Record<string, string>;
  // A publish hook: the subject it would publish to (nothing is published here).
  readonly publish?: string | undefined;
  result?: RunReport;
  // Decision hooks: what lightningd would be answered, and why the fallback if it is.
  reply?: { readonly reply: JsonObject; readonly fallbackReason?: string | undefined };
}

interface RunReport {
  readonly ok: boolean;
  readonly outcome: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface EventReport {
  readonly index: number;
  readonly type: string;
  readonly id: string;
  readonly hooks: HookReport[];
  // --explain: every hook, matched or the first reason it was not.
  explain?: HookExplanation[];
}

export function describeHook(hook: HookSpec, invocation: Invocation, prefix: string): HookReport {
  // Only what hookd adds: the inherited environment would drown it.
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(invocation.env)) {
    const login = hook.runAs !== undefined && (name === 'HOME' || name === 'USER' || name === 'LOGNAME');
    if (login || name.startsWith('HOOKD_') || name.startsWith(prefix) || name in hook.env || name.startsWith('LIGHTNING_')) shown[name] = value;
  }
  return {
    hook: hook.name,
    decide: hook.decide,
    argv: [invocation.command, ...invocation.args],
    cwd: invocation.cwd ?? process.cwd(),
    timeoutMs: invocation.timeoutMs,
    killAfterMs: invocation.killAfterMs,
    env: maskSecrets(shown, Object.keys(hook.env)),
  };
}

// A publish hook's subject for this event; hookd test never publishes.
export function publishReport(hook: HookSpec, event: HookEvent): HookReport {
  return { hook: hook.name, decide: false, argv: [], cwd: '', timeoutMs: hook.timeoutMs, killAfterMs: 0, env: {}, publish: publishSubject(hook, event) };
}

export function toRunReport(result: RunResult): RunReport {
  return {
    ok: result.ok,
    outcome: result.outcome,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    // A hook that prints its token shows *** here, as in the daemon's logs.
    stdout: redactSecrets(result.stdout),
    stderr: redactSecrets(result.stderr),
  };
}

export function printEvent(report: EventReport, print: (line: string) => void): void {
  print(`event ${report.index}: type=${report.type} id=${report.id}`);
  if (report.explain !== undefined) {
    // Config order, one line per hook; a matched one shows its dry run when there is one.
    for (const line of report.explain) {
      const detail = report.hooks.find((hook) => hook.hook === line.hook);
      if (!line.matched) print(`  hook ${line.hook}: not matched: ${line.reason}`);
      else if (detail === undefined) print(`  hook ${line.hook}: matched`);
      else printHook(detail, print, ': matched');
    }
    if (report.explain.length === 0) print('  the config has no hooks');
    return;
  }
  if (report.hooks.length === 0) {
    print('  no hook matches this event');
    return;
  }
  for (const hook of report.hooks) printHook(hook, print);
}

function printHook(hook: HookReport, print: (line: string) => void, suffix = ''): void {
  print(`  hook ${hook.hook}${hook.decide ? ' (decision hook)' : ''}${suffix}`);
  if (hook.publish !== undefined) {
    print(`    publish: ${hook.publish}`);
    print(`    timeout: ${formatDuration(hook.timeoutMs)} for the stream's acknowledgement (hookd test publishes nothing)`);
    return;
  }
  print(`    argv:    ${quoteArgv(hook.argv)}`);
  print(`    cwd:     ${hook.cwd}`);
  print(`    timeout: ${formatDuration(hook.timeoutMs)}, then SIGKILL after ${formatDuration(hook.killAfterMs)}`);
  print('    env:');
  for (const name of Object.keys(hook.env).sort()) print(`      ${name}=${hook.env[name]}`);
  const result = hook.result;
  if (result === undefined) return;
  print(`    result:  ${result.ok ? 'ok' : 'FAILED'} (${result.outcome}, ${result.durationMs} ms)`);
  printOutput('stdout', result.stdout, print);
  printOutput('stderr', result.stderr, print);
  if (hook.reply !== undefined) {
    const { reply, fallbackReason } = hook.reply;
    print(`    reply:   ${stringifyJson(reply)}${fallbackReason === undefined ? '' : ` (the fallback, because: ${fallbackReason})`}`);
  }
}

function printOutput(name: string, text: string, print: (line: string) => void): void {
  if (text === '') return;
  print(`    ${name}:`);
  for (const line of text.replace(/\n$/, '').split('\n')) print(`      | ${line}`);
}

