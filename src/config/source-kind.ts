// Which kind of source an item of `sources:` is, by its keys alone. Apart
// from the source readers so that `hookd emit` can find the socket and the
// inbox without loading them.

export type SourceKind = 'stdin' | 'nats' | 'http' | 'cln' | 'bitcoind' | 'file' | 'socket' | 'inbox';

// A key that names the kind, in the order they win when an item has several.
const KIND_KEYS = ['nats', 'http', 'cln', 'bitcoind', 'file', 'socket', 'inbox'] as const;

// undefined: neither "stdin" nor a mapping with a kind's key.
export function sourceKindOf(item: unknown): SourceKind | undefined {
  if (item === 'stdin') return 'stdin';
  // Not section.ts's isMapping, to keep emit's start-up to fewer modules
  // (an ExactNumber has none of these keys either).
  return typeof item === 'object' && item !== null && !Array.isArray(item) ? KIND_KEYS.find((key) => key in item) : undefined;
}
