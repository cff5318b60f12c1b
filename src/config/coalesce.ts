// `coalesce: { key: "{{peer_id}}", within: 10s }`: events for one hook with
// the same key, arriving within the window, are merged into one run.
import { compileTemplate, type Template } from '../template.js';
import type { Section } from './section.js';

export interface CoalesceSpec {
  // Filled from each event; events with the same text merge. No key: one group.
  readonly key: Template | undefined;
  // How long a group stays open after its first event; then the hook runs
  // once, with the group's last event.
  readonly withinMs: number;
}

const COALESCE_KEYS = ['key', 'within'] as const;

export function readCoalesce(hook: Section): CoalesceSpec | undefined {
  const section = hook.section('coalesce', COALESCE_KEYS);
  if (section === undefined) return undefined;
  if (!section.has('within')) {
    hook.problems.add(section.at('within'), 'missing: how long to gather events, e.g. within: 10s');
    return undefined;
  }
  const withinMs = section.duration('within', 0, { positive: true });
  let key: Template | undefined;
  const source = section.string('key');
  if (source !== undefined) {
    try {
      key = compileTemplate(source);
    } catch (error) {
      hook.problems.add(section.at('key'), (error as Error).message);
    }
  }
  return withinMs > 0 ? Object.freeze({ key, withinMs }) : undefined;
}
