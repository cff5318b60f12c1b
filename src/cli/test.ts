// `hookd test`: show which hooks an event reaches and what each would get
// (--dry-run), or run each once for real and show how it went.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { HookdConfig, HookSpec } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { HookdError } from '../errors.js';
import { makeEvent, type HookEvent } from '../event.js';
import { prepareInvocation, type Invocation } from '../run/invocation.js';
import { isJsonObject, parseJson, stringifyJson, type JsonObject } from '../json.js';
import { hookMatches } from '../match.js';
import { maskSecrets, redactSecrets } from '../log/redact.js';
import { runProgram, type RunResult } from '../run/runner.js';
import { eventFromLine, LineSplitter } from '../sources/lines.js';
import { CONFIG_OPTION, parseCommandLine, stringOption, usageError } from './args.js';
import { EXIT } from '../exit-codes.js';
import { quoteArgv } from './quote.js';

export const HELP = `NAME
  hookd test - try hooks on sample events

SYNOPSIS
  hookd test [-c PATH] [--dry-run] [--json] [EVENT_FILE | -]
  hookd test [-c PATH] [--dry-run] [--json] --type TOPIC
  hookd test --list-samples

DESCRIPTION
  For each event of EVENT_FILE (JSON lines, or one JSON document; "-" or no
  file reads stdin), lists the hooks that match and, for each, the argv, cwd,
  timeout and the HOOKD_* / EVENT_* environment it would get, with the
  hook's own env. Secrets (variables whose name holds TOKEN, SECRET, PASSWORD
  or KEY) show as ***. Says so when no hook matches.

OPTIONS
  -c, --config PATH   the config (default: $HOOKD_CONFIG, else the search)
  --dry-run           execute nothing
  (without it)        run each matching hook once, for real, and show its
                      exit code, duration, stdout and stderr
  --json              the same, as one JSON document
  --type TOPIC        no event file: use the built-in sample of that Core
                      Lightning notification or hook (invoice_payment, ...)
  --list-samples      list the built-in samples

EXIT STATUS
  0 every hook that ran succeeded (or --dry-run); 1 a hook failed or an
  event could not be read; 2 bad command line; 78 config missing or invalid.

EXAMPLES
  hookd test --dry-run -c hooks.example/hookd.yaml hooks.example/events.jsonl
  echo '{"type":"block","height":812345}' | hookd test -c hookd.yaml -
  hookd test -c hooks.example/cln/hookd.yaml --dry-run --type invoice_payment
  hookd test --json --dry-run events.jsonl | jq '.events[].hooks[].hook'
`;

const OPTIONS = {
  ...CONFIG_OPTION,
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  type: { type: 'string' },
  'list-samples': { type: 'boolean' },
} as const;

interface HookReport {
  readonly hook: string;
  readonly decide: boolean;
  readonly argv: readonly string[];
  // The folder the hook runs in: its `cwd`, else hookd's working folder.
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly killAfterMs: number;
  readonly env: Record<string, string>;
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

interface EventReport {
  readonly index: number;
  readonly type: string;
  readonly id: string;
  readonly hooks: HookReport[];
}

export interface TestInput {
  readonly events: HookEvent[];
  // One line per input that is not an event.
  readonly problems: string[];
}

export async function command(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('test', argv, OPTIONS, true);
  if (parsed.positionals.length > 1) throw usageError('test', 'give one event file (or - for stdin)');
  // Core Lightning samples: an operator can try a script before any payment happens.
  if (parsed.values['list-samples'] === true) return (await import('./test-samples.js')).printSampleList(parsed.values.json === true);
  const sampleType = stringOption(parsed, 'type');
  if (sampleType !== undefined && parsed.positionals.length > 0) throw usageError('test', 'give either --type or an event file, not both');
  let config = await loadConfig({ path: stringOption(parsed, 'config') });
  let input: TestInput;
  if (sampleType === undefined) input = readEvents(parsed.positionals[0] ?? '-', config);
  else {
    const samples = await import('./test-samples.js');
    input = { events: [testEvent(sampleType, samples.sampleFields(sampleType))], problems: [] };
    config = samples.sampleConfig(config, sampleType);
  }
  return runTest(config, input, { dryRun: parsed.values['dry-run'] === true, json: parsed.values.json === true });
}

export async function runTest(config: HookdConfig, input: TestInput, options: { dryRun: boolean; json: boolean }, extraEnv?: Record<string, string>): Promise<number> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  for (const problem of input.problems) process.stderr.write(`hookd: ${problem}\n`);
  const reports: EventReport[] = [];
  let failed = 0;
  for (const [index, event] of input.events.entries()) {
    const hooks = config.hooks.filter((hook) => hookMatches(hook, event.type, event.fields));
    const report: EventReport = { index: index + 1, type: event.type, id: event.id, hooks: [] };
    for (const hook of hooks) {
      const invocation = prepareInvocation(hook, event, 1, { config, extraEnv });
      const hookReport = describeHook(hook, invocation, config.envPrefix);
      if (!options.dryRun) {
        const run = await runProgram(invocation);
        hookReport.result = toRunReport(run);
        if (hook.decide) hookReport.reply = await decisionReply(hook, event, run);
        if (!hookReport.result.ok || hookReport.reply?.fallbackReason !== undefined) failed++;
      }
      report.hooks.push(hookReport);
    }
    reports.push(report);
    if (!options.json) printEvent(report, print);
  }
  if (options.json) print(JSON.stringify({ events: reports, problems: input.problems, failed }, null, 2));
  else if (input.events.length === 0) print('no events in the input');
  return failed > 0 || input.problems.length > 0 ? EXIT.FAILURE : EXIT.OK;
}

// A decision script's run judged as the plugin judges it (lazily loaded: only
// Core Lightning configs have decision hooks).
async function decisionReply(hook: HookSpec, event: HookEvent, run: RunResult): Promise<HookReport['reply']> {
  const [{ hookDefinition }, { judgeRun }] = await Promise.all([import('../lightningd/hook-catalog.js'), import('../cln/verdict.js')]);
  const definition = hookDefinition(event.type);
  return definition === undefined ? undefined : judgeRun(hook, definition, event.fields, run);
}

function describeHook(hook: HookSpec, invocation: Invocation, prefix: string): HookReport {
  // Only what hookd adds: the inherited environment would drown it.
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(invocation.env)) {
    if (name.startsWith('HOOKD_') || name.startsWith(prefix) || name in hook.env || name.startsWith('LIGHTNING_')) shown[name] = value;
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

function toRunReport(result: RunResult): RunReport {
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

function printEvent(report: EventReport, print: (line: string) => void): void {
  print(`event ${report.index}: type=${report.type} id=${report.id}`);
  if (report.hooks.length === 0) {
    print('  no hook matches this event');
    return;
  }
  for (const hook of report.hooks) {
    print(`  hook ${hook.hook}${hook.decide ? ' (decision hook)' : ''}`);
    print(`    argv:    ${quoteArgv(hook.argv)}`);
    print(`    cwd:     ${hook.cwd}`);
    print(`    timeout: ${formatDuration(hook.timeoutMs)}, then SIGKILL after ${formatDuration(hook.killAfterMs)}`);
    print('    env:');
    for (const name of Object.keys(hook.env).sort()) print(`      ${name}=${hook.env[name]}`);
    const result = hook.result;
    if (result === undefined) continue;
    print(`    result:  ${result.ok ? 'ok' : 'FAILED'} (${result.outcome}, ${result.durationMs} ms)`);
    printOutput('stdout', result.stdout, print);
    printOutput('stderr', result.stderr, print);
    if (hook.reply !== undefined) {
      const { reply, fallbackReason } = hook.reply;
      print(`    reply:   ${stringifyJson(reply)}${fallbackReason === undefined ? '' : ` (the fallback, because: ${fallbackReason})`}`);
    }
  }
}

function printOutput(name: string, text: string, print: (line: string) => void): void {
  if (text === '') return;
  print(`    ${name}:`);
  for (const line of text.replace(/\n$/, '').split('\n')) print(`      | ${line}`);
}

// Events from a file or stdin: one JSON document (an object, or a list of
// objects), else JSON lines.
export function readEvents(file: string, config: HookdConfig, source = 'test'): TestInput {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    throw new HookdError('E_EVENT', `cannot read ${file === '-' ? 'stdin' : file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const shape = { typePath: config.typePath, idPath: config.idPath };
  const whole = tryParse(bytes.toString('utf8'));
  const documents = isJsonObject(whole) ? [whole] : Array.isArray(whole) && whole.every(isJsonObject) ? whole : undefined;
  const splitter = new LineSplitter(config.maxEventBytes);
  const items = documents === undefined
    ? [...splitter.push(bytes), ...splitter.end()]
    : documents.map((document, index) => ({ kind: 'line' as const, number: index + 1, bytes: Buffer.from(stringifyJson(document)) }));
  const what = documents === undefined ? 'line' : 'event';
  const events: HookEvent[] = [];
  const problems: string[] = [];
  for (const item of items) {
    const result = eventFromLine(item, shape, config.maxEventBytes, source);
    if (result === undefined) continue;
    if (result instanceof Error) problems.push(`${file === '-' ? 'stdin' : file}: ${what} ${item.number} skipped: ${result.message}`);
    else events.push(result);
  }
  return { events, problems };
}

function tryParse(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

// Lets other modes (Core Lightning samples) build test events.
export function testEvent(type: string, fields: JsonObject): HookEvent {
  return makeEvent({ type, fields, raw: stringifyJson(fields), source: 'test' });
}
