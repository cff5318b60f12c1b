// `sources: [{bitcoind: {...}}]`: follow bitcoind over JSON-RPC. Checked
// here: the URL's form, one way to log in, the wallet names, `from`, `poll`.
// What needs bitcoind (credentials refused, a wallet it lacks, a cookie it has
// not written) is checked when the source starts, with `where` in the message.
import path from 'node:path';
import type { KeyPath } from './problems.js';
import type { Section } from './section.js';
import type { BitcoindAuth, BitcoindSourceSpec } from './types.js';

// `password` is known only to be refused with a better word than "unknown key".
export const BITCOIND_KEYS = ['url', 'cookie', 'user', 'password_file', 'password', 'wallets', 'from', 'poll'] as const;

const DEFAULT_POLL_MS = 5_000;

// `section` is the mapping under `bitcoind:`.
export function readBitcoindSource(section: Section, baseDir: string): BitcoindSourceSpec | undefined {
  const { problems } = section;
  const rawUrl = section.string('url');
  if (rawUrl === undefined && !section.has('url')) problems.add(section.at('url'), 'missing: the URL of bitcoind\'s RPC, such as http://127.0.0.1:8332');
  const url = rawUrl === undefined ? undefined : parseRpcUrl(rawUrl);
  if (typeof url === 'string') problems.add(section.at('url'), url);
  const auth = readAuth(section, baseDir);
  const wallets = readWallets(section);
  const from = readFrom(section);
  const pollMs = section.duration('poll', DEFAULT_POLL_MS, { positive: true });
  if (url === undefined || typeof url === 'string' || auth === undefined) return undefined;
  return { kind: 'bitcoind', url: url.href, auth, wallets, from, pollMs, where: problems.where(section.path) };
}

// A URL bitcoind can be reached at, or the reason it cannot be one.
export function parseRpcUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected a URL such as http://127.0.0.1:8332, got "${text}"`;
  }
  if (url.protocol !== 'http:') return `bitcoind's RPC speaks plain http://, got "${url.protocol}"`;
  // A password in the URL would end up in logs and status: password_file is for that.
  if (url.username !== '' || url.password !== '') return 'put no user or password in the URL; use cookie:, or user: and password_file:';
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return 'expected only http://HOST:PORT, without a path';
  return url;
}

function readAuth(section: Section, baseDir: string): BitcoindAuth | undefined {
  const { problems } = section;
  const cookie = section.string('cookie');
  const user = section.string('user');
  const passwordFile = section.string('password_file');
  if (section.has('password')) problems.add(section.at('password'), 'a password is not written in the config (it would show wherever the config does); put it in a file of mode 0600 and name that with password_file:');
  if (cookie !== undefined) {
    if (user !== undefined || passwordFile !== undefined) problems.add(section.at('cookie'), 'give cookie: or user: with password_file:, not both');
    return { kind: 'cookie', file: path.resolve(baseDir, cookie) };
  }
  if (user !== undefined && passwordFile !== undefined) return { kind: 'password', user, file: path.resolve(baseDir, passwordFile) };
  if (user === undefined && passwordFile === undefined) problems.add(section.path, 'missing: cookie: (the file bitcoind writes) or user: with password_file:');
  else problems.add(section.at(user === undefined ? 'user' : 'password_file'), 'missing: user: and password_file: go together');
  return undefined;
}

function readWallets(section: Section): string[] {
  if (!section.has('wallets')) return [];
  const raw = section.raw.wallets;
  const list = Array.isArray(raw) ? raw : [raw];
  const wallets: string[] = [];
  list.forEach((name, index) => {
    const at: KeyPath = Array.isArray(raw) ? section.at('wallets').concat(index) : section.at('wallets');
    if (typeof name !== 'string') section.problems.expected(at, 'a wallet name (a string; "" for the default wallet)', name);
    else if (wallets.includes(name)) section.problems.add(at, `the wallet "${name}" is listed twice`);
    else wallets.push(name);
  });
  return wallets;
}

function readFrom(section: Section): 'tip' | number {
  if (!section.has('from')) return 'tip';
  const raw = section.raw.from;
  if (raw === 'tip') return 'tip';
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  section.problems.expected(section.at('from'), 'tip or a block height (a whole number of at least 0)', raw);
  return 'tip';
}
