// Which dead letters an operator picked (hookd dead replay / purge), and the
// report of a replay: shared by the CLI, the daemon and a replay run here.
import { HookdError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { DiskDeadLetters, StoredDeadLetter } from './disk-dead-letters.js';

// Given ids, or all of them.
export type ReplaySelection = { readonly ids: readonly string[] } | { readonly all: true };

export interface ReplayReport {
  // Back in the queue (daemon) or run with success (here).
  readonly replayed: string[];
  // Run here and failed again: old id -> the new dead letter's id.
  readonly failedAgain: Record<string, string>;
  // Kept: the hook is no longer in the config.
  readonly skipped: string[];
  // No dead letter with that id.
  readonly missing: string[];
}

export function emptyReport(): ReplayReport {
  return { replayed: [], failedAgain: {}, skipped: [], missing: [] };
}

// A control request's fields as a selection; throws on a malformed one.
export function readSelection(request: JsonObject): ReplaySelection {
  if (request.all === true) return { all: true };
  const ids = request.ids;
  if (Array.isArray(ids) && ids.length > 0 && ids.every((id) => typeof id === 'string')) return { ids: ids as string[] };
  throw new HookdError('E_USAGE', 'replay needs "ids": [ID, ...] or "all": true');
}

// The selected letters; ids without a letter go to report.missing.
export function* selectLetters(dead: DiskDeadLetters, selection: ReplaySelection, report: ReplayReport): Generator<StoredDeadLetter> {
  // All ids are listed first: replaying removes files from the folders being listed.
  const ids = 'all' in selection ? [...dead.ids()] : selection.ids;
  for (const id of ids) {
    const letter = dead.find(id);
    if (letter === undefined) report.missing.push(id);
    else yield letter;
  }
}
