// Where the running daemon listens, for the commands that talk to it (emit,
// status): --socket PATH, else the first socket source of the config (-c
// PATH, else $HOOKD_CONFIG, else the search). The config is only read, not
// checked: a hook script missing right now must not stop an emit.
import path from 'node:path';
import { HookdError } from '../errors.js';
import { CONFIG_OPTION, stringOption, usageError, type OptionSpec, type Parsed } from './args.js';

export const SOCKET_OPTIONS: OptionSpec = { ...CONFIG_OPTION, socket: { type: 'string' } };

const DEFAULT_TYPE_PATH = 'type';

export interface DaemonAddress {
  readonly socket: string;
  // Where the event type goes (event.type of the config; "type" without one).
  readonly typePath: string;
}

export async function daemonAddress(command: string, parsed: Parsed): Promise<DaemonAddress> {
  const socket = stringOption(parsed, 'socket');
  const config = stringOption(parsed, 'config');
  if (socket !== undefined && config !== undefined) throw usageError(command, 'give -c or --socket, not both');
  if (socket !== undefined) return { socket: path.resolve(socket), typePath: DEFAULT_TYPE_PATH };
  // Loaded only here: `hookd emit --socket PATH` never pays for YAML and cosmiconfig.
  const [{ readConfigFile }, { readSources }, { ConfigProblems }] = await Promise.all([
    import('../config/load.js'),
    import('../config/sources.js'),
    import('../config/problems.js'),
  ]);
  const { raw, file } = await readConfigFile({ path: config });
  const top = isMapping(raw) ? raw : {};
  const sources = readSources(top.sources, new ConfigProblems(file), path.dirname(file)) ?? [];
  const listening = sources.find((source) => source.kind === 'socket');
  if (listening === undefined || listening.kind !== 'socket') {
    throw new HookdError('E_CONFIG', `${file}: no socket source, so hookd listens on no socket; add one (sources: [{socket: /run/hookd/hookd.sock}]) or pass --socket PATH`);
  }
  const event = isMapping(top.event) ? top.event : {};
  const typePath = typeof event.type === 'string' && event.type !== '' ? event.type : DEFAULT_TYPE_PATH;
  return { socket: listening.path, typePath };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
