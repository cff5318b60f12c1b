// `sources:`: where events come from. Each item is "stdin" or a mapping with
// one of file / socket / inbox and its options, or cln with its own mapping.
import path from 'node:path';
import type { ConfigProblems, KeyPath } from './problems.js';
import { isMapping, Section } from './section.js';
import type { SourceSpec } from './types.js';

const SOURCE_KEYS = {
  file: ['file', 'from'],
  socket: ['socket', 'mode'],
  inbox: ['inbox'],
} as const;
const CLN_KEYS = ['rpc', 'from'] as const;

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
    default:
      return `${source.kind}:${source.path}`;
  }
}

function readSource(item: unknown, at: KeyPath, problems: ConfigProblems, baseDir: string): SourceSpec | undefined {
  if (item === 'stdin') return { kind: 'stdin' };
  if (isMapping(item) && 'cln' in item) return readClnSource(item, at, problems, baseDir);
  const kind = isMapping(item) ? (['file', 'socket', 'inbox'] as const).find((name) => name in item) : undefined;
  if (!isMapping(item) || kind === undefined) {
    problems.expected(at, 'stdin, {file: PATH}, {socket: PATH}, {inbox: DIR} or {cln: {rpc: PATH, from: now}}', item);
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
