// `nats:`: the one NATS connection of a hookd (servers, credentials, TLS,
// where dead letters are also published), and the names and subjects that the
// `nats` source and `publish:` hooks use.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NatsSettings } from '../nats/connection.js';
import { compileTemplate, type Template } from '../template.js';
import type { ConfigProblems, KeyPath } from './problems.js';
import { isMapping, Section } from './section.js';

export interface NatsConfig extends NatsSettings {
  // Dead letters are also published here (they stay local too).
  readonly deadSubject: string | undefined;
}

const NATS_KEYS = ['servers', 'creds', 'token_file', 'user', 'password_file', 'tls', 'dead_subject'] as const;
const TLS_KEYS = ['ca', 'cert', 'key'] as const;
// A stream or consumer name: no whitespace, dots, wildcards or path separators.
const JETSTREAM_NAME = /^[^\s.*>/\\]+$/;
// A subject or filter: dot-separated tokens, `*` a whole token, `>` only last.
const SUBJECT = /^(?:[^\s.*>]+|\*)(?:\.(?:[^\s.*>]+|\*))*(?:\.>)?$|^>$/;

export function readNats(raw: unknown, problems: ConfigProblems, baseDir: string): NatsConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isMapping(raw)) {
    problems.expected(['nats'], 'a mapping with servers: and credentials', raw);
    return undefined;
  }
  const section = new Section(raw, ['nats'], problems, NATS_KEYS);
  const file = (key: string): string | undefined => existingFile(section, key, baseDir);
  const settings = {
    servers: readServers(section),
    creds: file('creds'),
    tokenFile: file('token_file'),
    user: section.string('user'),
    passwordFile: file('password_file'),
    tls: readTls(section, baseDir),
    deadSubject: readSubject(section, 'dead_subject', { wildcards: false }),
  };
  const ways = (['creds', 'token_file', 'user'] as const).filter((key) => section.has(key));
  if (ways.length > 1) problems.add(section.at(ways[1]!), `use one way to authenticate: ${ways.join(' or ')}, not both`);
  if (section.has('user') !== section.has('password_file')) {
    problems.add(section.at(section.has('user') ? 'password_file' : 'user'), 'missing: user: and password_file: go together');
  }
  return Object.freeze(settings);
}

function readServers(section: Section): readonly string[] {
  const raw = section.raw.servers;
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    section.problems.expected(section.at('servers'), 'a server URL such as nats://10.0.0.5:4222, or a list of them', raw);
    return [];
  }
  list.forEach((server: string, index) => {
    // A password in the URL would end up in logs and `ps`: it belongs in password_file.
    if (/\/\/[^/@]*:[^/@]*@/.test(server)) section.problems.add(typeof raw === 'string' ? section.at('servers') : [...section.at('servers'), index], 'a password in the URL would be logged; use user: and password_file:');
  });
  return Object.freeze([...list]);
}

function readTls(section: Section, baseDir: string): NatsSettings['tls'] {
  if (!section.has('tls')) return undefined;
  const tls = section.section('tls', TLS_KEYS);
  if (tls === undefined) return undefined;
  const files = { ca: existingFile(tls, 'ca', baseDir), cert: existingFile(tls, 'cert', baseDir), key: existingFile(tls, 'key', baseDir) };
  if (tls.has('cert') !== tls.has('key')) tls.problems.add(tls.at(tls.has('cert') ? 'key' : 'cert'), 'missing: cert: and key: go together');
  return Object.freeze(files);
}

// A file path (relative to the config) that must exist now.
function existingFile(section: Section, key: string, baseDir: string): string | undefined {
  const value = section.string(key);
  if (value === undefined) return undefined;
  const file = path.resolve(baseDir, value);
  if (!existsSync(file)) section.problems.add(section.at(key), `no such file: ${file}`);
  return file;
}

// A JetStream stream or consumer name.
export function readJetStreamName(section: Section, key: string): string | undefined {
  const value = section.string(key);
  if (value !== undefined && !JETSTREAM_NAME.test(value)) section.problems.expected(section.at(key), 'a name without spaces, ".", "*", ">" or "/"', value);
  return value;
}

// A subject; with wildcards, a filter such as "events.>".
export function readSubject(section: Section, key: string, { wildcards }: { wildcards: boolean }): string | undefined {
  const value = section.string(key);
  if (value === undefined) return undefined;
  if (!SUBJECT.test(value)) section.problems.expected(section.at(key), 'a subject such as "events.paid" (tokens separated by ".")', value);
  else if (!wildcards && /(^|\.)[*>](\.|$)/.test(value)) section.problems.expected(section.at(key), 'a subject without wildcards', value);
  return value;
}

// A problem when `nats:` is missing but something needs it.
export function requireNats(nats: NatsConfig | undefined, at: KeyPath, problems: ConfigProblems, what: string): void {
  if (nats === undefined) problems.add(at, `${what} needs the nats: section (servers and credentials)`);
}

// A hook's `publish:` subject template, instead of `run:`.
export function readPublish(section: Section, decide: boolean): Template | undefined {
  if (!section.has('publish')) return undefined;
  const at = section.at('publish');
  if (section.has('run')) section.problems.add(at, 'a hook runs a script (run:) or publishes (publish:), not both');
  if (decide) section.problems.add(at, 'a decision hook (decide: true) must answer lightningd; it cannot publish');
  const value = section.string('publish');
  if (value === undefined) return undefined;
  // The fixed parts must already be a subject; the fields fill in whole tokens.
  if (!SUBJECT.test(value.replace(/\{\{[^{}]*\}\}/g, 'x')) || /[*>]/.test(value)) {
    section.problems.expected(at, 'a subject such as "events.{{type}}" (no spaces or wildcards)', value);
    return undefined;
  }
  try {
    return compileTemplate(value);
  } catch (error) {
    section.problems.add(at, (error as Error).message);
    return undefined;
  }
}
