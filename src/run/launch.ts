// How a run's program is started: in-process (Node's child_process) or by
// hookd-spawner. Both give the runner the same calls in the same order:
// onSpawn, output, onExit, onClose (or onSpawnError, or onLost), so a run
// looks the same either way. The runner keeps process groups, timeouts and
// kills (with the reported pid), output limits and logs.
import type { OutputStream } from './output-lines.js';

export interface LaunchRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  // Written to stdin (the launcher adds the newline), then EOF.
  readonly input: string;
}

export interface LaunchHandlers {
  // The program runs, leader of a new process group.
  onSpawn(pid: number): void;
  // It could not be started: "ENOENT", "EACCES", ... Nothing follows.
  onSpawnError(code: string): void;
  onOutput(stream: OutputStream, chunk: Buffer): void;
  // code is null when a signal ended it.
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  // After onExit, once its output streams are closed. Nothing follows.
  onClose(): void;
  // The launcher itself failed mid-run (the spawner died). Nothing follows.
  onLost(reason: string): void;
}

export interface Launched {
  // Stop reading the run's output (a descendant outside the group holds it).
  release(): void;
}

// Throws (as child_process.spawn does) for a request that cannot be sent at
// all, such as a NUL byte in an argument.
export type Launcher = (request: LaunchRequest, handlers: LaunchHandlers) => Launched;
