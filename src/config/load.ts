// Finds and reads the config: -c PATH, else $HOOKD_CONFIG, else cosmiconfig's
// search for module "hookd" from the working folder up. YAML and JSON are
// parsed by `yaml` so that every problem can name its line.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { errorText, HookdError } from '../errors.js';
import { ExactNumber } from '../json.js';
import { rememberHookSecrets } from '../log/redact.js';
import { refuseWorldWritable } from './file-mode.js';
import type { KeyPath, LineLookup } from './problems.js';
import type { HookdConfig } from './types.js';
import { defaultStateDir } from './default-state-dir.js';
import { validateConfig } from './resolve-config.js';
import { yamlErrorText } from './yaml-errors.js';

export { refuseWorldWritable } from './file-mode.js';

export const SEARCH_PLACES = [
  'package.json',
  '.hookdrc',
  '.hookdrc.json',
  '.hookdrc.yaml',
  '.hookdrc.yml',
  '.hookdrc.js',
  '.hookdrc.mjs',
  '.hookdrc.cjs',
  'hookd.config.yaml',
  'hookd.config.yml',
  'hookd.config.json',
  'hookd.config.js',
  'hookd.config.mjs',
  'hookd.config.cjs',
] as const;

export interface ConfigLocation {
  // -c / --config
  readonly path?: string | undefined;
  // Where the search starts; the working folder by default.
  readonly cwd?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  // The state directory when the config names none (plugin mode: the node's own folder).
  readonly defaultState?: string | undefined;
  // How to name a config when none is found (default: pass -c PATH).
  readonly notFoundAdvice?: string | undefined;
}

// Load, check and resolve the config; throws HookdError.
export async function loadConfig(location: ConfigLocation = {}): Promise<HookdConfig> {
  const { raw, file, lineOf } = await readConfigFile(location);
  const config = validateConfig(raw, file, lineOf, { defaultState: location.defaultState ?? defaultStateDir(location.env) });
  // From now on no log line shows these values, whoever writes it.
  rememberHookSecrets(config.hooks);
  return config;
}

interface RawConfig {
  readonly raw: unknown;
  readonly file: string;
  readonly lineOf: LineLookup | undefined;
}

export async function readConfigFile(location: ConfigLocation = {}): Promise<RawConfig> {
  const env = location.env ?? process.env;
  const cwd = location.cwd ?? process.cwd();
  const explicit = location.path ?? (env.HOOKD_CONFIG || undefined);
  const lines = new Map<string, LineLookup>();
  const explorer = cosmiconfig('hookd', {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'global',
    cache: false,
    loaders: guardedLoaders(lines),
  });
  let result;
  try {
    if (explicit !== undefined) {
      const file = path.resolve(cwd, explicit);
      checkConfigFile(file);
      result = await explorer.load(file);
    } else {
      result = await explorer.search(cwd);
    }
  } catch (error) {
    if (error instanceof HookdError) throw error;
    const file = (error as { filepath?: string }).filepath ?? (error as { path?: string }).path;
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw permissionDenied(file ?? 'config');
    throw new HookdError('E_CONFIG', `${file ?? 'config'}: cannot load: ${firstLine(errorText(error))}`);
  }
  if (result === null) {
    throw new HookdError('E_CONFIG_NOT_FOUND', `no config found: looked for hookd.config.yaml (and .hookdrc*, package.json#hookd) from ${cwd} upward; ${location.notFoundAdvice ?? 'pass -c PATH'}`);
  }
  if (result.isEmpty) throw new HookdError('E_CONFIG', `${result.filepath}: the config is empty`);
  return { raw: result.config, file: result.filepath, lineOf: lines.get(result.filepath) };
}

// A named config must be a file we may read: "no config file" only when
// there is none, "permission denied" when it is there but out of reach.
function checkConfigFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw permissionDenied(file);
    isFile = false;
  }
  if (!isFile) throw new HookdError('E_CONFIG_NOT_FOUND', `no config file at ${file}`);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw permissionDenied(file);
  }
}

function permissionDenied(file: string): HookdError {
  return new HookdError('E_CONFIG_PERM', `${file}: permission denied: the user hookd runs as (uid ${process.getuid?.() ?? '?'}) cannot read the config or a folder above it`);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

// Every loader refuses a world-writable file before reading it (a JS config
// would otherwise run first); YAML and JSON go through `yaml` for line numbers.
function guardedLoaders(lines: Map<string, LineLookup>): Record<string, Loader> {
  const guard = (load: Loader): Loader => (filepath, content) => {
    refuseWorldWritable(filepath);
    return load(filepath, content);
  };
  const yamlLoader: Loader = (filepath, content) => {
    const lineCounter = new LineCounter();
    // intAsBigInt: a u64 in a `where` condition must keep every digit.
    const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true, intAsBigInt: true });
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      throw new HookdError('E_CONFIG', `${filepath}:${line}:${col}: ${yamlErrorText(error)}`);
    }
    // package.json holds the config under "hookd".
    const prefix = path.basename(filepath) === 'package.json' ? ['hookd'] : [];
    const lookup = lineLookup(doc.contents, lineCounter, prefix);
    lines.set(filepath, lookup);
    const value: unknown = doc.toJS({ maxAliasCount: 100, reviver: exactIntegers });
    // cosmiconfig would merge other files in, unchecked and without lines.
    const own = prefix.length > 0 && isRecord(value) ? value.hookd : value;
    if (isRecord(own) && '$import' in own) {
      throw new HookdError('E_CONFIG', `${filepath}:${lookup(['$import'])}: $import: not supported; keep the whole config in one file`);
    }
    return value;
  };
  // A package.json is a config only when it has a "hookd" key; any other one
  // (world-writable or not even JSON) is none of hookd's business.
  const packageOrJson: Loader = (filepath, content) => {
    if (path.basename(filepath) === 'package.json' && !hasHookdKey(content)) return {};
    return guard(yamlLoader)(filepath, content);
  };
  return {
    '.yaml': guard(yamlLoader),
    '.yml': guard(yamlLoader),
    '.json': packageOrJson,
    noExt: guard(yamlLoader),
    '.js': guard(defaultLoaders['.js']),
    '.mjs': guard(defaultLoaders['.mjs']),
    '.cjs': guard(defaultLoaders['.cjs']),
  };
}

// Integers as plain numbers when a double holds them exactly, else ExactNumber.
function exactIntegers(_key: unknown, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : new ExactNumber(String(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasHookdKey(content: string): boolean {
  try {
    const parsed: unknown = JSON.parse(content);
    return isRecord(parsed) && 'hookd' in parsed;
  } catch {
    return false;
  }
}

// The line of the deepest node of a key path that the document has.
function lineLookup(root: Node | null, lineCounter: LineCounter, prefix: KeyPath): LineLookup {
  return (keyPath) => {
    let node: unknown = root;
    let offset = (root as Node | null)?.range?.[0];
    for (const part of [...prefix, ...keyPath]) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(part));
        if (!pair) break;
        offset = (pair.key as Node | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as Node | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}
