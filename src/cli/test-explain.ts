// `hookd test --explain`: for every hook, whether an event reaches it or the
// first reason it does not (the pure judgement is src/match-explain.ts).
import type { HookSpec } from '../config/types.js';
import type { HookEvent } from '../event.js';
import { explainMatch } from '../match-explain.js';

export interface HookExplanation {
  readonly hook: string;
  readonly matched: boolean;
  // When not matched: the config key that stopped it ("on", "where.msat") and why.
  readonly key?: string;
  readonly reason?: string;
}

// In config order, every hook of the config.
export function explainEvent(hooks: readonly HookSpec[], event: HookEvent): HookExplanation[] {
  return hooks.map((hook) => {
    const explanation = explainMatch(hook, event.type, event.fields);
    if (explanation.matched) return { hook: hook.name, matched: true };
    return { hook: hook.name, matched: false, key: explanation.key, reason: explanation.reason };
  });
}
