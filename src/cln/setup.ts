// getmanifest and init: which config the plugin serves, what it registers
// with lightningd, and the variables `rpc_env: true` gives every hook.
import path from 'node:path';
import { loadConfig, type ConfigLocation } from '../config/load.js';
import type { HookdConfig } from '../config/types.js';
import { errorText, HookdError } from '../errors.js';
import { isJsonObject, type JsonValue } from '../json.js';
import { lightningdOption, parentLightningd, type LightningdView } from '../lightningd/options.js';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';
import { CONFIG_OPTION, LOG_LEVEL_OPTION, needsOf, needsProblem, PROVISIONAL_NEEDS, type PluginNeeds } from './manifest.js';

// The config found at getmanifest time, or why there is none.
export type ManifestConfig = { readonly config: HookdConfig } | { readonly problem: string };

export interface SetupContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  // The lightningd that started the plugin; default: the parent process.
  readonly lightningd?: LightningdView | undefined;
}

// What to do when no config is found: a plugin has no -c.
const PLUGIN_ADVICE = "name it with hookd-config=PATH in lightningd's config (or HOOKD_CONFIG in lightningd's environment)";

// lightningd starts plugins in <lightning-dir>/<network>: a config without
// `state:` keeps its queue there, one per node, so that several nodes on one
// machine (a regtest setup) never share, and lock each other out of, one folder.
function location(context: SetupContext, configPath?: string): ConfigLocation {
  return { path: configPath, cwd: context.cwd, env: context.env, defaultState: path.join(context.cwd, 'hookd'), notFoundAdvice: PLUGIN_ADVICE };
}

// lightningd asks for the manifest before it passes the options: the config
// is $HOOKD_CONFIG, else the hookd-config lightningd was given (its command
// line, its config files), else the search from the working folder, which
// lightningd sets to <lightning-dir>/<network>.
export async function findManifestConfig(context: SetupContext): Promise<ManifestConfig> {
  const lightningd = context.env.HOOKD_CONFIG ? undefined : (context.lightningd ?? parentLightningd(context.cwd));
  const named = lightningd && lightningdOption(lightningd, CONFIG_OPTION);
  try {
    return { config: await loadConfig(location(context, named?.value)) };
  } catch (error) {
    const problem = configErrorText(error);
    return { problem: named === undefined ? problem : `${problem} (hookd-config from ${named.origin})` };
  }
}

export function manifestNeeds(found: ManifestConfig): PluginNeeds {
  return 'config' in found ? needsOf(found.config) : PROVISIONAL_NEEDS;
}

// One line for lightningd's log: the message and every problem.
export function configErrorText(error: unknown): string {
  if (error instanceof HookdError && error.details.length > 0) return [error.message, ...error.details].join('; ');
  return errorText(error);
}

export interface InitSettings {
  readonly config: HookdConfig;
  readonly logLevel: LogLevel;
  readonly lightningDir: string | undefined;
  readonly rpcFile: string | undefined;
  readonly network: string | undefined;
}

// What init gives: the config to serve and the settings, or the reason to
// disable the plugin.
export async function readInit(params: JsonValue | undefined, found: ManifestConfig, registered: PluginNeeds, context: SetupContext): Promise<InitSettings | { disable: string }> {
  const options = isJsonObject(params) && isJsonObject(params.options) ? params.options : {};
  const configuration = isJsonObject(params) && isJsonObject(params.configuration) ? params.configuration : {};
  const level = options[LOG_LEVEL_OPTION] ?? 'info';
  if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
    return { disable: `${LOG_LEVEL_OPTION} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}` };
  }
  const lightningDir = stringOf(configuration['lightning-dir']);
  const given = stringOf(options[CONFIG_OPTION]);
  let config: HookdConfig;
  if (given !== undefined) {
    try {
      config = await loadConfig(location(context, given));
    } catch (error) {
      return { disable: configErrorText(error) };
    }
  } else if ('config' in found) config = found.config;
  else return { disable: found.problem };
  const problem = needsProblem(registered, needsOf(config));
  if (problem !== undefined) {
    const where = 'config' in found ? `the manifest came from ${found.config.file}` : 'no config was found when lightningd asked for the manifest';
    return { disable: `${config.file}: ${problem} (${where}); give lightningd this config with hookd-config= in its config file or on its command line (or HOOKD_CONFIG in its environment), then start the plugin again` };
  }
  return { config, logLevel: level as LogLevel, lightningDir, rpcFile: stringOf(configuration['rpc-file']), network: stringOf(configuration.network) };
}

function stringOf(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// LIGHTNING_RPC (absolute), LIGHTNING_DIR and LIGHTNING_NETWORK for hooks.
export function rpcEnv(settings: InitSettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (!settings.config.rpcEnv) return env;
  if (settings.lightningDir !== undefined) env.LIGHTNING_DIR = settings.lightningDir;
  const rpc = nodeRpcPath(settings);
  if (rpc !== undefined) env.LIGHTNING_RPC = rpc;
  if (settings.network !== undefined) env.LIGHTNING_NETWORK = settings.network;
  return env;
}

// The node's JSON-RPC socket, absolute (`rpc-file` may be relative to `lightning-dir`).
export function nodeRpcPath(settings: Pick<InitSettings, 'lightningDir' | 'rpcFile'>): string | undefined {
  return settings.rpcFile === undefined ? undefined : path.resolve(settings.lightningDir ?? '', settings.rpcFile);
}
