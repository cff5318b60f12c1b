// Core Lightning's hooks (v26.06) as data: the object that wraps each
// request's payload, and the reply shapes each hook allows, written from
// lightningd's schemas (doc/schemas/hook/*.json). lightningd aborts on a reply
// outside these shapes, so hookd checks every reply against them.
import type { JsonObject } from '../json.js';

// The type of one reply field.
export type FieldType =
  | 'string'
  // Even-length hex; `hash` and `secret` are 32 bytes of it.
  | 'hex' | 'hash' | 'secret'
  // Amounts: a whole number of millisatoshi / satoshi, or "1000msat" / "1sat".
  | 'msat' | 'sat'
  | 'u32'
  // rpc_command's "replace": a JSON-RPC request.
  | 'rpc_request'
  // rpc_command's "return": {result: {...}} or {error: {code, message}}.
  | 'rpc_return';

// One allowed reply: `result` is one of `results` (or any string when
// `results` is "any"; absent when the shape has no result), every `required`
// field is there, at least one of `oneOf` when given, and no field outside
// `fields`.
export interface ReplyShape {
  readonly results?: readonly string[] | 'any';
  readonly fields: Readonly<Record<string, FieldType>>;
  readonly required?: readonly string[];
  readonly oneOf?: readonly string[];
}

export interface HookDefinition {
  readonly name: string;
  // The params key whose object is the payload ("peer" for peer_connected);
  // undefined when the params are the payload.
  readonly wrapper?: string;
  readonly shapes: readonly ReplyShape[];
  // Fields a bare {"result":"continue"} is completed with from the request
  // (openchannel2_changed and _sign must hand the PSBT back).
  readonly continueFrom?: readonly string[];
}

const CONTINUE_ONLY: readonly ReplyShape[] = [{ results: ['continue'], fields: {} }];

export const HOOKS: readonly HookDefinition[] = [
  { name: 'commitment_revocation', shapes: CONTINUE_ONLY },
  { name: 'custommsg', shapes: CONTINUE_ONLY },
  { name: 'db_write', shapes: CONTINUE_ONLY },
  {
    name: 'htlc_accepted',
    shapes: [
      { results: ['continue'], fields: { payload: 'hex', forward_to: 'hash', extra_tlvs: 'hex', invoice_msat: 'msat' } },
      { results: ['fail'], fields: { failure_message: 'hex', failure_onion: 'hex' }, oneOf: ['failure_message', 'failure_onion'] },
      { results: ['resolve'], fields: { payment_key: 'secret' }, required: ['payment_key'] },
    ],
  },
  {
    name: 'invoice_payment',
    wrapper: 'payment',
    shapes: [
      { results: ['continue'], fields: {} },
      { results: ['reject'], fields: { failure_message: 'hex' } },
      // The older form lightningd still takes: a failure message alone rejects.
      { fields: { failure_message: 'hex' }, required: ['failure_message'] },
    ],
  },
  { name: 'onion_message_recv', wrapper: 'onion_message', shapes: [{ results: 'any', fields: {} }] },
  { name: 'onion_message_recv_secret', wrapper: 'onion_message', shapes: [{ results: 'any', fields: {} }] },
  {
    name: 'openchannel',
    wrapper: 'openchannel',
    shapes: [
      { results: ['continue'], fields: { close_to: 'string', mindepth: 'u32', reserve: 'sat' } },
      { results: ['reject'], fields: { error_message: 'string' } },
    ],
  },
  {
    name: 'openchannel2',
    wrapper: 'openchannel2',
    shapes: [
      { results: ['continue'], fields: { close_to: 'string', psbt: 'string', our_funding_msat: 'msat' } },
      { results: ['reject'], fields: { error_message: 'string' } },
    ],
  },
  {
    name: 'openchannel2_changed',
    wrapper: 'openchannel2_changed',
    shapes: [{ results: ['continue'], fields: { psbt: 'string' }, required: ['psbt'] }],
    continueFrom: ['psbt'],
  },
  {
    name: 'openchannel2_sign',
    wrapper: 'openchannel2_sign',
    shapes: [{ results: ['continue'], fields: { psbt: 'string' }, required: ['psbt'] }],
    continueFrom: ['psbt'],
  },
  {
    name: 'peer_connected',
    wrapper: 'peer',
    shapes: [
      { results: ['continue'], fields: {} },
      { results: ['disconnect'], fields: { error_message: 'string' } },
    ],
  },
  {
    name: 'rbf_channel',
    wrapper: 'rbf_channel',
    shapes: [
      { results: ['continue'], fields: { psbt: 'string', our_funding_msat: 'msat' } },
      { results: ['reject'], fields: { error_message: 'string' } },
    ],
  },
  { name: 'recover', shapes: CONTINUE_ONLY },
  {
    name: 'rpc_command',
    wrapper: 'rpc_command',
    shapes: [
      { results: ['continue'], fields: {} },
      { fields: { replace: 'rpc_request' }, required: ['replace'] },
      { fields: { return: 'rpc_return' }, required: ['return'] },
    ],
  },
];

export const HOOK_NAMES: readonly string[] = HOOKS.map((hook) => hook.name);

const BY_NAME = new Map(HOOKS.map((hook) => [hook.name, hook]));

export function hookDefinition(name: string): HookDefinition | undefined {
  return BY_NAME.get(name);
}

export const CONTINUE: JsonObject = Object.freeze({ result: 'continue' }) as JsonObject;
