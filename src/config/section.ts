// Typed reads of one mapping of the raw config: each read checks the type,
// reports a problem with the key path when it is wrong, and falls back to the
// default so that validation goes on and finds every problem at once.
import { ExactNumber } from '../json.js';
import { formatDuration, MAX_DURATION_MS, parseDuration, parseSize } from './duration.js';
import type { ConfigProblems, KeyPath } from './problems.js';

export type RawMapping = Record<string, unknown>;

// An ExactNumber (a big integer of the YAML) is a value, not a mapping.
export function isMapping(value: unknown): value is RawMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ExactNumber);
}

export class Section {
  constructor(
    readonly raw: RawMapping,
    readonly path: KeyPath,
    readonly problems: ConfigProblems,
    allowedKeys: readonly string[],
  ) {
    for (const key of Object.keys(raw)) {
      if (!allowedKeys.includes(key)) {
        const hint = closest(key, allowedKeys);
        problems.add([...path, key], `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`);
      }
    }
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.raw, key) && this.raw[key] !== undefined;
  }

  at(key: string | number): KeyPath {
    return [...this.path, key];
  }

  // `positive`: zero is refused (a timeout of 0 would end every run at once).
  duration(key: string, fallback: number, { positive = false } = {}): number {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    const ms = parseDuration(value);
    if (ms === undefined) this.problems.expected(this.at(key), 'a duration such as 30s, 250ms, 5m or a number of seconds', value);
    else if (ms > MAX_DURATION_MS) this.problems.expected(this.at(key), `a duration of at most ${formatDuration(MAX_DURATION_MS)}`, value);
    else if (positive && ms === 0) this.problems.expected(this.at(key), 'a duration above 0', value);
    else return ms;
    return fallback;
  }

  size(key: string, fallback: number): number {
    if (!this.has(key)) return fallback;
    const bytes = parseSize(this.raw[key]);
    if (bytes === undefined) {
      this.problems.expected(this.at(key), 'a size such as 1MiB, 64KiB or a number of bytes', this.raw[key]);
      return fallback;
    }
    return bytes;
  }

  integer(key: string, fallback: number, min: number): number {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.problems.expected(this.at(key), `a whole number of at least ${min}`, value);
      return fallback;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    if (typeof value !== 'boolean') {
      this.problems.expected(this.at(key), 'true or false', value);
      return fallback;
    }
    return value;
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string | undefined;
  string(key: string, fallback?: string): string | undefined {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    if (typeof value !== 'string' || value === '') {
      this.problems.expected(this.at(key), 'a non-empty string', value);
      return fallback;
    }
    return value;
  }

  // One of a few words, e.g. `retry_on: tempfail`.
  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    if (!this.has(key)) return fallback;
    const value = this.raw[key];
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    this.problems.expected(this.at(key), `one of ${choices.join(', ')}`, value);
    return fallback;
  }

  // A nested mapping as a Section, or undefined (reported) when it is not one.
  section(key: string, allowedKeys: readonly string[]): Section | undefined {
    if (!this.has(key)) return new Section({}, this.at(key), this.problems, allowedKeys);
    const value = this.raw[key];
    if (!isMapping(value)) {
      this.problems.expected(this.at(key), 'a mapping', value);
      return undefined;
    }
    return new Section(value, this.at(key), this.problems, allowedKeys);
  }
}

// The allowed key nearest to a typo, for "did you mean".
function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
