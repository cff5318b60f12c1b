// parseJson's result, sooner: V8's JSON.parse when it gives exactly what the
// exact parser would, the exact parser (json.ts) otherwise.
//
// The two differ only in numbers whose text does not read back as written
// (18446744073709551615, 1.0, 1e3, -0): the exact parser keeps those as
// ExactNumber. A scan that skips strings whole finds each number; one with a
// ".", an exponent, 16 characters or more, or -0 is checked (does it read back
// as written?), and the first that does not sends the text to the exact parser.
import { parseJson, type JsonValue } from './json.js';

// Shared with json.ts: deeper nesting is refused there, so here too.
const MAX_DEPTH = 512;
// Up to this many characters, a number of digits alone reads back as written.
const PLAIN_DIGITS = 15;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

export function parseJsonFast(text: string): JsonValue {
  if (hasInexactNumber(text)) return parseJson(text);
  return parseJsonLoose(text);
}

// JSON.parse's reading of a text, refused exactly as the exact parser refuses
// it: the same strings, structure and safe integers, but a number that does
// not read back as written may differ (exactJson then reads it again). Enough
// to read an event's type, and to drop an event that no hook wants.
export function parseJsonLoose(text: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return parseJson(text); // its error message names the position and the problem
  }
  // A text this short cannot nest deeper than the exact parser allows.
  if (text.length > MAX_DEPTH && depthOver(value, MAX_DEPTH)) return parseJson(text);
  return value;
}

// parseJson's result, given parseJsonLoose's reading of the same text.
export function exactJson(text: string, loose: JsonValue): JsonValue {
  return hasInexactNumber(text) ? parseJson(text) : loose;
}

// Whether a number of the text does not read back as written. In valid JSON
// every digit or "-" outside strings begins a number (an invalid text goes to
// the exact parser either way, and an unterminated string sends it there).
// Strings, most of an event's text, are passed over with indexOf: a regular
// expression over the whole text took twice as long as JSON.parse.
function hasInexactNumber(text: string): boolean {
  const length = text.length;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return true;
    } else if (code === MINUS || (code >= ZERO && code <= NINE)) {
      const start = i;
      let digitsOnly = code !== MINUS || text.charCodeAt(i + 1) !== ZERO; // -0 reads back as 0
      for (i++; i < length; i++) {
        const next = text.charCodeAt(i);
        if (next >= ZERO && next <= NINE) continue;
        if (next !== 0x2e && next !== 0x65 && next !== 0x45 && next !== 0x2b && next !== MINUS) break; // . e E + -
        digitsOnly = false;
      }
      if (digitsOnly && i - start <= PLAIN_DIGITS) continue;
      const token = text.slice(start, i);
      if (String(Number(token)) !== token) return true;
    } else i++;
  }
  return false;
}

// Just past the closing quote of the string opened at `open`; -1 if none.
function stringEnd(text: string, open: number): number {
  for (let close = text.indexOf('"', open + 1); close !== -1; close = text.indexOf('"', close + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
  }
  return -1;
}

// Whether some value lies more than `limit` containers below `value`.
function depthOver(value: JsonValue, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const children = (Array.isArray(value) ? value : Object.values(value)) as JsonValue[];
  if (children.length > 0 && limit === 0) return true;
  return children.some((child) => depthOver(child, limit - 1));
}
