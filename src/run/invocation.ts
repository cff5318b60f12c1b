// What one run of a hook for one event would execute: argv, cwd, environment,
// stdin. Shared by the dispatcher and `hookd test --dry-run`, so that what a
// dry run shows is exactly what a real run does.
import type { HookdConfig, HookSpec } from '../config/types.js';
import { buildHookEnv } from './env.js';
import type { HookEvent } from '../event.js';
import { renderTemplate } from '../template.js';

export interface Invocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly input: string;
  readonly timeoutMs: number;
  readonly killAfterMs: number;
}

export interface InvocationContext {
  readonly config: Pick<HookdConfig, 'envPrefix'>;
  readonly baseEnv?: NodeJS.ProcessEnv;
  // Mode-specific variables (Core Lightning's LIGHTNING_RPC, ...).
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
}

export function prepareInvocation(hook: HookSpec, event: HookEvent, attempt: number, context: InvocationContext): Invocation {
  return {
    command: hook.command,
    args: [...hook.fixedArgs, ...hook.args.map((template) => renderTemplate(template, event.fields))],
    cwd: hook.cwd,
    env: buildHookEnv({
      base: context.baseEnv ?? process.env,
      hookEnv: hook.env,
      hookName: hook.name,
      event,
      attempt,
      prefix: context.config.envPrefix,
      extra: context.extraEnv,
    }),
    input: event.raw,
    timeoutMs: hook.timeoutMs,
    killAfterMs: hook.killAfterMs,
  };
}
