// Config checks of decision hooks (`decide: true`), run when the config is
// loaded: `on` names Core Lightning hooks (no globs: lightningd registers
// hooks by name), and `fallback` is a reply every one of them allows.
import picomatch from 'picomatch';
import type { KeyPath } from './problems.js';
import type { JsonObject } from '../json.js';
import { hookDefinition, HOOK_NAMES } from '../lightningd/hook-catalog.js';
import { didYouMean } from '../lightningd/known-names.js';
import { completeReply, replyProblem } from '../lightningd/reply.js';

export interface DecisionProblems {
  add(path: KeyPath, message: string): void;
}

export function checkDecisionHook(
  decide: boolean,
  on: readonly string[],
  fallback: JsonObject | undefined,
  at: (key: string) => KeyPath,
  problems: DecisionProblems,
): void {
  if (!decide) {
    if (fallback !== undefined) problems.add(at('fallback'), 'only decision hooks (decide: true) have a fallback');
    return;
  }
  for (const name of on) {
    if (picomatch.scan(name).isGlob) {
      problems.add(at('on'), `a decision hook names Core Lightning hooks, not globs: got "${name}"`);
      continue;
    }
    const hook = hookDefinition(name);
    if (hook === undefined) {
      problems.add(at('on'), `"${name}" is not a Core Lightning hook${didYouMean(name, HOOK_NAMES)} (decision hooks: ${HOOK_NAMES.join(', ')})`);
      continue;
    }
    if (fallback === undefined) continue;
    // Fields a continue hands back are filled from the request at run time.
    const placeholder = Object.fromEntries((hook.continueFrom ?? []).map((key) => [key, 'cHNidP8=']));
    const problem = replyProblem(hook, completeReply(hook, fallback, placeholder));
    if (problem !== undefined) problems.add(at('fallback'), `not a reply ${name} allows: ${problem}`);
  }
}
