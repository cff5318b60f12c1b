// RPC methods hookd adds to lightningd, so that `lightning-cli hookd-status`
// and `lightning-cli hookd-dead list|show|replay` work with no socket source:
// each node answers for its own hookd (and its own state folder).
import type { Daemon } from '../daemon/daemon.js';
import { daemonStatus } from '../daemon/daemon-status.js';
import { HookdError } from '../errors.js';
import { CONTROL_KEY } from '../sources/control-line.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import type { ReplayReport, ReplaySelection } from '../store/dead-selection.js';
import { summary } from '../store/dead-summary.js';
import type { DiskDeadLetters } from '../store/disk-dead-letters.js';
import { storedEvent } from '../store/records.js';

export const STATUS_METHOD = 'hookd-status';
export const DEAD_METHOD = 'hookd-dead';

// For the manifest.
export const RPC_METHODS: readonly JsonObject[] = [
  { name: STATUS_METHOD, usage: '', description: "hookd's status: sources, queue, and per-hook counters (decision hooks: replies, fallbacks by reason)" },
  { name: DEAD_METHOD, usage: '[command] [id...]', description: 'Dead letters of hookd: list, show ID..., replay ID... (or replay all)' },
];

// JSON-RPC "invalid params"; a request hookd cannot serve now.
const INVALID_PARAMS = -32602;
const UNAVAILABLE = -1;

export type RpcAnswer = { readonly result: JsonObject } | { readonly error: { readonly code: number; readonly message: string } };

// What the methods read: undefined status while hookd is not running (disabled, starting).
export interface RpcTarget {
  status(): JsonObject | undefined;
  readonly dead: DiskDeadLetters | undefined;
  replay(selection: ReplaySelection): Promise<ReplayReport>;
}

// The running daemon seen by the methods (undefined: disabled or not started yet).
export function rpcTarget(daemon: Daemon | undefined): RpcTarget {
  return {
    status: () => (daemon === undefined ? undefined : (JSON.parse(JSON.stringify(daemonStatus(daemon))) as JsonObject)),
    dead: daemon?.store.dead,
    replay: async (selection) => {
      const answer = await daemon!.control({ [CONTROL_KEY]: 'replay', ...(JSON.parse(JSON.stringify(selection)) as JsonObject) });
      if (answer.ok !== true) throw new HookdError('E_STATE', `replay refused: ${String(answer.error)}`);
      return answer as unknown as ReplayReport;
    },
  };
}

export function isRpcMethod(method: string): boolean {
  return method === STATUS_METHOD || method === DEAD_METHOD;
}

export async function answerRpc(method: string, params: JsonValue | undefined, target: RpcTarget): Promise<RpcAnswer> {
  const status = target.status();
  if (status === undefined) return { error: { code: UNAVAILABLE, message: 'hookd is not running (disabled or starting): see lightningd\'s log for why' } };
  if (method === STATUS_METHOD) return { result: status };
  try {
    return { result: await dead(words(params), target) };
  } catch (error) {
    return { error: { code: INVALID_PARAMS, message: (error as Error).message } };
  }
}

// lightning-cli sends positional words as an array, `-k command=show id=X` as an object.
function words(params: JsonValue | undefined): string[] {
  if (Array.isArray(params)) return params.map(String);
  if (!isJsonObject(params)) return [];
  const ids = params.id ?? params.ids ?? [];
  return [...(params.command === undefined ? [] : [String(params.command)]), ...(Array.isArray(ids) ? ids.map(String) : [String(ids)])];
}

async function dead([command = 'list', ...ids]: string[], target: RpcTarget): Promise<JsonObject> {
  const letters = target.dead;
  if (letters === undefined) throw new HookdError('E_STATE', 'state: false keeps no dead letters (they are only logged); set state: to a folder to keep them');
  switch (command) {
    case 'list':
      return { dead: [...letters.list(() => {})].map((letter) => ({ ...summary(letter) })) };
    case 'show': {
      if (ids.length === 0) throw new HookdError('E_USAGE', 'hookd-dead show: give the ids of the dead letters (see hookd-dead list)');
      const found = ids.map((id) => letters.find(id));
      return {
        dead: found.flatMap((letter) => (letter === undefined ? [] : [{ ...summary(letter), event: { ...storedEvent(letter.event) }, attempts: letter.attempts.map((attempt) => ({ ...attempt, stderrTail: [...attempt.stderrTail] })) }])),
        missing: ids.filter((_, index) => found[index] === undefined),
      };
    }
    case 'replay': {
      if (ids.length === 0) throw new HookdError('E_USAGE', 'hookd-dead replay: give the ids of the dead letters, or "all"');
      const report = await target.replay(ids.length === 1 && ids[0] === 'all' ? { all: true } : { ids });
      return JSON.parse(JSON.stringify(report)) as JsonObject;
    }
    default:
      throw new HookdError('E_USAGE', `hookd-dead: unknown command "${command}"; expected list, show or replay`);
  }
}
