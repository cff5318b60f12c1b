// Dead letters: deliveries that failed their last retry. They keep the event,
// the hook and every attempt, so that an operator can see why and replay.
import type { HookEvent } from '../event.js';
import { redactSecrets } from '../log/redact.js';

export interface AttemptRecord {
  readonly attempt: number;
  readonly startedAt: string;
  readonly durationMs: number;
  // "exit 3", "killed by SIGKILL", "timed out (SIGTERM)", ...
  readonly outcome: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  // The last lines the run wrote to stderr.
  readonly stderrTail: readonly string[];
}

export interface DeadLetter {
  readonly event: HookEvent;
  readonly hook: string;
  readonly attempts: readonly AttemptRecord[];
  readonly reason: string;
  readonly deadAt: string;
}

export interface DeadLetterSink {
  add(letter: DeadLetter): Promise<void>;
}

// Lines of stderr kept per attempt in a dead letter.
export const STDERR_TAIL_LINES = 20;

// Secrets masked as in the logs: a dead letter is shown by `hookd dead show`.
export function stderrTail(stderr: string): string[] {
  const lines = stderr.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-STDERR_TAIL_LINES).map(redactSecrets);
}

// Without a state directory dead letters live as long as the process: they
// are logged in full when they happen (the log is then their only record).
export class MemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];

  constructor(private readonly limit = 1000) {}

  async add(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
    if (this.letters.length > this.limit) this.letters.shift();
  }
}
