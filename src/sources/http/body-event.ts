// A POSTed body as an event: UTF-8 JSON, an object, its type from the usual
// field or from a header (`type_header:`, such as X-GitHub-Event).
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import { EventError, idFrom, makeEvent, parseEvent, type EventShape, type HookEvent } from '../../event.js';
import { isJsonObject, JsonSyntaxError, parseJson, stringifyJson } from '../../json.js';

const BOM = '\uFEFF';

// The event, or the one-line reason the body is not one (a 400 answer).
export function eventFromBody(
  bytes: Buffer,
  headers: IncomingHttpHeaders,
  shape: EventShape,
  source: string,
  typeHeader: string | undefined,
): HookEvent | EventError {
  if (!isUtf8(bytes)) return new EventError('the body is not UTF-8');
  let text = bytes.toString('utf8');
  if (text.startsWith(BOM)) text = text.slice(1);
  if (text.trim() === '') return new EventError('empty body; expected a JSON object');
  try {
    // A hook reads one line on stdin: a pretty-printed body is written on one
    // line (newlines can only be whitespace between JSON tokens).
    if (typeHeader === undefined) return parseEvent(oneLine(text), shape, source);
    return eventTypedByHeader(text, headers, typeHeader, shape, source);
  } catch (error) {
    if (error instanceof EventError) return error;
    if (error instanceof JsonSyntaxError) return new EventError(`invalid JSON: ${error.message}`);
    throw error;
  }
}

function eventTypedByHeader(text: string, headers: IncomingHttpHeaders, typeHeader: string, shape: EventShape, source: string): HookEvent {
  const type = headers[typeHeader.toLowerCase()];
  if (typeof type !== 'string' || type === '') throw new EventError(`missing ${typeHeader} header (it gives the event type)`);
  const fields = parseJson(text);
  if (!isJsonObject(fields)) throw new EventError('expected a JSON object');
  return makeEvent({ type, fields, raw: /[\r\n]/.test(text) ? stringifyJson(fields) : text.trim(), source, id: idFrom(fields, shape.idPath) });
}

function oneLine(text: string): string {
  if (!/[\r\n]/.test(text)) return text.trim();
  const value = parseJson(text);
  return stringifyJson(value);
}
