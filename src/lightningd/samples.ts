// `hookd test --type TOPIC`: the built-in sample of a notification or hook as
// the plugin would turn it into an event (unwrapped, amounts as numbers).
import { parseJson, type JsonObject } from '../json.js';
import { unwrapHookRequest, unwrapNotification } from './notification.js';
import { SAMPLE_TEXTS, type SampleText } from './samples-data.js';

export interface Sample {
  readonly name: string;
  // What lightningd sends under that name: a notification, a hook, or both.
  readonly kinds: readonly ('notification' | 'hook')[];
  readonly fields: JsonObject;
}

// Every sample name, sorted, with its kinds.
export function listSamples(): { name: string; kinds: string[] }[] {
  const kinds = new Map<string, string[]>();
  for (const sample of SAMPLE_TEXTS) kinds.set(sample.name, [...(kinds.get(sample.name) ?? []), sample.kind]);
  return [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => ({ name, kinds: list }));
}

// The sample named so; a name that is both a notification and a hook
// (invoice_payment, custommsg) gives the same fields either way.
export function findSample(name: string): Sample | undefined {
  const texts = SAMPLE_TEXTS.filter((sample) => sample.name === name);
  const first = texts[0];
  if (first === undefined) return undefined;
  return { name, kinds: texts.map((sample) => sample.kind), fields: fieldsOf(first) };
}

function fieldsOf(sample: SampleText): JsonObject {
  const params = parseJson(sample.params);
  return sample.kind === 'hook' ? unwrapHookRequest(sample.name, params).fields : unwrapNotification(sample.name, params, sample.origin).fields;
}
