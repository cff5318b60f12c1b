// The sample side of `hookd test`: --list-samples, and the event of --type
// (Core Lightning's notifications and hooks, the bitcoind source's events).
import { EXIT } from '../exit-codes.js';
import { makeEvent, type HookEvent } from '../event.js';
import { stringifyJson } from '../json.js';
import { usageError } from './args.js';
import { testEvent } from './test-events.js';
import type { HookdConfig } from '../config/types.js';
import { findSample, listSamples } from '../lightningd/samples.js';
import { BITCOIND_SAMPLE_NAMES, bitcoindSample } from '../sources/bitcoind/bitcoind-samples.js';

export function printSampleList(json: boolean): number {
  const samples = [...listSamples(), ...BITCOIND_SAMPLE_NAMES.map((name) => ({ name, kinds: ['bitcoind'] }))];
  if (json) process.stdout.write(`${JSON.stringify({ samples }, null, 2)}\n`);
  else {
    process.stdout.write('Built-in samples (hookd test --type NAME): Core Lightning notifications and hooks, bitcoind source events\n');
    const width = Math.max(...samples.map((sample) => sample.name.length));
    for (const sample of samples) process.stdout.write(`  ${sample.name.padEnd(width)}  ${sample.kinds.join(', ')}\n`);
  }
  return EXIT.OK;
}

// The event of the sample; throws a usage error naming the choices when there is no such sample.
export function sampleEvent(type: string): HookEvent {
  const bitcoind = bitcoindSample(type);
  if (bitcoind !== undefined) return makeEvent({ type, fields: bitcoind.fields, raw: stringifyJson(bitcoind.fields), source: 'bitcoind', id: bitcoind.id });
  const sample = findSample(type);
  if (sample === undefined) throw usageError('test', `no built-in sample "${type}"; hookd test --list-samples lists them`);
  return testEvent(type, sample.fields);
}

// Only the hooks that would run for it: decision hooks for a Core Lightning
// hook request, the others for a notification (both for invoice_payment), for
// a record of the cln source, or for a bitcoind event.
export function sampleConfig(config: HookdConfig, type: string): HookdConfig {
  const kinds: readonly string[] = bitcoindSample(type) === undefined ? (findSample(type)?.kinds ?? []) : ['notification'];
  const hooks = config.hooks.filter((hook) => (hook.decide ? kinds.includes('hook') : kinds.includes('notification') || kinds.includes('record')));
  return Object.freeze({ ...config, hooks });
}
