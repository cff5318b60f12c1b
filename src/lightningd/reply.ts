// Checks a decision reply against the shapes its hook allows, and reads a
// script's stdout as a reply. Every problem is one plain line for the log.
import { ExactNumber, isJsonObject, JsonSyntaxError, parseJson, type JsonObject, type JsonValue } from '../json.js';
import { CONTINUE, type FieldType, type HookDefinition, type ReplyShape } from './hook-catalog.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const HEX32 = /^[0-9a-fA-F]{64}$/;
const MSAT_TEXT = /^\d+msat$/;
const SAT_TEXT = /^\d+(?:sat|msat)?$/;

function isWholeNumber(value: JsonValue | undefined): boolean {
  if (value instanceof ExactNumber) return /^\d+$/.test(value.text);
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

// Why `value` is not of `type`, or undefined when it is.
function fieldProblem(type: FieldType, value: JsonValue | undefined): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'hex':
      return typeof value === 'string' && HEX.test(value) ? undefined : 'hex (an even number of 0-9a-f digits)';
    case 'hash':
    case 'secret':
      return typeof value === 'string' && HEX32.test(value) ? undefined : '64 hex digits';
    case 'msat':
      return isWholeNumber(value) || (typeof value === 'string' && MSAT_TEXT.test(value)) ? undefined : 'an amount in msat (a whole number)';
    case 'sat':
      return isWholeNumber(value) || (typeof value === 'string' && SAT_TEXT.test(value)) ? undefined : 'an amount such as 1000 or "1000sat"';
    case 'u32':
      return isWholeNumber(value) && Number(value) <= 0xffffffff ? undefined : 'a whole number below 2^32';
    case 'rpc_request':
      if (!isJsonObject(value)) return 'a JSON-RPC request object';
      if (value.jsonrpc !== '2.0') return 'a request with "jsonrpc": "2.0"';
      if (!('id' in value) || !(typeof value.id === 'string' || typeof value.id === 'number' || value.id instanceof ExactNumber || value.id === null)) return 'a request with an id';
      if (typeof value.method !== 'string') return 'a request with a method';
      return isJsonObject(value.params) || Array.isArray(value.params) ? undefined : 'a request with params (an object or a list)';
    case 'rpc_return': {
      if (!isJsonObject(value)) return '{"result": {...}} or {"error": {"code": N, "message": "..."}}';
      const keys = Object.keys(value);
      if (keys.length === 1 && isJsonObject(value.result)) return undefined;
      const error = value.error;
      if (keys.length === 1 && isJsonObject(error) && Number.isInteger(Number(error.code)) && typeof error.code !== 'string' && typeof error.message === 'string') return undefined;
      return '{"result": {...}} or {"error": {"code": N, "message": "..."}}';
    }
  }
}

function shapeProblem(shape: ReplyShape, reply: JsonObject): string | undefined {
  const result = reply.result;
  if (shape.results === undefined) {
    if ('result' in reply) return 'no "result" is allowed with these fields';
  } else {
    if (typeof result !== 'string') return '"result" must be a string';
    if (shape.results !== 'any' && !shape.results.includes(result)) return `"result" must be ${shape.results.map((r) => JSON.stringify(r)).join(' or ')}`;
  }
  for (const key of Object.keys(reply)) {
    if (key === 'result' && shape.results !== undefined) continue;
    const type = shape.fields[key];
    if (type === undefined) return `unexpected field "${key}"`;
    const problem = fieldProblem(type, reply[key]);
    if (problem !== undefined) return `"${key}" must be ${problem}`;
  }
  for (const key of shape.required ?? []) if (!(key in reply)) return `"${key}" is required`;
  if (shape.oneOf !== undefined && !shape.oneOf.some((key) => key in reply)) return `one of ${shape.oneOf.map((k) => `"${k}"`).join(', ')} is required`;
  return undefined;
}

// The shape a reply is judged against: the one its result names, so that the
// problem reported is the relevant one.
function candidateShapes(hook: HookDefinition, reply: JsonObject): readonly ReplyShape[] {
  const result = reply.result;
  const named = hook.shapes.filter((shape) => shape.results === 'any' || (Array.isArray(shape.results) && typeof result === 'string' && shape.results.includes(result)));
  if (named.length > 0) return named;
  const withoutResult = hook.shapes.filter((shape) => shape.results === undefined && shape.required?.some((key) => key in reply));
  return withoutResult.length > 0 ? withoutResult : hook.shapes;
}

// Undefined when the reply is one of the hook's shapes; else why not.
export function replyProblem(hook: HookDefinition, reply: JsonValue): string | undefined {
  if (!isJsonObject(reply)) return 'the reply must be a JSON object';
  const results = knownResults(hook);
  if (typeof reply.result === 'string' && results !== undefined && !results.includes(reply.result)) {
    return `"result" must be ${results.map((result) => JSON.stringify(result)).join(' or ')}`;
  }
  const problems: string[] = [];
  for (const shape of candidateShapes(hook, reply)) {
    const problem = shapeProblem(shape, reply);
    if (problem === undefined) return undefined;
    if (!problems.includes(problem)) problems.push(problem);
  }
  if (!('result' in reply) && hook.shapes.every((shape) => shape.results !== undefined)) return `"result" is missing (${describeResults(hook)})`;
  return problems.join('; ');
}

// Every result the hook allows; undefined when any string goes.
function knownResults(hook: HookDefinition): string[] | undefined {
  if (hook.shapes.some((shape) => shape.results === 'any')) return undefined;
  return [...new Set(hook.shapes.flatMap((shape) => (Array.isArray(shape.results) ? shape.results : [])))];
}

function describeResults(hook: HookDefinition): string {
  const results = knownResults(hook);
  return results === undefined ? 'any string' : `one of ${results.join(', ')}`;
}

// A bare continue gets the request fields the hook must hand back (the PSBT of
// openchannel2_sign), so that `exit 0` and a plain fallback stay valid.
export function completeReply(hook: HookDefinition, reply: JsonObject, payload: JsonObject): JsonObject {
  if (hook.continueFrom === undefined || reply.result !== 'continue') return reply;
  const completed: JsonObject = { ...reply };
  for (const key of hook.continueFrom) {
    const value = payload[key];
    if (!(key in completed) && value !== undefined) completed[key] = value;
  }
  return completed;
}

export function isContinue(reply: JsonObject): boolean {
  return reply.result === 'continue';
}

// A continue that carries more than the result (a replaced payload, a PSBT).
export function isPlainContinue(reply: JsonObject): boolean {
  return isContinue(reply) && Object.keys(reply).length === 1;
}

// The reply a script's stdout holds: empty means continue; otherwise it must
// be one JSON object (whitespace around it is fine).
export function readScriptReply(stdout: string): { reply: JsonObject } | { problem: string } {
  const text = stdout.trim();
  if (text === '') return { reply: CONTINUE };
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch (error) {
    const detail = error instanceof JsonSyntaxError ? error.message : String(error);
    return { problem: `stdout is not a JSON object (${detail}): ${preview(text)}` };
  }
  if (!isJsonObject(value)) return { problem: `stdout is not a JSON object: ${preview(text)}` };
  return { reply: value };
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
