// The event types of the `cln` source: one per (subsystem, index) pair that
// lightningd keeps and can be followed with `list<subsystem>` and `wait`
// (../shared/cln/schemas/rpc/wait.json). Each names the release that added
// its subsystem to `wait`, so that an older node's missing pairs are skipped
// with a line that says why.

export const INDEX_NAMES = ['created', 'updated', 'deleted'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

export interface Subsystem {
  // As `wait` names it: "invoices".
  readonly name: string;
  // The event type's prefix: "invoice".
  readonly singular: string;
  // The list command and the key of its array ("payments" for listsendpays).
  readonly listMethod: string;
  readonly listKey: string;
  // The release whose `wait` first knew this subsystem.
  readonly since: string;
  readonly indexes: readonly IndexName[];
}

export const SUBSYSTEMS: readonly Subsystem[] = Object.freeze([
  { name: 'invoices', singular: 'invoice', listMethod: 'listinvoices', listKey: 'invoices', since: 'v23.08', indexes: ['created', 'updated', 'deleted'] },
  { name: 'forwards', singular: 'forward', listMethod: 'listforwards', listKey: 'forwards', since: 'v23.11', indexes: ['created', 'updated', 'deleted'] },
  { name: 'sendpays', singular: 'sendpay', listMethod: 'listsendpays', listKey: 'payments', since: 'v23.11', indexes: ['created', 'updated', 'deleted'] },
  { name: 'htlcs', singular: 'htlc', listMethod: 'listhtlcs', listKey: 'htlcs', since: 'v25.05', indexes: ['created', 'updated', 'deleted'] },
  // Moves are never updated nor deleted (listchainmoves refuses index=updated).
  { name: 'chainmoves', singular: 'chainmove', listMethod: 'listchainmoves', listKey: 'chainmoves', since: 'v25.09', indexes: ['created'] },
  { name: 'channelmoves', singular: 'channelmove', listMethod: 'listchannelmoves', listKey: 'channelmoves', since: 'v25.09', indexes: ['created'] },
  { name: 'networkevents', singular: 'networkevent', listMethod: 'listnetworkevents', listKey: 'networkevents', since: 'v25.12', indexes: ['created', 'deleted'] },
] as const satisfies readonly Subsystem[]);

export interface IndexTopic {
  // The event type: "invoice_updated".
  readonly type: string;
  readonly subsystem: Subsystem;
  readonly index: IndexName;
}

// The 16 event types, in a fixed order (subsystem, then index).
export const INDEX_TOPICS: readonly IndexTopic[] = Object.freeze(
  SUBSYSTEMS.flatMap((subsystem) => subsystem.indexes.map((index) => Object.freeze({ type: `${subsystem.singular}_${index}`, subsystem, index }))),
);

// "invoices/updated": the key of a pair in saved positions and status.
export function pairKey(topic: IndexTopic): string {
  return `${topic.subsystem.name}/${topic.index}`;
}

export function topicOfType(type: string): IndexTopic | undefined {
  return INDEX_TOPICS.find((topic) => topic.type === type);
}

// The topics a set of hooks can match, judged by each hook's type test
// (exact names and globs alike).
export function topicsMatched(matchers: readonly ((type: string) => boolean)[]): IndexTopic[] {
  return INDEX_TOPICS.filter((topic) => matchers.some((matches) => matches(topic.type)));
}

// [major, minor] of a version such as "v26.06.6" or "v24.11.1-modded";
// undefined when it does not read so (a custom build): then the node's own
// error replies tell what it lacks.
export function releaseOf(version: string): readonly [number, number] | undefined {
  const match = /v?(\d+)\.(\d+)/.exec(version);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2])];
}

// Whether a node of `version` has the subsystem; true when unknown.
export function nodeHas(version: string | undefined, subsystem: Subsystem): boolean {
  const node = version === undefined ? undefined : releaseOf(version);
  const needed = releaseOf(subsystem.since);
  if (node === undefined || needed === undefined) return true;
  return node[0] > needed[0] || (node[0] === needed[0] && node[1] >= needed[1]);
}
