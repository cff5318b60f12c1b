// Names Core Lightning knows, and the nearest known name to a misspelt one
// ("invoice_paid" -> "invoice_payment"), for config checks that say what
// was probably meant.
import { HOOK_NAMES } from './hook-catalog.js';
import { INDEX_TOPICS } from './index-topics.js';
import { NOTIFICATION_TOPICS } from './topics.js';

// The known name closest to `name` in edits, when it is close enough to be
// a likely slip (at most half the name's length); else undefined.
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 2)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

// ` did you mean "x"?` or nothing.
export function didYouMean(name: string, known: readonly string[]): string {
  const closest = closestName(name, known);
  return closest === undefined ? '' : `; did you mean "${closest}"?`;
}

// The event types of the cln source (invoice_updated, ...).
const INDEX_TYPES: readonly string[] = INDEX_TOPICS.map((topic) => topic.type);

// Why `name` in a notification hook's `on` will never fire in plugin mode,
// or undefined when lightningd knows the topic (or, with a cln source, the
// index event type).
export function unknownTopicProblem(name: string, withClnSource = false): string | undefined {
  if ((NOTIFICATION_TOPICS as readonly string[]).includes(name)) return undefined;
  if (INDEX_TYPES.includes(name)) return withClnSource ? undefined : `"${name}" is an event of the cln source, which this config does not have (add - cln: {})`;
  const known = [...NOTIFICATION_TOPICS, ...HOOK_NAMES, ...(withClnSource ? INDEX_TYPES : [])];
  const hookNote = HOOK_NAMES.includes(name) ? `; "${name}" is a Core Lightning hook: add decide: true to answer it` : didYouMean(name, known);
  return `"${name}" is not a Core Lightning notification topic (lightningd sends it only if another plugin does)${hookNote}`;
}

// Levenshtein distance: insertions, deletions and substitutions.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
