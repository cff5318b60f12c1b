// The resolved config: every default filled in, every path absolute, frozen.
// The raw input is `unknown` until validate.ts has checked it.
import type { JsonObject } from '../json.js';
import type { HttpSourceSpec } from './http-settings.js';
import type { ListenAddress } from './listen-address.js';
import type { Condition } from '../match.js';
import type { Template } from '../template.js';
import type { CoalesceSpec } from './coalesce.js';
import type { RunAs } from './run-as.js';
import type { NatsConfig } from './nats.js';

export type SourceSpec =
  | { readonly kind: 'stdin' }
  | { readonly kind: 'file'; readonly path: string; readonly from: 'start' | 'end' }
  | { readonly kind: 'socket'; readonly path: string; readonly mode: number }
  | { readonly kind: 'inbox'; readonly dir: string }
  | HttpSourceSpec
  // lightningd's records by index; `rpc` undefined: the node's own socket (plugin mode).
  | { readonly kind: 'cln'; readonly rpc: string | undefined; readonly from: 'now' | 'start' }
  | BitcoindSourceSpec
  | NatsSourceSpec;

// How hookd logs in to bitcoind's RPC: the cookie file, or a user and a password file.
export type BitcoindAuth = { readonly kind: 'cookie'; readonly file: string } | { readonly kind: 'password'; readonly user: string; readonly file: string };

export interface BitcoindSourceSpec {
  readonly kind: 'bitcoind';
  // http://HOST:PORT/ (normalised).
  readonly url: string;
  readonly auth: BitcoindAuth;
  readonly wallets: readonly string[];
  // First run only: after the current tip, or from this height on.
  readonly from: 'tip' | number;
  // How often the mempool is read when no block comes.
  readonly pollMs: number;
  // "file:line: sources[N].bitcoind", for the errors found at start.
  readonly where: string;
}

// A JetStream consumer shared by a fleet of hookd workers.
export interface NatsSourceSpec {
  readonly kind: 'nats';
  readonly stream: string;
  readonly consumer: string;
  // The consumer's filter subject; undefined: the whole stream.
  readonly subjects: string | undefined;
  readonly ackWaitMs: number;
  // Undefined: derived from `concurrency` (see sources/nats/).
  readonly maxAckPending: number | undefined;
}

export interface HookSpec {
  // Unique; shown in logs and HOOKD_HOOK.
  readonly name: string;
  // The type globs as written.
  readonly on: readonly string[];
  readonly matchType: (type: string) => boolean;
  readonly where: readonly Condition[];
  // The program, resolved to an absolute path, and its fixed arguments
  // (empty for a publish hook).
  readonly command: string;
  readonly fixedArgs: readonly string[];
  // `args`, filled from the event at each run.
  readonly args: readonly Template[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  // Grace between SIGTERM and SIGKILL.
  readonly killAfterMs: number;
  // Runs of this hook at once; 1 keeps arrival order.
  readonly concurrency: number;
  readonly retries: number;
  // Which failures are retried: `any`, or `tempfail` (only exit 75 and
  // timeouts; any other failure is a dead letter at once).
  readonly retryOn: RetryOn;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  // Core Lightning decision hook: the script's reply answers lightningd.
  readonly decide: boolean;
  // The reply used when a decision script fails (Core Lightning).
  readonly fallback: JsonObject | undefined;
  // Merge the events of a window into one run (HOOKD_COALESCED).
  readonly coalesce: CoalesceSpec | undefined;
  // `user:`/`group:`: the run switches to this user (uid, gid, groups, HOME).
  readonly runAs: RunAs | undefined;
  // `publish:` instead of `run:`: the subject the event is published to on
  // NATS JetStream, filled from the event at each attempt.
  readonly publish: Template | undefined;
}

export const RETRY_ON = ['any', 'tempfail'] as const;
export type RetryOn = (typeof RETRY_ON)[number];

export interface HookdConfig {
  // The config file (absolute) and its folder, against which paths resolve.
  readonly file: string;
  readonly dir: string;
  readonly sources: readonly SourceSpec[];
  // The durable queue's folder, or false for memory only.
  readonly state: string | false;
  // Dotted paths of the event type and of an optional unique id.
  readonly typePath: string;
  readonly idPath: string | undefined;
  // Prefix of the variables made from event fields.
  readonly envPrefix: string;
  // Most hook processes at once, all hooks together.
  readonly concurrency: number;
  readonly maxEventBytes: number;
  readonly shutdownTimeoutMs: number;
  // Core Lightning: give hooks LIGHTNING_RPC, LIGHTNING_DIR, LIGHTNING_NETWORK.
  readonly rpcEnv: boolean;
  // Who starts hook programs: hookd-spawner when it works here (auto), always
  // (helper: hookd will not start without it), or hookd itself (node).
  readonly spawner: SpawnerChoice;
  // Where /metrics is served for Prometheus; undefined: not at all.
  readonly metrics: ListenAddress | undefined;
  // The NATS connection, when the config has a nats: section.
  readonly nats: NatsConfig | undefined;
  readonly hooks: readonly HookSpec[];
}

export type SpawnerChoice = 'auto' | 'helper' | 'node';

export const DEFAULTS = Object.freeze({
  spawner: 'auto' as SpawnerChoice,
  sources: [{ kind: 'stdin' }] as readonly SourceSpec[],
  typePath: 'type',
  envPrefix: 'EVENT_',
  concurrency: 8,
  maxEventBytes: 1024 * 1024,
  shutdownTimeoutMs: 30_000,
  timeoutMs: 60_000,
  decideTimeoutMs: 5_000,
  killAfterMs: 5_000,
  // JetStream's own default.
  ackWaitMs: 30_000,
  hookConcurrency: 1,
  retries: 0,
  retryOn: 'any' as RetryOn,
  backoffMs: 1_000,
  maxBackoffMs: 600_000,
});
