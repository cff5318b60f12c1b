// Reads what test/fixtures/cln/record.sh wrote: one record per hook run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './helpers.ts';

export const RECORD_SCRIPT = path.join(FIXTURES, 'cln', 'record.sh');

export interface RunRecord {
  readonly key: string;
  readonly env: Record<string, string>;
  readonly stdin: string;
}

// Runs in the order they finished (files whose run is complete only).
export function readRecords(dir: string): RunRecord[] {
  const orderFile = path.join(dir, 'order');
  if (!existsSync(orderFile)) return [];
  const keys = readFileSync(orderFile, 'utf8').split('\n').filter((line) => line !== '');
  return keys.map((key) => ({
    key,
    env: parseEnv(readFileSync(path.join(dir, `${key}.env`), 'utf8')),
    stdin: readFileSync(path.join(dir, `${key}.stdin`), 'utf8'),
  }));
}

// Runs whose record is complete (the order line is written last).
export function recordCount(dir: string): number {
  const orderFile = path.join(dir, 'order');
  return existsSync(orderFile) ? readFileSync(orderFile, 'utf8').split('\n').filter((line) => line !== '').length : 0;
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) {
      last = match[1] as string;
      env[last] = match[2] as string;
    } else if (last !== undefined && line !== '') env[last] += `\n${line}`;
  }
  return env;
}
