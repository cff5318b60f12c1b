// Where the running daemon listens, for the commands that talk to it (emit,
// status): --socket PATH, else the first socket source of the config (-c
// PATH, else $HOOKD_CONFIG, else the search). The config is only read, not
// checked: a hook script missing right now must not stop an emit.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorText, HookdError } from '../errors.js';
import { CONFIG_OPTION, stringOption, usageError, type OptionSpec, type Parsed } from './args.js';

export const SOCKET_OPTIONS: OptionSpec = { ...CONFIG_OPTION, socket: { type: 'string' } };

const DEFAULT_TYPE_PATH = 'type';

export interface DaemonAddress {
  readonly socket: string;
  // Where the event type goes (event.type of the config; "type" without one).
  readonly typePath: string;
  // The config's first inbox source, where emit queues while hookd is down.
  readonly inbox?: string | undefined;
}

export async function daemonAddress(command: string, parsed: Parsed): Promise<DaemonAddress> {
  const socket = stringOption(parsed, 'socket');
  const config = stringOption(parsed, 'config');
  if (socket !== undefined && config !== undefined) throw usageError(command, 'give -c or --socket, not both');
  if (socket !== undefined) return { socket: path.resolve(socket), typePath: DEFAULT_TYPE_PATH };
  const [{ raw, file }, { sourceKindOf }] = await Promise.all([readRawConfig(config), import('../config/source-kind.js')]);
  const top = isMapping(raw) ? raw : {};
  const sources = top.sources === undefined ? [] : Array.isArray(top.sources) ? top.sources : [top.sources];
  // The first item of the kind with a usable path: the source the daemon has
  // (what readSources would make of it; its problems are the daemon's).
  const firstPath = (kind: 'socket' | 'inbox'): string | undefined => {
    for (const item of sources) {
      const where = sourceKindOf(item) === kind ? (item as Record<string, unknown>)[kind] : undefined;
      if (typeof where === 'string' && where !== '') return path.resolve(path.dirname(file), where);
    }
    return undefined;
  };
  const listening = firstPath('socket');
  if (listening === undefined) {
    throw new HookdError('E_CONFIG', `${file}: no socket source, so hookd listens on no socket; add one (sources: [{socket: /run/hookd/hookd.sock}]) or pass --socket PATH`);
  }
  const event = isMapping(top.event) ? top.event : {};
  const typePath = typeof event.type === 'string' && event.type !== '' ? event.type : DEFAULT_TYPE_PATH;
  return { socket: listening, typePath, inbox: firstPath('inbox') };
}

// The config as written, or (a YAML or JSON file named by -c or $HOOKD_CONFIG)
// its `sources` and `event` alone, read directly: cosmiconfig, the `yaml`
// package and the checks cost more than emit's whole run. Loaded only here:
// `hookd emit --socket PATH` reads no config.
async function readRawConfig(option: string | undefined): Promise<{ raw: unknown; file: string }> {
  const explicit = option ?? (process.env.HOOKD_CONFIG || undefined);
  if (explicit === undefined || !/\.(ya?ml|json)$/.test(explicit) || path.basename(explicit) === 'package.json') {
    const { readConfigFile } = await import('../config/load.js');
    return readConfigFile({ path: option }).catch((error: unknown) => {
      if (error instanceof HookdError && error.code === 'E_CONFIG_NOT_FOUND' && option === undefined) {
        throw new HookdError(error.code, `${error.message} or --socket PATH`);
      }
      throw error;
    });
  }
  const file = path.resolve(explicit);
  const [{ refuseWorldWritable }, { readTopLevelKeys }] = await Promise.all([import('../config/file-mode.js'), import('../config/top-level-keys.js')]);
  refuseWorldWritable(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HookdError('E_CONFIG_NOT_FOUND', `no config file at ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return { raw: await readTopLevelKeys(text, ['sources', 'event']), file };
  } catch (error) {
    throw new HookdError('E_CONFIG', `${file}: cannot load: ${errorText(error).split('\n', 1)[0]}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
