// A reader for the plain YAML most configs are written in, for `hookd emit`,
// which needs two top-level keys and cannot afford the `yaml` package's ~70
// modules on every block bitcoind announces. It knows block mappings and
// sequences with word keys, one-line flow collections, and one-line plain or
// quoted scalars (YAML 1.2 core schema); for anything else it answers
// NOT_PLAIN and the caller asks the `yaml` package. It never guesses:
// test/plain-yaml.test.ts holds it to `yaml`'s answers.

export const NOT_PLAIN: unique symbol = Symbol('not plain YAML');

class NotPlain extends Error {}

function notPlain(): never {
  throw new NotPlain();
}

// A key at the start of a line: `name:` then a space or the end.
const KEY_LINE = /^([A-Za-z_][\w-]*):(?: +(.*))?$/;
// What may follow a value on its line: spaces, or spaces and a comment.
const LINE_END = /^(?: +#.*)? *$/;

// The lines of each top-level key, from its own line to the next key's;
// undefined when the document is not a mapping of word keys (not `null:` or
// `true:`) at column 0, a "---" first line aside.
export function topLevelSections(lines: readonly string[]): Map<string, { first: number; end: number }[]> | undefined {
  if (lines[0]?.startsWith('\uFEFF')) return undefined;
  const sections = new Map<string, { first: number; end: number }[]>();
  let open: { first: number; end: number } | undefined;
  let seenContent = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (/^[ \t]*(?:#.*)?$/.test(line)) continue;
    if (!seenContent && /^---(?: +#.*)? *$/.test(line)) {
      seenContent = true;
      continue;
    }
    seenContent = true;
    // Indented lines and `- item` lines belong to the key above.
    if (line[0] === ' ' || line[0] === '\t' || /^-(?: |$)/.test(line)) {
      if (open === undefined) return undefined;
      continue;
    }
    const key = KEY_LINE.exec(line)?.[1];
    if (key === undefined || coreScalar(key) !== key) return undefined;
    if (open !== undefined) open.end = index;
    open = { first: index, end: lines.length };
    sections.set(key, [...(sections.get(key) ?? []), open]);
  }
  return sections;
}

// The value of the top-level key on line `first`, or NOT_PLAIN.
export function readPlainSection(lines: readonly string[], first: number, end: number): unknown {
  const rows: Row[] = [];
  for (let index = first + 1; index < end; index++) {
    const line = lines[index] as string;
    if (/[\t\r]/.test(line)) return NOT_PLAIN;
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    rows.push({ indent: line.length - body.length, body });
  }
  if (/[\t\r]/.test(lines[first] as string)) return NOT_PLAIN;
  try {
    const reader = new BlockReader(rows);
    const value = reader.valueAfter(KEY_LINE.exec(lines[first] as string)?.[2] ?? '', 0);
    if (reader.next() !== undefined) notPlain();
    return value;
  } catch (error) {
    if (error instanceof NotPlain) return NOT_PLAIN;
    throw error;
  }
}

interface Row {
  readonly indent: number;
  readonly body: string;
}

class BlockReader {
  private index = 0;

  constructor(private readonly rows: readonly Row[]) {}

  next(): Row | undefined {
    return this.rows[this.index];
  }

  // The value of a key at indent `indent` whose line goes on with `rest`: a
  // sequence may stand at the key's own indent.
  valueAfter(rest: string, indent: number): unknown {
    if (rest !== '' && !rest.startsWith('#')) return inlineValue(rest);
    const next = this.next();
    return next !== undefined && next.indent === indent && isItem(next.body) ? this.sequence(indent) : this.nested(indent);
  }

  // The block below a line at `indent`, or null when none is deeper.
  private nested(indent: number): unknown {
    const next = this.next();
    if (next === undefined || next.indent <= indent) return null;
    return isItem(next.body) ? this.sequence(next.indent) : this.mapping(next.indent, undefined);
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let row = this.next(); row !== undefined && row.indent === indent && isItem(row.body); row = this.next()) {
      this.index++;
      const rest = row.body.slice(1).trimStart();
      const column = indent + row.body.length - rest.length;
      if (rest === '' || rest.startsWith('#')) items.push(this.nested(indent));
      else if (isItem(rest)) notPlain();
      else if (KEY_LINE.test(rest)) items.push(this.mapping(column, rest));
      else items.push(inlineValue(rest));
      this.endOfNode(indent);
    }
    return items;
  }

  // A mapping whose keys stand at `indent`; `first`: its first line when it
  // starts on a sequence item's line (`- key: value`).
  private mapping(indent: number, first: string | undefined): Record<string, unknown> {
    const mapping = {};
    for (let body = first; ; body = undefined) {
      if (body === undefined) {
        const row = this.next();
        if (row === undefined || row.indent < indent) return mapping;
        if (row.indent > indent) notPlain();
        body = row.body;
        this.index++;
      }
      const [, key, rest] = KEY_LINE.exec(body) ?? notPlain();
      setKey(mapping, key, this.valueAfter(rest ?? '', indent));
      this.endOfNode(indent);
    }
  }

  // Nothing may stand deeper than a node once it is read.
  private endOfNode(indent: number): void {
    const next = this.next();
    if (next !== undefined && next.indent > indent) notPlain();
  }
}

function isItem(body: string): boolean {
  return body === '-' || body.startsWith('- ');
}

// Keys are strings that read as strings (not `null:` or `true:`), once each.
function setKey(mapping: Record<string, unknown>, key: unknown, value: unknown): void {
  if (typeof key !== 'string' || coreScalar(key) !== key || Object.prototype.hasOwnProperty.call(mapping, key)) notPlain();
  Object.defineProperty(mapping, key, { value, enumerable: true, writable: true, configurable: true });
}

// A value that stands on its line, after `key: ` or `- `.
function inlineValue(text: string): unknown {
  if (/^["'[{]/.test(text)) {
    const [value, end] = flowNode(text, 0);
    if (!LINE_END.test(text.slice(end))) notPlain();
    return value;
  }
  const comment = text.indexOf(' #');
  const plain = (comment === -1 ? text : text.slice(0, comment)).trimEnd();
  if (/^[-?:](?: |$)|^[,\]}#&*!|>%@`]/.test(plain) || /: |:$/.test(plain)) notPlain();
  return coreScalar(plain);
}

// A flow node from `start`: [value, index after it].
function flowNode(text: string, start: number): [unknown, number] {
  const at = skipSpaces(text, start);
  const char = text[at];
  if (char === '[' || char === '{') return flowCollection(text, at);
  if (char === '"' || char === "'") return quoted(text, at);
  const match = /^[^,[\]{}#]*?(?=:(?:[ ,\]}]|$)|[,\]}]| #|$)/.exec(text.slice(at));
  const plain = (match?.[0] ?? '').trimEnd();
  if (plain === '' || /^[-?:](?: |$)|^[&*!|>%@`]/.test(plain)) notPlain();
  return [coreScalar(plain), at + (match?.[0].length ?? 0)];
}

function flowCollection(text: string, open: number): [unknown, number] {
  const isMap = text[open] === '{';
  const items: unknown[] = [];
  const mapping = {};
  let at = skipSpaces(text, open + 1);
  while (text[at] !== (isMap ? '}' : ']')) {
    const [node, after] = flowNode(text, at);
    at = skipSpaces(text, after);
    if (isMap) {
      let value: unknown = null;
      if (text[at] === ':') {
        at = skipSpaces(text, at + 1);
        if (text[at] !== ',' && text[at] !== '}') [value, at] = flowNode(text, at);
        at = skipSpaces(text, at);
      }
      setKey(mapping, node, value);
    } else {
      if (text[at] === ':') notPlain(); // a pair inside a sequence
      items.push(node);
    }
    if (text[at] === ',') at = skipSpaces(text, at + 1);
    else if (text[at] !== (isMap ? '}' : ']')) notPlain();
  }
  return [isMap ? mapping : items, at + 1];
}

function skipSpaces(text: string, at: number): number {
  while (text[at] === ' ') at++;
  return at;
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0' };

// A quoted scalar that closes on its line: [value, index after it].
function quoted(text: string, open: number): [string, number] {
  const quote = text[open];
  let value = '';
  for (let at = open + 1; at < text.length; at++) {
    const char = text[at] as string;
    if (quote === "'" && char === "'") {
      if (text[at + 1] !== "'") return [value, at + 1];
      value += "'";
      at++;
    } else if (quote === '"' && char === '"') return [value, at + 1];
    else if (quote === '"' && char === '\\') {
      const escaped = ESCAPES[text[at + 1] ?? ''];
      if (escaped === undefined) notPlain();
      value += escaped;
      at++;
    } else value += char;
  }
  return notPlain();
}

// A plain scalar as YAML 1.2's core schema reads it (the patterns are the
// `yaml` package's): null, true/false, numbers, else the string.
function coreScalar(text: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(text)) return /^[Tt]/.test(text);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^[-+]?[0-9]+$/.test(text) || /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}
