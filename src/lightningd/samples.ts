// `hookd test --type TOPIC`: the built-in sample of a notification or hook as
// the plugin would turn it into an event (unwrapped, amounts as numbers), or
// of a record the `cln` source follows (invoice_updated, ...).
import { isJsonObject, parseJson, type JsonObject } from '../json.js';
import { INDEX_SAMPLE_TEXTS } from './index-samples.js';
import { unwrapHookRequest, unwrapNotification } from './notification.js';
import { SAMPLE_TEXTS, type SampleText } from './samples-data.js';

export interface Sample {
  readonly name: string;
  // What lightningd sends under that name: a notification, a hook, or both;
  // or a record of the `cln` source.
  readonly kinds: readonly ('notification' | 'hook' | 'record')[];
  readonly fields: JsonObject;
}

// Every sample name, sorted, with its kinds.
export function listSamples(): { name: string; kinds: string[] }[] {
  const kinds = new Map<string, string[]>();
  for (const sample of SAMPLE_TEXTS) kinds.set(sample.name, [...(kinds.get(sample.name) ?? []), sample.kind]);
  for (const name of Object.keys(INDEX_SAMPLE_TEXTS)) kinds.set(name, ['record']);
  return [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => ({ name, kinds: list }));
}

// The sample named so; a name that is both a notification and a hook
// (invoice_payment, custommsg) gives the same fields either way.
export function findSample(name: string): Sample | undefined {
  const record = INDEX_SAMPLE_TEXTS[name];
  if (record !== undefined) {
    const fields = parseJson(record);
    return isJsonObject(fields) ? { name, kinds: ['record'], fields } : undefined;
  }
  const texts = SAMPLE_TEXTS.filter((sample) => sample.name === name);
  const first = texts[0];
  if (first === undefined) return undefined;
  return { name, kinds: texts.map((sample) => sample.kind), fields: fieldsOf(first) };
}

function fieldsOf(sample: SampleText): JsonObject {
  const params = parseJson(sample.params);
  return sample.kind === 'hook' ? unwrapHookRequest(sample.name, params).fields : unwrapNotification(sample.name, params, sample.origin).fields;
}
