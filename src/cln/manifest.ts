// The answer to getmanifest: hookd's options, the notification topics the
// config's hooks can match, and its decision hooks. lightningd asks for it
// before `init` brings the options, so the config it is computed from is the
// one the usual search finds (HOOKD_CONFIG, else hookd.config.* from the
// working folder, <lightning-dir>/<network>, upward); `init` then checks that
// the config actually used needs nothing the manifest did not ask for.
import picomatch from 'picomatch';
import type { HookdConfig } from '../config/types.js';
import type { JsonObject } from '../json.js';
import { topicOfType } from '../lightningd/index-topics.js';
import { LOG_TOPIC } from '../lightningd/topics.js';
import { RPC_METHODS } from './rpc-methods.js';

const SHUTDOWN_TOPIC = 'shutdown';

export const CONFIG_OPTION = 'hookd-config';
export const LOG_LEVEL_OPTION = 'hookd-log-level';

// What the plugin asks lightningd for.
export interface PluginNeeds {
  // Topic names, or "*" (all but log), plus "log" when named.
  readonly subscriptions: readonly string[];
  readonly hooks: readonly string[];
}

// Without a usable config at getmanifest time: every topic (a config given
// later with hookd-config may want any), no decision hook.
export const PROVISIONAL_NEEDS: PluginNeeds = Object.freeze({ subscriptions: ['*'], hooks: [] });

export function needsOf(config: HookdConfig): PluginNeeds {
  const topics = new Set<string>();
  let everything = false;
  const hooks = new Set<string>();
  for (const hook of config.hooks) {
    for (const pattern of hook.on) {
      if (hook.decide) hooks.add(pattern);
      else if (picomatch.scan(pattern).isGlob) everything = true;
      // invoice_updated and the like come from the cln source, not notifications.
      else if (topicOfType(pattern) === undefined) topics.add(pattern);
    }
  }
  // Always shutdown: without it lightningd ends the plugin on `plugin stop`
  // at once, with no chance to finish queued work or to say so in its log.
  topics.add(SHUTDOWN_TOPIC);
  const subscriptions = everything ? ['*', ...(topics.has(LOG_TOPIC) ? [LOG_TOPIC] : [])] : [...topics].sort();
  return { subscriptions, hooks: [...hooks].sort() };
}

// Why the plugin, registered with `registered`, cannot serve `wanted`;
// undefined when it can.
export function needsProblem(registered: PluginNeeds, wanted: PluginNeeds): string | undefined {
  const all = registered.subscriptions.includes('*');
  const missingTopics = wanted.subscriptions.filter((topic) => {
    if (registered.subscriptions.includes(topic)) return false;
    return topic === '*' || topic === LOG_TOPIC || !all;
  });
  const missingHooks = wanted.hooks.filter((hook) => !registered.hooks.includes(hook));
  if (missingTopics.length === 0 && missingHooks.length === 0) return undefined;
  const parts: string[] = [];
  if (missingTopics.length > 0) parts.push(`notifications ${missingTopics.join(', ')}`);
  if (missingHooks.length > 0) parts.push(`decision hooks ${missingHooks.join(', ')}`);
  return `the config needs ${parts.join(' and ')}, which hookd did not register with lightningd`;
}

export function buildManifest(needs: PluginNeeds): JsonObject {
  return {
    rpcmethods: [...RPC_METHODS],
    options: [
      {
        name: CONFIG_OPTION,
        type: 'string',
        description: 'Path of the hookd config (default: $HOOKD_CONFIG, else hookd.config.yaml searched from the network folder upward)',
      },
      {
        name: LOG_LEVEL_OPTION,
        type: 'string',
        default: 'info',
        description: "Least level of hookd's lines in lightningd's log: trace, debug, info, warn, error",
      },
    ],
    subscriptions: [...needs.subscriptions],
    hooks: needs.hooks.map((name) => ({ name })),
    dynamic: true,
    nonnumericids: true,
  };
}
