// Checks a raw config (whatever the file held) and resolves it: every problem
// is reported at once, one line each; the result is frozen.
import path from 'node:path';
import { readHooks } from './hooks.js';
import { readNats, requireNats } from './nats.js';
import { ConfigProblems, type LineLookup } from './problems.js';
import { isMapping, Section } from './section.js';
import { readMetrics } from './metrics.js';
import { readSources } from './sources.js';
import { defaultStateDir, resolveStateDir } from './default-state-dir.js';
import { DEFAULTS, type HookdConfig, type SpawnerChoice } from './types.js';

const TOP_KEYS = [
  'sources', 'state', 'event', 'env', 'concurrency', 'defaults', 'hooks',
  'max_event_bytes', 'shutdown_timeout', 'rpc_env', 'spawner', 'metrics', 'nats',
] as const;
const SPAWNERS = ['auto', 'helper', 'node'] as const;
const ENV_PREFIX = /^[A-Z][A-Z0-9_]*_$/;
const DOTTED_PATH = /^[^.]+(\.[^.]+)*$/;

export interface ValidateOptions {
  // The state directory when the config has no `state:` key.
  readonly defaultState?: string;
}

export function validateConfig(raw: unknown, file: string, lineOf?: LineLookup, options: ValidateOptions = {}): HookdConfig {
  const problems = new ConfigProblems(file, lineOf);
  const dir = path.dirname(file);
  if (!isMapping(raw)) {
    problems.expected([], 'a mapping with a hooks: list', raw);
    problems.throwIfAny();
  }
  const top = new Section(raw as Record<string, unknown>, [], problems, TOP_KEYS);

  const event = top.section('event', ['type', 'id']);
  const typePath = event?.string('type', DEFAULTS.typePath) ?? DEFAULTS.typePath;
  const idPath = event?.string('id');
  for (const [key, value] of [['type', typePath], ['id', idPath]] as const) {
    if (value !== undefined && !DOTTED_PATH.test(value)) problems.expected(['event', key], 'a dotted field path such as "type" or "meta.id"', value);
  }

  const env = top.section('env', ['prefix']);
  const envPrefix = env?.string('prefix', DEFAULTS.envPrefix) ?? DEFAULTS.envPrefix;
  if (!ENV_PREFIX.test(envPrefix)) problems.expected(['env', 'prefix'], 'upper-case letters, digits and "_", ending in "_" (like EVENT_)', envPrefix);
  else if (envPrefix.startsWith('HOOKD_')) problems.add(['env', 'prefix'], 'HOOKD_ is reserved for the variables hookd sets');

  const nats = readNats(top.raw.nats, problems, dir);
  const config: HookdConfig = {
    file,
    dir,
    sources: readSources(top.raw.sources, problems, dir) ?? DEFAULTS.sources,
    state: readState(top, dir, options.defaultState ?? defaultStateDir()),
    typePath,
    idPath,
    envPrefix,
    concurrency: top.integer('concurrency', DEFAULTS.concurrency, 1),
    maxEventBytes: top.size('max_event_bytes', DEFAULTS.maxEventBytes),
    shutdownTimeoutMs: top.duration('shutdown_timeout', DEFAULTS.shutdownTimeoutMs),
    rpcEnv: top.boolean('rpc_env', false),
    spawner: readSpawner(top),
    metrics: readMetrics(top.raw.metrics, problems, dir),
    nats,
    hooks: readHooks(top.raw.hooks, top.raw.defaults, problems, dir),
  };
  requireNatsWhereUsed(top.raw, nats, problems);
  problems.throwIfAny();
  return Object.freeze(config);
}

// `spawner:` how hook programs are started (run/launcher.ts).
function readSpawner(top: Section): SpawnerChoice {
  const value = top.string('spawner', DEFAULTS.spawner);
  if ((SPAWNERS as readonly string[]).includes(value)) return value as SpawnerChoice;
  top.problems.expected(['spawner'], 'auto, helper or node', value);
  return DEFAULTS.spawner;
}

// `state:` a folder (relative to the config), or false for memory only;
// without the key, the default location (state-dir.ts).
function readState(top: Section, dir: string, defaultState: string): string | false {
  if (!top.has('state')) return defaultState;
  const value = top.raw.state;
  if (value === false) return false;
  if (typeof value !== 'string' || value === '') {
    top.problems.expected(['state'], 'a folder path, or false to keep events in memory only', value);
    return false;
  }
  return resolveStateDir(value, dir);
}

// `nats` sources and `publish:` hooks use the one connection of `nats:`.
function requireNatsWhereUsed(raw: Record<string, unknown>, nats: HookdConfig['nats'], problems: ConfigProblems): void {
  const sources = Array.isArray(raw.sources) ? raw.sources : [raw.sources];
  sources.forEach((item, index) => {
    if (isMapping(item) && 'nats' in item) requireNats(nats, Array.isArray(raw.sources) ? ['sources', index, 'nats'] : ['sources', 'nats'], problems, 'a nats source');
  });
  if (!Array.isArray(raw.hooks)) return;
  raw.hooks.forEach((item, index) => {
    if (isMapping(item) && 'publish' in item) requireNats(nats, ['hooks', index, 'publish'], problems, 'publish:');
  });
}
