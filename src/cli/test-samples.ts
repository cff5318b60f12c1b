// The sample side of `hookd test`: --list-samples, and the fields of --type.
import { EXIT } from '../exit-codes.js';
import { usageError } from './args.js';
import type { HookdConfig } from '../config/types.js';
import type { JsonObject } from '../json.js';
import { findSample, listSamples } from '../lightningd/samples.js';

export function printSampleList(json: boolean): number {
  const samples = listSamples();
  if (json) process.stdout.write(`${JSON.stringify({ samples }, null, 2)}\n`);
  else {
    process.stdout.write('Built-in Core Lightning samples (hookd test --type NAME):\n');
    const width = Math.max(...samples.map((sample) => sample.name.length));
    for (const sample of samples) process.stdout.write(`  ${sample.name.padEnd(width)}  ${sample.kinds.join(', ')}\n`);
  }
  return EXIT.OK;
}

// Throws a usage error naming the choices when there is no such sample.
export function sampleFields(type: string): JsonObject {
  const sample = findSample(type);
  if (sample === undefined) throw usageError('test', `no built-in sample "${type}"; hookd test --list-samples lists them`);
  return sample.fields;
}

// Only the hooks the plugin would run for it: decision hooks for a hook
// request, notification hooks for a notification (both for invoice_payment)
// and for a record of the cln source.
export function sampleConfig(config: HookdConfig, type: string): HookdConfig {
  const kinds: readonly string[] = findSample(type)?.kinds ?? [];
  const hooks = config.hooks.filter((hook) => (hook.decide ? kinds.includes('hook') : kinds.includes('notification') || kinds.includes('record')));
  return Object.freeze({ ...config, hooks });
}
