// `mode:` of a unix socket hookd listens on (the socket source, an http
// listener on a socket path). File modes are octal. YAML reads 0600 as the
// number 600, so a number's digits are taken as octal digits; a string such
// as "0660" works too.
import type { Section } from './section.js';

export const DEFAULT_SOCKET_MODE = 0o600;

export function readSocketMode(section: Section): number {
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
