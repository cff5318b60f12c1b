// The events `hookd test` tries: from a file or stdin, or made from a sample.
import { readFileSync } from 'node:fs';
import type { HookdConfig } from '../config/types.js';
import { HookdError } from '../errors.js';
import { makeEvent, type HookEvent } from '../event.js';
import { isJsonObject, parseJson, stringifyJson, type JsonObject } from '../json.js';
import { eventFromLine, LineSplitter } from '../sources/lines.js';

export interface TestInput {
  readonly events: HookEvent[];
  // One line per input that is not an event.
  readonly problems: string[];
}

// Events from a file or stdin: one JSON document (an object, or a list of
// objects), else JSON lines.
export function readEvents(file: string, config: HookdConfig, source = 'test'): TestInput {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    throw new HookdError('E_EVENT', `cannot read ${file === '-' ? 'stdin' : file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const shape = { typePath: config.typePath, idPath: config.idPath };
  const whole = tryParse(bytes.toString('utf8'));
  const documents = isJsonObject(whole) ? [whole] : Array.isArray(whole) && whole.every(isJsonObject) ? whole : undefined;
  const splitter = new LineSplitter(config.maxEventBytes);
  const items = documents === undefined
    ? [...splitter.push(bytes), ...splitter.end()]
    : documents.map((document, index) => ({ kind: 'line' as const, number: index + 1, bytes: Buffer.from(stringifyJson(document)) }));
  const what = documents === undefined ? 'line' : 'event';
  const events: HookEvent[] = [];
  const problems: string[] = [];
  for (const item of items) {
    const result = eventFromLine(item, shape, config.maxEventBytes, source);
    if (result === undefined) continue;
    if (result instanceof Error) problems.push(`${file === '-' ? 'stdin' : file}: ${what} ${item.number} skipped: ${result.message}`);
    else events.push(result);
  }
  return { events, problems };
}

function tryParse(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

// Lets other modes (Core Lightning samples) build test events.
export function testEvent(type: string, fields: JsonObject): HookEvent {
  return makeEvent({ type, fields, raw: stringifyJson(fields), source: 'test' });
}
