// `sources: - http: {...}`: webhooks over HTTP. The listen address follows
// listen-option.ts; a signature check needs both `signature:` and
// `secret_file:`, and a public listener needs a signature check.
import path from 'node:path';
import { errorText } from '../errors.js';
import type { ListenAddress } from './listen-address.js';
import { LISTEN_KEYS, listenSection, readListen } from './listen-option.js';
import type { ConfigProblems, KeyPath } from './problems.js';
import { readSecretFile } from './secret-file.js';
import { isMapping, type Section } from './section.js';

export interface SignatureScheme {
  // The header that carries the signature (any case).
  readonly header: string;
  // What comes before the hex digest, such as "sha256=".
  readonly prefix: string;
}

// BTCPay Server and GitHub sign alike, under different header names.
export const SIGNATURE_PRESETS = Object.freeze({
  btcpay: Object.freeze({ header: 'BTCPay-Sig', prefix: 'sha256=' }),
  github: Object.freeze({ header: 'X-Hub-Signature-256', prefix: 'sha256=' }),
} satisfies Record<string, SignatureScheme>);

export interface HttpSourceSpec {
  readonly kind: 'http';
  readonly listen: ListenAddress;
  // The URL path events are POSTed to.
  readonly urlPath: string;
  readonly signature: { readonly scheme: SignatureScheme; readonly secretFile: string } | undefined;
  readonly typeHeader: string | undefined;
}

const HTTP_KEYS = [...LISTEN_KEYS, 'path', 'secret_file', 'signature', 'type_header'] as const;
// RFC 9110's token: what a header name may be made of.
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const PRESET_NAMES = Object.keys(SIGNATURE_PRESETS).join(' or ');

export function readHttpSource(raw: unknown, at: KeyPath, problems: ConfigProblems, baseDir: string): HttpSourceSpec | undefined {
  const section = listenSection(raw, at, problems, HTTP_KEYS);
  if (section === undefined) return undefined;
  const listen = readListen(section, baseDir, 'an http source');
  const urlPath = section.string('path', '/');
  if (!urlPath.startsWith('/') || /[?#\s]/.test(urlPath)) section.problems.expected(section.at('path'), 'a URL path such as /events', urlPath);
  const typeHeader = headerName(section, 'type_header');
  const signature = readSignature(section, baseDir);
  if (listen === undefined) return undefined;
  // readListen has checked `public:` (and reported a value that is not true or false).
  if (section.raw.public === true && signature === undefined && listen.kind === 'tcp') {
    section.problems.add(section.at('public'), 'a public http source needs signature: and secret_file:, or anyone who reaches it can inject events');
  }
  return { kind: 'http', listen, urlPath, signature, typeHeader };
}

function readSignature(section: Section, baseDir: string): HttpSourceSpec['signature'] {
  const scheme = readScheme(section);
  const file = section.string('secret_file');
  if (scheme !== undefined && file === undefined) section.problems.add(section.path, 'signature: needs secret_file: (the shared secret, in a file of its own)');
  if (file !== undefined && !section.has('signature')) section.problems.add(section.at('secret_file'), `secret_file: needs signature: (${PRESET_NAMES}, or {header, prefix})`);
  if (scheme === undefined || file === undefined) return undefined;
  const secretFile = path.resolve(baseDir, file);
  try {
    readSecretFile(secretFile);
  } catch (error) {
    section.problems.add(section.at('secret_file'), errorText(error));
  }
  return { scheme, secretFile };
}

function readScheme(section: Section): SignatureScheme | undefined {
  if (!section.has('signature')) return undefined;
  const raw = section.raw.signature;
  if (typeof raw === 'string' && Object.prototype.hasOwnProperty.call(SIGNATURE_PRESETS, raw)) return SIGNATURE_PRESETS[raw as keyof typeof SIGNATURE_PRESETS];
  if (!isMapping(raw)) {
    section.problems.expected(section.at('signature'), `${PRESET_NAMES}, or {header: NAME, prefix: "sha256="}`, raw);
    return undefined;
  }
  const custom = section.section('signature', ['header', 'prefix']);
  const header = custom && headerName(custom, 'header');
  if (custom === undefined) return undefined;
  if (header === undefined) {
    if (!custom.has('header')) custom.problems.add(custom.path, 'a custom signature needs header: (the header that carries it)');
    return undefined;
  }
  const prefix = custom.has('prefix') ? custom.raw.prefix : '';
  if (typeof prefix !== 'string') {
    custom.problems.expected(custom.at('prefix'), 'the text before the hex digest, such as "sha256="', prefix);
    return undefined;
  }
  return Object.freeze({ header, prefix });
}

function headerName(section: Section, key: string): string | undefined {
  const name = section.string(key);
  if (name !== undefined && !HEADER_NAME.test(name)) section.problems.expected(section.at(key), 'an HTTP header name such as X-GitHub-Event', name);
  return name !== undefined && HEADER_NAME.test(name) ? name : undefined;
}
