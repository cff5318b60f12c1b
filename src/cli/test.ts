// `hookd test`: show which hooks an event reaches and what each would get
// (--dry-run), or run each once for real and show how it went.
import { loadConfig } from '../config/load.js';
import type { HookdConfig, HookSpec } from '../config/types.js';
import type { HookEvent } from '../event.js';
import { prepareInvocation } from '../run/invocation.js';
import { hookMatches } from '../match.js';
import { runProgram, type RunResult } from '../run/runner.js';
import { CONFIG_OPTION, parseCommandLine, stringOption, usageError } from './args.js';
import { EXIT } from '../exit-codes.js';
import { readEvents, type TestInput } from './test-events.js';
import { explainEvent } from './test-explain.js';
import { describeHook, printEvent, publishReport, toRunReport, type EventReport, type HookReport } from './test-report.js';

export const HELP = `NAME
  hookd test - try hooks on sample events

SYNOPSIS
  hookd test [-c PATH] [--dry-run] [--explain] [--json] [EVENT_FILE | -]
  hookd test [-c PATH] [--dry-run] [--explain] [--json] --type TOPIC
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
  --explain           for every hook and event: "matched", or the first
                      reason it did not: the \`on\` patterns tried, or the
                      \`where\` condition that failed with the field's value.
                      Runs nothing; with --dry-run the matched hooks also
                      show what they would get
  --json              the same, as one JSON document
  --type TOPIC        no event file: use the built-in sample of that Core
                      Lightning notification, hook or record of the cln
                      source (invoice_payment, invoice_updated, ...) or a
                      bitcoind source event (block_connected, wallet_tx)
  --list-samples      list the built-in samples

EXIT STATUS
  0 every hook that ran succeeded (or --dry-run, --explain); 1 a hook
  failed or an event could not be read; 2 bad command line; 78 config
  missing or invalid.

EXAMPLES
  hookd test --dry-run -c hooks.example/hookd.yaml hooks.example/events.jsonl
  echo '{"type":"block","height":812345}' | hookd test -c hookd.yaml -
  hookd test -c hooks.example/cln/hookd.yaml --dry-run --type invoice_payment
  hookd test --json --dry-run events.jsonl | jq '.events[].hooks[].hook'
  hookd test --explain -c hookd.yaml events.jsonl
`;

const OPTIONS = {
  ...CONFIG_OPTION,
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  type: { type: 'string' },
  'list-samples': { type: 'boolean' },
  explain: { type: 'boolean' },
} as const;

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
    input = { events: [samples.sampleEvent(sampleType)], problems: [] };
    config = samples.sampleConfig(config, sampleType);
  }
  return runTest(config, input, { dryRun: parsed.values['dry-run'] === true, json: parsed.values.json === true, explain: parsed.values.explain === true });
}

export interface TestOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  // Every hook, matched or why not; alone it runs nothing and shows no detail.
  readonly explain?: boolean;
}

export async function runTest(config: HookdConfig, input: TestInput, options: TestOptions, extraEnv?: Record<string, string>): Promise<number> {
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  for (const problem of input.problems) process.stderr.write(`hookd: ${problem}\n`);
  const reports: EventReport[] = [];
  let failed = 0;
  for (const [index, event] of input.events.entries()) {
    const report: EventReport = { index: index + 1, type: event.type, id: event.id, hooks: [] };
    if (options.explain === true) report.explain = explainEvent(config.hooks, event);
    const detailed = options.explain !== true || options.dryRun;
    const hooks = detailed ? config.hooks.filter((hook) => hookMatches(hook, event.type, event.fields)) : [];
    for (const hook of hooks) {
      if (hook.publish !== undefined) {
        report.hooks.push(publishReport(hook, event));
        continue;
      }
      // A coalescing hook run on its own stands for one event.
      const env = hook.coalesce === undefined ? extraEnv : { ...extraEnv, HOOKD_COALESCED: '1' };
      const invocation = prepareInvocation(hook, event, 1, { config, extraEnv: env });
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

