// Core Lightning configs: which sources apply when lightningd runs hookd as
// its plugin, and warnings about notification names lightningd will never
// send (warnings, not errors: a custom notification of another plugin may
// bear any name).
import picomatch from 'picomatch';
import { unknownTopicProblem } from '../lightningd/known-names.js';
import type { HookdConfig, SourceSpec } from './types.js';

// A config meant for Core Lightning: it has decision hooks, rpc_env, or a cln source.
export function isClnConfig(config: HookdConfig): boolean {
  return config.rpcEnv || config.hooks.some((hook) => hook.decide) || config.sources.some(isClnSource);
}

export function isClnSource(source: SourceSpec): boolean {
  return source.kind === 'cln';
}

// The sources of plugin mode: lightningd's protocol instead of stdin, plus
// the config's other sources.
export function pluginModeSources(config: HookdConfig): string[] {
  return ['lightningd (plugin protocol)', ...config.sources.filter((source) => source.kind !== 'stdin').map((source) => source.kind)];
}

// One line per `on` name of a notification hook that is no Core Lightning topic.
export function unknownTopicWarnings(config: HookdConfig): string[] {
  const withClnSource = config.sources.some(isClnSource);
  return config.hooks.flatMap((hook, index) => {
    if (hook.decide) return [];
    return hook.on.flatMap((name) => {
      const problem = picomatch.scan(name).isGlob ? undefined : unknownTopicProblem(name, withClnSource);
      return problem === undefined ? [] : [`${config.file}: hooks[${index}] (${hook.name}).on: ${problem}`];
    });
  });
}
