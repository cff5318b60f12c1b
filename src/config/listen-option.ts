// `listen:` with its `public:` and `mode:` (the http source, `metrics:`): a
// TCP address must be loopback unless `public: true` says otherwise; a unix
// socket gets the file mode (default 0600), like the socket source.
import { isPrivateAddress, LISTEN_FORMS, parseListenAddress, type ListenAddress } from './listen-address.js';
import { isMapping, Section } from './section.js';
import type { ConfigProblems, KeyPath } from './problems.js';
import { readSocketMode } from './socket-mode.js';

export const LISTEN_KEYS = ['listen', 'public', 'mode'] as const;

// The section of a value that is an address or a mapping with `listen:`.
export function listenSection(raw: unknown, at: KeyPath, problems: ConfigProblems, keys: readonly string[]): Section | undefined {
  if (typeof raw === 'string') return new Section({ listen: raw }, at, problems, keys);
  if (isMapping(raw)) return new Section(raw, at, problems, keys);
  problems.expected(at, `${LISTEN_FORMS}, or a mapping with listen:`, raw);
  return undefined;
}

// The address of `section.listen`; `what` names the listener in messages.
export function readListen(section: Section, baseDir: string, what: string): ListenAddress | undefined {
  if (!section.has('listen')) {
    section.problems.add(section.path, `${what} needs listen: ${LISTEN_FORMS}`);
    return undefined;
  }
  const text = section.string('listen');
  if (text === undefined) return undefined;
  const isPublic = section.boolean('public', false);
  const address = parseListenAddress(text, baseDir);
  if (address === undefined) {
    section.problems.expected(section.at('listen'), LISTEN_FORMS, text);
    return undefined;
  }
  if (address.kind === 'tcp') {
    if (section.has('mode')) section.problems.add(section.at('mode'), 'mode: applies to a unix socket path only');
    if (!isPublic && !isPrivateAddress(address)) {
      section.problems.add(section.at('listen'), `${text} can be reached from other machines; add public: true if that is meant, or listen on 127.0.0.1`);
    }
    return address;
  }
  return { ...address, mode: readSocketMode(section) };
}
