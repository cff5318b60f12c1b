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
  const { raw, file } = await readRawConfig(config);
  const [{ readSources }, { ConfigProblems }] = await Promise.all([import('../config/sources.js'), import('../config/problems.js')]);
  const top = isMapping(raw) ? raw : {};
  const sources = readSources(top.sources, new ConfigProblems(file), path.dirname(file)) ?? [];
  const listening = sources.find((source) => source.kind === 'socket');
  if (listening === undefined || listening.kind !== 'socket') {
    throw new HookdError('E_CONFIG', `${file}: no socket source, so hookd listens on no socket; add one (sources: [{socket: /run/hookd/hookd.sock}]) or pass --socket PATH`);
  }
  const event = isMapping(top.event) ? top.event : {};
  const typePath = typeof event.type === 'string' && event.type !== '' ? event.type : DEFAULT_TYPE_PATH;
  const inbox = sources.find((source) => source.kind === 'inbox');
  return { socket: listening.path, typePath, inbox: inbox?.kind === 'inbox' ? inbox.dir : undefined };
}

// The config as written. A YAML or JSON file named by -c or $HOOKD_CONFIG is
// parsed directly: cosmiconfig and the checks cost more than emit's whole
// run. Loaded only here: `hookd emit --socket PATH` never pays for YAML.
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
  const [{ refuseWorldWritable }, { parse }] = await Promise.all([import('../config/file-mode.js'), import('yaml')]);
  refuseWorldWritable(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HookdError('E_CONFIG_NOT_FOUND', `no config file at ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return { raw: parse(text), file };
  } catch (error) {
    throw new HookdError('E_CONFIG', `${file}: cannot load: ${errorText(error).split('\n', 1)[0]}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
