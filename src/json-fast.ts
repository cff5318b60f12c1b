// parseJson's result, sooner: V8's JSON.parse when it gives exactly what the
// exact parser would, the exact parser (json.ts) otherwise.
//
// The two differ only in numbers whose text does not read back as written
// (18446744073709551615, 1.0, 1e3, -0): the exact parser keeps those as
// ExactNumber. Such a number has a ".", an exponent, 16 digits or more, or is
// -0; a line without any of these (outside strings too: a cheap conservative
// screen) is parsed by JSON.parse alone. A line with one is scanned token by
// token first, and any number that would not read back sends it straight to
// the exact parser.
import { parseJson, type JsonValue } from './json.js';

// Shared with json.ts: deeper nesting is refused there, so here too.
const MAX_DEPTH = 512;
// Something that may belong to a number that does not read back as written.
const MAYBE_INEXACT = /\d[.eE]|\d{16}|-0(?![.\d])/;
// JSON tokens that can hold digits: whole strings (skipped) and numbers.
const STRING_OR_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

export function parseJsonFast(text: string): JsonValue {
  if (MAYBE_INEXACT.test(text) && hasInexactNumber(text)) return parseJson(text);
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
  return MAYBE_INEXACT.test(text) && hasInexactNumber(text) ? parseJson(text) : loose;
}

// In valid JSON every digit run outside strings is a number (an invalid text
// goes to the exact parser either way).
function hasInexactNumber(text: string): boolean {
  STRING_OR_NUMBER.lastIndex = 0;
  for (let match = STRING_OR_NUMBER.exec(text); match !== null; match = STRING_OR_NUMBER.exec(text)) {
    const token = match[0];
    if (token.charCodeAt(0) !== 0x22 && String(Number(token)) !== token) return true;
  }
  return false;
}

// Whether some value lies more than `limit` containers below `value`.
function depthOver(value: JsonValue, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const children = (Array.isArray(value) ? value : Object.values(value)) as JsonValue[];
  if (children.length > 0 && limit === 0) return true;
  return children.some((child) => depthOver(child, limit - 1));
}
