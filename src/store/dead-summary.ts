// One dead letter in a line's worth of fields: what `hookd dead list --json`
// and the plugin's `hookd-dead list` show.
import type { StoredDeadLetter } from './disk-dead-letters.js';

export interface DeadLetterSummary {
  readonly id: string;
  readonly hook: string;
  readonly type: string;
  readonly eventId: string;
  readonly deadAt: string;
  readonly reason: string;
  readonly attempts: number;
  readonly file: string;
}

export function summary(letter: StoredDeadLetter): DeadLetterSummary {
  return {
    id: letter.id,
    hook: letter.hook,
    type: letter.event.type,
    eventId: letter.event.id,
    deadAt: letter.deadAt,
    reason: letter.reason,
    attempts: letter.attempts.length,
    file: letter.file,
  };
}
