// What one run of a hook for one event would execute: argv, cwd, environment,
// stdin. Shared by the dispatcher and `hookd test --dry-run`, so that what a
// dry run shows is exactly what a real run does.
import type { HookdConfig, HookSpec } from '../config/types.js';
import { buildHookEnv } from './env.js';
import type { HookEvent } from '../event.js';
import { renderTemplate } from '../template.js';
import { switchUserArgv, userEnv } from './switch-user.js';

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
  const argv: [string, ...string[]] = [hook.command, ...hook.fixedArgs, ...hook.args.map((template) => renderTemplate(template, event.fields))];
  // `user:`: setpriv switches to the user, then execs the script.
  const [command, ...args] = hook.runAs === undefined ? argv : switchUserArgv(hook.runAs, argv);
  const base = context.baseEnv ?? process.env;
  return {
    command,
    args,
    cwd: hook.cwd,
    env: buildHookEnv({
      base: hook.runAs === undefined ? base : { ...base, ...userEnv(hook.runAs) },
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
