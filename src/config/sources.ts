// `sources:`: where events come from. Each item is "stdin" or a mapping with
// one of file / socket / inbox and its options.
import path from 'node:path';
import { readJetStreamName, readSubject } from './nats.js';
import type { ConfigProblems, KeyPath } from './problems.js';
import { isMapping, Section } from './section.js';
import { DEFAULTS, type NatsSourceSpec, type SourceSpec } from './types.js';

const SOURCE_KEYS = {
  file: ['file', 'from'],
  socket: ['socket', 'mode'],
  inbox: ['inbox'],
} as const;
const NATS_SOURCE_KEYS = ['stream', 'consumer', 'subjects', 'ack_wait', 'max_ack_pending'] as const;

const DEFAULT_SOCKET_MODE = 0o600;

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

// What identifies a source (in status, across reloads); two with one
// identity would read the same input twice.
export function sourceKey(source: SourceSpec): string {
  switch (source.kind) {
    case 'stdin':
      return 'stdin';
    case 'inbox':
      return `inbox:${source.dir}`;
    case 'nats':
      return `nats:${source.stream}/${source.consumer}`;
    default:
      return `${source.kind}:${source.path}`;
  }
}

function readSource(item: unknown, at: KeyPath, problems: ConfigProblems, baseDir: string): SourceSpec | undefined {
  if (item === 'stdin') return { kind: 'stdin' };
  if (isMapping(item) && 'nats' in item) return readNatsSource(item, at, problems);
  const kind = isMapping(item) ? (['file', 'socket', 'inbox'] as const).find((name) => name in item) : undefined;
  if (!isMapping(item) || kind === undefined) {
    problems.expected(at, 'stdin, {file: PATH}, {socket: PATH}, {inbox: DIR} or {nats: {stream, consumer}}', item);
    return undefined;
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
      return { kind, path: full, mode: readMode(section) };
    case 'inbox':
      return { kind, dir: full };
  }
}

// File modes are octal. YAML reads 0600 as the number 600, so a number's
// digits are taken as octal digits; a string such as "0660" works too.
function readMode(section: Section): number {
  if (!section.has('mode')) return DEFAULT_SOCKET_MODE;
  const raw = section.raw.mode;
  const digits = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.replace(/^0o/, '') : '';
  if (!/^[0-7]{1,4}$/.test(digits)) {
    section.problems.expected(section.at('mode'), 'an octal file mode such as "0600" or "0660"', raw);
    return DEFAULT_SOCKET_MODE;
  }
  const mode = parseInt(digits, 8);
  if (mode & 0o007) section.problems.add(section.at('mode'), 'a socket open to every user would let anyone inject events; use 0600 or 0660');
  return mode;
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
