// `coalesce:` floods into single runs. The deliveries of a coalescing hook
// wait here in groups (hook + rendered key); a group's window opens with its
// first delivery and, when it closes, the group leaves as one delivery: the
// last event, carrying the sequence numbers of the others it stands for.
// Nothing is settled here: every merged delivery stays open in the journal
// until the merged run has ended, so a crash during the window (or the run)
// leaves them all to be recovered, and merged again, after the restart.
import type { Logger } from 'pino';
import { MEMORY_WINDOW } from '../store/queue.js';
import { renderTemplate } from '../template.js';
import type { Delivery } from './delivery.js';

// Most deliveries waiting in windows, all hooks together: past it the oldest
// window closes early, so that a flood never fills the dispatcher's memory
// window and holds up the other hooks.
export const MAX_COALESCING = MEMORY_WINDOW / 2;

interface Group {
  readonly members: Delivery[];
  readonly timer: NodeJS.Timeout;
}

export class Coalescer {
  private readonly groups = new Map<string, Group>();
  private holding = 0;

  constructor(
    // Receives each merged delivery when its window closes.
    private readonly release: (merged: Delivery) => void,
    private readonly log: Logger,
    private readonly limit = MAX_COALESCING,
  ) {}

  // Deliveries waiting in open windows.
  get size(): number {
    return this.holding;
  }

  add(delivery: Delivery): void {
    const { spec, event } = delivery;
    const coalesce = spec.coalesce;
    if (coalesce === undefined) throw new Error(`hook ${spec.name} does not coalesce`);
    const key = coalesce.key === undefined ? '' : renderTemplate(coalesce.key, event.fields);
    const id = `${spec.name}\0${key}`;
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { members: [], timer: setTimeout(() => this.close(id), coalesce.withinMs) };
      this.groups.set(id, group);
    }
    group.members.push(delivery);
    this.holding++;
    this.log.debug({ hook: spec.name, key, id: event.id, merged: group.members.length }, 'coalescing');
    if (this.holding >= this.limit) {
      const oldest = this.groups.keys().next().value as string;
      clearTimeout(this.groups.get(oldest)?.timer);
      this.close(oldest);
    }
  }

  // Stop every window; the deliveries in them stay open in the journal.
  stop(): void {
    for (const group of this.groups.values()) clearTimeout(group.timer);
    this.groups.clear();
    this.holding = 0;
  }

  private close(id: string): void {
    const group = this.groups.get(id);
    if (group === undefined) return;
    this.groups.delete(id);
    this.holding -= group.members.length;
    this.release(mergeDeliveries(group.members));
  }
}

// The latest event stands for the group; its own record of attempts goes on
// (a merged run cut short by a crash is counted in it).
export function mergeDeliveries(members: readonly Delivery[]): Delivery {
  const ordered = [...members].sort((a, b) => a.seq - b.seq);
  const last = ordered[ordered.length - 1] as Delivery;
  const merged = ordered.slice(0, -1).flatMap((member) => [member.seq, ...(member.merged ?? [])]);
  return { ...last, merged };
}
