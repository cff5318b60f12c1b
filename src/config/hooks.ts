// `hooks:` and `defaults:`: each hook's settings, with the defaults filled in
// where a hook omits a key (`env` is merged, the hook's keys winning).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExactNumber, type JsonObject } from '../json.js';
import { compileCondition, compileTypePatterns, WHERE_OPERATORS, type Condition, type WhereOperator } from '../match.js';
import { compileTemplate, type Template } from '../template.js';
import { readCoalesce } from './coalesce.js';
import { checkDecisionHook } from './decision-hooks.js';
import { runAsScriptProblem } from './run-as-script.js';
import { runAsResolver, type RunAsInput } from './run-as.js';
import { readPublish } from './nats.js';
import { resolveProgram, type Program } from './program.js';
import { describeValue, type ConfigProblems, type KeyPath } from './problems.js';
import { isMapping, Section } from './section.js';
import { DEFAULTS, RETRY_ON, type HookSpec, type RetryOn } from './types.js';

const SETTING_KEYS = [
  'where', 'run', 'args', 'cwd', 'env', 'timeout', 'kill_after', 'concurrency',
  'retries', 'retry_on', 'backoff', 'max_backoff', 'decide', 'fallback', 'user', 'group',
] as const;
export const HOOK_KEYS = ['name', 'on', 'coalesce', 'publish', ...SETTING_KEYS] as const;
export const DEFAULTS_KEYS = ['on', ...SETTING_KEYS] as const;

const HOOK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Settings a hook may take from `defaults:`; undefined where nothing is set.
interface HookSettings {
  on?: readonly string[];
  where?: readonly Condition[];
  program?: Program;
  args?: readonly Template[];
  cwd?: string;
  env: Readonly<Record<string, string>>;
  timeoutMs?: number;
  killAfterMs: number;
  concurrency: number;
  retries: number;
  retryOn: RetryOn;
  backoffMs: number;
  maxBackoffMs: number;
  decide: boolean;
  fallback?: JsonObject;
  user?: RunAsInput['user'];
  group?: RunAsInput['group'];
}

const BASE_SETTINGS: HookSettings = {
  env: {},
  killAfterMs: DEFAULTS.killAfterMs,
  concurrency: DEFAULTS.hookConcurrency,
  retries: DEFAULTS.retries,
  retryOn: DEFAULTS.retryOn,
  backoffMs: DEFAULTS.backoffMs,
  maxBackoffMs: DEFAULTS.maxBackoffMs,
  decide: false,
};

// Reads one hook (or the defaults) on top of `inherited`.
function readSettings(section: Section, inherited: HookSettings, baseDir: string): HookSettings {
  const { raw, problems } = section;
  const settings: HookSettings = { ...inherited };
  if (section.has('on')) settings.on = readTypePatterns(raw.on, section.at('on'), problems);
  if (section.has('where')) settings.where = readWhere(raw.where, section.at('where'), problems);
  if (section.has('run')) settings.program = resolveProgram(raw.run, section.at('run'), baseDir, problems);
  if (section.has('args')) settings.args = readArgs(raw.args, section.at('args'), problems);
  if (section.has('cwd')) settings.cwd = readCwd(section, baseDir);
  if (section.has('env')) settings.env = { ...inherited.env, ...readEnv(raw.env, section.at('env'), problems) };
  if (section.has('timeout')) settings.timeoutMs = section.duration('timeout', DEFAULTS.timeoutMs, { positive: true });
  settings.killAfterMs = section.duration('kill_after', inherited.killAfterMs);
  settings.concurrency = section.integer('concurrency', inherited.concurrency, 1);
  settings.retries = section.integer('retries', inherited.retries, 0);
  settings.retryOn = section.choice('retry_on', RETRY_ON, inherited.retryOn);
  settings.backoffMs = section.duration('backoff', inherited.backoffMs);
  settings.maxBackoffMs = section.duration('max_backoff', inherited.maxBackoffMs);
  settings.decide = section.boolean('decide', inherited.decide);
  if (section.has('user')) settings.user = { value: raw.user, at: section.at('user') };
  if (section.has('group')) settings.group = { value: raw.group, at: section.at('group') };
  if (section.has('fallback')) {
    if (isMapping(raw.fallback) && typeof raw.fallback.result === 'string') settings.fallback = raw.fallback as JsonObject;
    else problems.expected(section.at('fallback'), 'a reply mapping such as {result: continue}', raw.fallback);
  }
  return settings;
}

export function readHooks(raw: unknown, rawDefaults: unknown, problems: ConfigProblems, baseDir: string): HookSpec[] {
  let defaults = BASE_SETTINGS;
  if (rawDefaults !== undefined) {
    if (isMapping(rawDefaults)) defaults = readSettings(new Section(rawDefaults, ['defaults'], problems, DEFAULTS_KEYS), BASE_SETTINGS, baseDir);
    else problems.expected(['defaults'], 'a mapping', rawDefaults);
  }
  if (raw === undefined) {
    problems.add(['hooks'], 'missing: list the hooks to run, e.g. hooks: [{name: paid, on: invoice_payment, run: ./paid.sh}]');
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.expected(['hooks'], 'a list of hooks', raw);
    return [];
  }
  const hooks: HookSpec[] = [];
  const seen = new Map<string, number>();
  const runAsOf = runAsResolver(problems);
  raw.forEach((item, index) => {
    const at: KeyPath = ['hooks', index];
    if (!isMapping(item)) {
      problems.expected(at, 'a mapping with name, on and run', item);
      return;
    }
    const section = new Section(item, at, problems, HOOK_KEYS);
    const name = section.string('name');
    if (name === undefined) {
      if (!section.has('name')) problems.add(section.at('name'), 'missing: every hook needs a unique name');
    } else if (!HOOK_NAME.test(name)) {
      problems.add(section.at('name'), `expected letters, digits, "_", "." or "-", got ${describeValue(name)}`);
    } else if (seen.has(name)) {
      problems.add(section.at('name'), `duplicate hook name "${name}" (also hooks[${seen.get(name)}])`);
    } else seen.set(name, index);
    const settings = readSettings(section, defaults, baseDir);
    if (settings.on === undefined && !section.has('on')) problems.add(section.at('on'), 'missing: the event type(s) this hook runs on');
    const publish = readPublish(section, settings.decide);
    if (!section.has('publish') && settings.program === undefined && !section.has('run') && defaults.program === undefined) {
      problems.add(section.at('run'), 'missing: the script to run');
    }
    // Core Lightning decision hooks: `on` names real hooks, `fallback` is a reply they allow.
    if (settings.on !== undefined) checkDecisionHook(settings.decide, settings.on, settings.fallback, (key) => section.at(key), problems);
    const coalesce = section.has('coalesce') ? readCoalesce(section) : undefined;
    if (coalesce !== undefined && settings.decide) problems.add(section.at('coalesce'), 'a decision hook answers every event itself; it cannot coalesce');
    const runAs = runAsOf(settings);
    const scriptProblem = runAs === undefined || settings.program === undefined ? undefined : runAsScriptProblem(settings.program.command, runAs);
    if (scriptProblem !== undefined) problems.add(section.has('run') ? section.at('run') : ['defaults', 'run'], scriptProblem);
    // A publish hook runs no program.
    const program = section.has('publish') ? { command: '', fixedArgs: [] } : settings.program;
    if (name === undefined || settings.on === undefined || program === undefined) return;
    hooks.push(Object.freeze({
      name,
      on: settings.on,
      matchType: compileTypePatterns(settings.on),
      where: settings.where ?? [],
      command: program.command,
      fixedArgs: program.fixedArgs,
      args: settings.args ?? [],
      cwd: settings.cwd,
      env: Object.freeze({ ...settings.env }),
      timeoutMs: settings.timeoutMs ?? (settings.decide ? DEFAULTS.decideTimeoutMs : DEFAULTS.timeoutMs),
      killAfterMs: settings.killAfterMs,
      concurrency: settings.concurrency,
      retries: settings.retries,
      retryOn: settings.retryOn,
      backoffMs: settings.backoffMs,
      maxBackoffMs: settings.maxBackoffMs,
      decide: settings.decide,
      fallback: settings.fallback,
      coalesce,
      runAs,
      publish,
    }));
  });
  return hooks;
}

function readTypePatterns(raw: unknown, at: KeyPath, problems: ConfigProblems): readonly string[] | undefined {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    problems.expected(at, 'an event type, a glob such as "channel_*", or a list of them', raw);
    return undefined;
  }
  return Object.freeze([...list]);
}

function readWhere(raw: unknown, at: KeyPath, problems: ConfigProblems): readonly Condition[] | undefined {
  if (!isMapping(raw)) {
    problems.expected(at, 'a mapping of field path to condition', raw);
    return undefined;
  }
  const conditions: Condition[] = [];
  for (const [fieldPath, spec] of Object.entries(raw)) {
    const fieldAt = [...at, fieldPath];
    if (fieldPath === '' || fieldPath.split('.').some((part) => part === '')) {
      problems.add(fieldAt, 'expected a dotted field path such as "payment.msat"');
      continue;
    }
    // A mapping whose keys are operators is a condition; anything else is a bare value (eq).
    const operators = isMapping(spec) ? Object.entries(spec) : [['eq', spec] as [string, unknown]];
    if (isMapping(spec) && operators.length === 0) problems.add(fieldAt, `expected an operator: ${WHERE_OPERATORS.join(', ')}`);
    for (const [operator, operand] of operators) {
      if (!(WHERE_OPERATORS as readonly string[]).includes(operator)) {
        problems.add([...fieldAt, operator], `unknown operator; expected one of ${WHERE_OPERATORS.join(', ')}`);
        continue;
      }
      try {
        conditions.push(compileCondition(fieldPath, operator as WhereOperator, operand));
      } catch (error) {
        problems.add(isMapping(spec) ? [...fieldAt, operator] : fieldAt, (error as Error).message);
      }
    }
  }
  return Object.freeze(conditions);
}

function readArgs(raw: unknown, at: KeyPath, problems: ConfigProblems): readonly Template[] | undefined {
  if (!Array.isArray(raw)) {
    problems.expected(at, 'a list of argument strings', raw);
    return undefined;
  }
  const templates: Template[] = [];
  raw.forEach((item, index) => {
    if (typeof item !== 'string' && typeof item !== 'number' && !(item instanceof ExactNumber)) {
      problems.expected([...at, index], 'a string', item);
      return;
    }
    try {
      templates.push(compileTemplate(String(item)));
    } catch (error) {
      problems.add([...at, index], (error as Error).message);
    }
  });
  return Object.freeze(templates);
}

function readCwd(section: Section, baseDir: string): string | undefined {
  const raw = section.string('cwd');
  if (raw === undefined) return undefined;
  const dir = path.resolve(baseDir, raw);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    section.problems.add(section.at('cwd'), `no such folder: ${dir}`);
    return undefined;
  }
  return dir;
}

function readEnv(raw: unknown, at: KeyPath, problems: ConfigProblems): Record<string, string> {
  const env: Record<string, string> = {};
  if (!isMapping(raw)) {
    problems.expected(at, 'a mapping of variable name to value', raw);
    return env;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!ENV_NAME.test(name)) problems.add([...at, name], 'expected a variable name of letters, digits and "_"');
    else if (name.startsWith('HOOKD_')) problems.add([...at, name], 'HOOKD_* variables are set by hookd itself');
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof ExactNumber) env[name] = String(value);
    else problems.expected([...at, name], 'a string, number or boolean', value);
  }
  return env;
}
