// JSON that keeps numbers exactly as written.
//
// JSON.parse turns 18446744073709551615 into 18446744073709552000; Core
// Lightning sends such u64 values, and a hook must see every digit. Numbers
// whose text survives a round trip through `number` stay plain numbers (the
// common case, cheap to compare); any other number becomes an ExactNumber
// that carries its source text.

export class ExactNumber {
  constructor(readonly text: string) {}
  // The nearest double, for comparisons that do not need every digit.
  get value(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return this.value;
  }
  toString(): string {
    return this.text;
  }
}

export type JsonValue = null | boolean | number | ExactNumber | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
  }
}

const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_PLAIN = /[^"\\\u0000-\u001f]*/y;
const WHITESPACE = /[ \t\n\r]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const MAX_DEPTH = 512;

// Parse one JSON text; throws JsonSyntaxError.
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('Unexpected data after the JSON value');
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.test(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    const ch = this.text[this.pos];
    switch (ch) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('Unexpected token');
    this.pos += word.length;
    return value;
  }

  number(): number | ExactNumber {
    NUMBER_PATTERN.lastIndex = this.pos;
    const match = NUMBER_PATTERN.exec(this.text);
    if (!match) this.fail(this.pos >= this.text.length ? 'Unexpected end of JSON' : 'Unexpected token');
    const text = match[0];
    this.pos += text.length;
    const value = Number(text);
    return String(value) === text ? value : new ExactNumber(text);
  }

  string(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      STRING_PLAIN.lastIndex = this.pos;
      STRING_PLAIN.test(this.text);
      out += this.text.slice(this.pos, STRING_PLAIN.lastIndex);
      this.pos = STRING_PLAIN.lastIndex;
      const ch = this.text[this.pos];
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === undefined) this.fail('Unterminated string');
      if (ch !== '\\') this.fail('Control character in string');
      const esc = this.text[this.pos + 1];
      if (esc === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = esc === undefined ? undefined : ESCAPES[esc];
        if (decoded === undefined) this.fail('Bad escape');
        out += decoded;
        this.pos += 2;
      }
    }
  }

  array(depth: number): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.value(depth + 1));
      this.skipWhitespace();
      const ch = this.text[this.pos++];
      if (ch === ']') return out;
      if (ch !== ',') {
        this.pos--;
        this.fail("Expected ',' or ']'");
      }
    }
  }

  object(depth: number): JsonObject {
    this.pos++;
    const out: JsonObject = {};
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('Expected a string key');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("Expected ':'");
      this.pos++;
      this.skipWhitespace();
      // defineProperty: "__proto__" and friends are plain keys, never the prototype.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const ch = this.text[this.pos++];
      if (ch === '}') return out;
      if (ch !== ',') {
        this.pos--;
        this.fail("Expected ',' or '}'");
      }
    }
  }
}

// Serialise a value, writing ExactNumbers with their original digits.
export function stringifyJson(value: JsonValue): string {
  if (value instanceof ExactNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    parts.push(`${JSON.stringify(key)}:${stringifyJson(value[key] as JsonValue)}`);
  }
  return `{${parts.join(',')}}`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ExactNumber);
}

// The value at a dotted path ("a.b.0.c"); arrays are indexed by number.
export function getPath(root: JsonValue, path: string): JsonValue | undefined {
  // One key (`type`, the usual event type path) is read once per event: no split.
  if (!path.includes('.')) return childAt(root, path);
  let node: JsonValue | undefined = root;
  for (const part of path.split('.')) {
    if (node === undefined) return undefined;
    node = childAt(node, part);
  }
  return node;
}

function childAt(node: JsonValue, key: string): JsonValue | undefined {
  if (node === null || typeof node !== 'object' || node instanceof ExactNumber) return undefined;
  if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
  return Array.isArray(node) ? node[Number(key)] : node[key];
}

// How a scalar reads as text: numbers as written, null as "".
export function scalarText(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !(value instanceof ExactNumber)) return stringifyJson(value);
  return String(value);
}
