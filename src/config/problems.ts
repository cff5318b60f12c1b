// Collects every problem of a config, each as one line naming the file, the
// line (when the format has lines) and the key path, e.g.
//   /etc/hookd.yaml:14: hooks[2].timeout: expected a duration such as 30s, 250ms or 5m, got "soon" (string)
import { HookdError } from '../errors.js';
import { ExactNumber } from '../json.js';

export type KeyPath = readonly (string | number)[];

// The line (1-based) of a key path in the file, when known.
export type LineLookup = (path: KeyPath) => number | undefined;

// hooks[2].timeout, env["my key"]
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(top level)' : out;
}

// How a received value reads in a message: "soon" (string), 12 (number).
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof ExactNumber) return `${value.text} (number)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${text.length > 60 ? `${text.slice(0, 57)}...` : text} (${typeof value})`;
}

export class ConfigProblems {
  private readonly found: { readonly line: number; readonly text: string }[] = [];

  constructor(
    readonly file: string,
    private readonly lineOf: LineLookup = () => undefined,
  ) {}

  add(path: KeyPath, message: string): void {
    this.found.push({ line: this.lineOf(path) ?? 0, text: `${this.where(path)}: ${message}` });
  }

  // "file:line: key.path", for a message about that key found later (at start).
  where(path: KeyPath): string {
    const line = this.lineOf(path);
    return `${line === undefined ? this.file : `${this.file}:${line}`}: ${formatKeyPath(path)}`;
  }

  // One line per problem, in the order of the file (sort is stable).
  get lines(): string[] {
    return [...this.found].sort((a, b) => a.line - b.line).map((problem) => problem.text);
  }

  // "expected X, got Y" in one wording everywhere.
  expected(path: KeyPath, what: string, value: unknown): void {
    this.add(path, `expected ${what}, got ${describeValue(value)}`);
  }

  get empty(): boolean {
    return this.found.length === 0;
  }

  // Throws when anything was found.
  throwIfAny(): void {
    if (this.empty) return;
    const count = this.found.length;
    throw new HookdError('E_CONFIG', `${this.file}: ${count} problem${count === 1 ? '' : 's'} in the config`, this.lines);
  }
}
