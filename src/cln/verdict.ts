// What a decision script's run answers lightningd: its own reply when it exited
// 0 and printed nothing or a reply of a shape its hook allows, else the hook's
// fallback and the reason. Pure, so that the plugin and `hookd test` judge a
// run the same way.
import type { HookSpec } from '../config/types.js';
import { stringifyJson, type JsonObject } from '../json.js';
import { type RunResult } from '../run/runner.js';
import { CONTINUE, type HookDefinition } from '../lightningd/hook-catalog.js';
import { completeReply, readScriptReply, replyProblem } from '../lightningd/reply.js';

export interface Verdict {
  readonly reply: JsonObject;
  // Why the fallback answers instead of the script; undefined when it does not.
  readonly fallbackReason?: string;
}

export function fallbackReply(spec: Pick<HookSpec, 'fallback'>, hook: HookDefinition, fields: JsonObject): JsonObject {
  return completeReply(hook, spec.fallback ?? CONTINUE, fields);
}

export function judgeRun(spec: Pick<HookSpec, 'fallback' | 'timeoutMs'>, hook: HookDefinition, fields: JsonObject, result: RunResult): Verdict {
  const fallback = (reason: string): Verdict => ({ reply: fallbackReply(spec, hook, fields), fallbackReason: reason });
  if (!result.ok) return fallback(result.outcome + (result.timedOut ? ` (timeout ${spec.timeoutMs} ms)` : ''));
  const read = readScriptReply(result.stdout);
  if ('problem' in read) return fallback(read.problem);
  const reply = completeReply(hook, read.reply, fields);
  const problem = replyProblem(hook, reply);
  if (problem !== undefined) return fallback(`reply ${stringifyJson(reply)} is not one ${hook.name} allows: ${problem}`);
  return { reply };
}
