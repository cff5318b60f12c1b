// `sources:`: where events come from. Each item is "stdin" or a mapping with
// one of file / socket / inbox / http and its options, or cln / bitcoind with
// their own mappings.
import path from 'node:path';
import { BITCOIND_KEYS, readBitcoindSource } from './bitcoind-settings.js';
import { readHttpSource } from './http-settings.js';
import { formatListenAddress } from './listen-address.js';
import { readJetStreamName, readSubject } from './nats.js';
import type { ConfigProblems, KeyPath } from './problems.js';
import { isMapping, Section } from './section.js';
import { readSocketMode } from './socket-mode.js';
import { sourceKindOf } from './source-kind.js';
import { DEFAULTS, type NatsSourceSpec, type SourceSpec } from './types.js';

const SOURCE_KEYS = {
  file: ['file', 'from'],
  socket: ['socket', 'mode'],
  inbox: ['inbox'],
} as const;
const CLN_KEYS = ['rpc', 'from'] as const;
const NATS_SOURCE_KEYS = ['stream', 'consumer', 'subjects', 'ack_wait', 'max_ack_pending'] as const;

export function readSources(raw: unknown, problems: ConfigProblems, baseDir: string): SourceSpec[] | undefined {
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  const sources: SourceSpec[] = [];
  const seen = new Map<string, number>();
  list.forEach((item, index) => {
    const at: KeyPath = Array.isArray(raw) ? ['sources', index] : ['sources'];
    const source = readSource(item, at, problems, baseDir);
    if (source === undefined) return;
    const identity = sourceKey(source);
    const first = seen.get(identity);
    if (first !== undefined) problems.add(at, `the same source as sources[${first}]`);
    else {
      seen.set(identity, index);
      sources.push(Object.freeze(source));
    }
  });
  return sources;
}

// The key that identifies a source: two entries with one key are one source,
// and a reload keeps a source whose key and options stay.
export function sourceKey(source: SourceSpec): string {
  switch (source.kind) {
    case 'stdin':
      return 'stdin';
    case 'inbox':
      return `inbox:${source.dir}`;
    case 'cln':
      return `cln:${source.rpc ?? 'node'}`;
    case 'http':
      return `http:${formatListenAddress(source.listen)}`;
    case 'bitcoind':
      return `bitcoind:${source.url}`;
    case 'nats':
      return `nats:${source.stream}/${source.consumer}`;
    default:
      return `${source.kind}:${source.path}`;
  }
}

function readSource(item: unknown, at: KeyPath, problems: ConfigProblems, baseDir: string): SourceSpec | undefined {
  const kind = sourceKindOf(item);
  if (kind === 'stdin') return { kind: 'stdin' };
  if (!isMapping(item) || kind === undefined) {
    problems.expected(at, 'stdin, {file: PATH}, {socket: PATH}, {inbox: DIR}, {http: {listen: ADDRESS, ...}}, {cln: {rpc: PATH}}, {bitcoind: {url: ...}} or {nats: {stream, consumer}}', item);
    return undefined;
  }
  if (kind === 'nats') return readNatsSource(item, at, problems);
  if (kind === 'http') return readHttpItem(item, at, problems, baseDir);
  if (kind === 'cln') return readClnSource(item, at, problems, baseDir);
  if (kind === 'bitcoind') {
    const bitcoind = new Section(item, at, problems, ['bitcoind']).section('bitcoind', BITCOIND_KEYS);
    return bitcoind === undefined ? undefined : readBitcoindSource(bitcoind, baseDir);
  }
  const section = new Section(item, at, problems, SOURCE_KEYS[kind]);
  const where = section.string(kind);
  if (where === undefined) return undefined;
  const full = path.resolve(baseDir, where);
  switch (kind) {
    case 'file': {
      const from = section.string('from', 'start');
      if (from !== 'start' && from !== 'end') problems.expected(section.at('from'), 'start or end', from);
      return { kind, path: full, from: from === 'end' ? 'end' : 'start' };
    }
    case 'socket':
      return { kind, path: full, mode: readSocketMode(section) };
    case 'inbox':
      return { kind, dir: full };
  }
}

// `- http: {...}` is the item's only key; its settings are inside.
function readHttpItem(item: Record<string, unknown>, at: KeyPath, problems: ConfigProblems, baseDir: string): SourceSpec | undefined {
  for (const key of Object.keys(item)) if (key !== 'http') problems.add([...at, key], 'unknown key (the http source\'s settings go inside http: {...})');
  return readHttpSource(item.http, [...at, 'http'], problems, baseDir);
}

// `- cln: {rpc: PATH, from: now|start}`; `- cln: {}` (or `- cln:`) in plugin
// mode means the node's own socket.
function readClnSource(item: Record<string, unknown>, at: KeyPath, problems: ConfigProblems, baseDir: string): SourceSpec | undefined {
  new Section(item, at, problems, ['cln']);
  const raw = item.cln ?? {};
  if (!isMapping(raw)) {
    problems.expected([...at, 'cln'], 'a mapping such as {rpc: /path/to/lightning-rpc, from: now}', raw);
    return undefined;
  }
  const section = new Section(raw, [...at, 'cln'], problems, CLN_KEYS);
  const rpc = section.string('rpc');
  const from = section.string('from', 'now');
  if (from !== 'now' && from !== 'start') problems.expected(section.at('from'), 'now or start', from);
  return { kind: 'cln', rpc: rpc === undefined ? undefined : path.resolve(baseDir, rpc), from: from === 'start' ? 'start' : 'now' };
}

// {nats: {stream, consumer, subjects, ack_wait, max_ack_pending}}
function readNatsSource(item: Record<string, unknown>, at: KeyPath, problems: ConfigProblems): NatsSourceSpec | undefined {
  const section = new Section(item, at, problems, ['nats']).section('nats', NATS_SOURCE_KEYS);
  if (section === undefined) return undefined;
  for (const key of ['stream', 'consumer'] as const) {
    if (!section.has(key)) problems.add(section.at(key), `missing: the JetStream ${key} to pull from`);
  }
  const stream = readJetStreamName(section, 'stream');
  const consumer = readJetStreamName(section, 'consumer');
  const spec = {
    kind: 'nats' as const,
    subjects: readSubject(section, 'subjects', { wildcards: true }),
    ackWaitMs: section.duration('ack_wait', DEFAULTS.ackWaitMs, { positive: true }),
    maxAckPending: section.has('max_ack_pending') ? section.integer('max_ack_pending', 1, 1) : undefined,
  };
  if (stream === undefined || consumer === undefined) return undefined;
  return { ...spec, stream, consumer };
}
