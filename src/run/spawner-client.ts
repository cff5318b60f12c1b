// hookd's side of hookd-spawner: starts the helper, sends it runs, and hands
// each run's pid, output, exit and close to that run's handlers. A spawner
// that dies is replaced at the next run; the runs it had in flight are
// reported lost (their process groups live on: the runner, which knows their
// pids, ends them). The spawner never kills anything itself.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRelease, encodeSpawn, type SpawnFrame } from './spawner-frames.js';
import { SpawnerProcess, type RunState, type SpawnerRunHandlers } from './spawner-process.js';

export type { SpawnFrame } from './spawner-frames.js';
export type { SpawnerRunHandlers } from './spawner-process.js';

// Where `npm run build` puts the binary: dist/native/, from dist/run/ and src/run/ alike.
export const DEFAULT_SPAWNER_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'native', 'hookd-spawner');

// Unexpected exits in a row (no run finished in between) after which the
// spawner counts as broken: a caller should stop using it.
const MAX_FAILURES_IN_ROW = 3;

export interface SpawnerOptions {
  readonly path?: string | undefined;
  // One line about the spawner: its own diagnostics, deaths and restarts.
  readonly onNotice?: ((message: string) => void) | undefined;
  // How long start() waits for the spawner to say it is ready. Default 5 s.
  readonly readyTimeoutMs?: number | undefined;
}

export interface SpawnerRun {
  readonly id: number;
  // Stop relaying output and close the run's pipes (a descendant holds them).
  release(): void;
}

export class SpawnerClient {
  private generation: SpawnerProcess | undefined;
  private nextId = 1;
  private failuresInRow = 0;
  private closing = false;
  // Until start() has seen it ready, a death is start()'s error to report.
  private started = false;

  private constructor(private readonly options: SpawnerOptions & { path: string }) {}

  // Starts the spawner and waits until it says it is ready; rejects with the
  // reason when it cannot run here.
  static async start(options: SpawnerOptions = {}): Promise<SpawnerClient> {
    const client = new SpawnerClient({ ...options, path: options.path ?? DEFAULT_SPAWNER_PATH });
    const generation = client.current();
    try {
      await generation.ready(options.readyTimeoutMs ?? 5_000);
      client.started = true;
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  get path(): string {
    return this.options.path;
  }

  // The spawner process of the moment, if one runs.
  get pid(): number | undefined {
    return this.generation?.child.pid;
  }

  // False once the spawner has died several times in a row.
  get healthy(): boolean {
    return this.failuresInRow < MAX_FAILURES_IN_ROW;
  }

  get inFlight(): number {
    return this.generation?.runs.size ?? 0;
  }

  run(frame: SpawnFrame, handlers: SpawnerRunHandlers): SpawnerRun {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    // Encoding fails (NUL byte, E2BIG) before anything starts, as spawn() throws.
    const request = encodeSpawn(id, frame);
    const generation = this.current();
    const state: RunState = { handlers, exited: false, closed: false, released: false };
    generation.runs.set(id, state);
    generation.holdLoop();
    generation.write(request);
    return {
      id,
      release: () => {
        if (state.released || !generation.runs.has(id)) return;
        state.released = true;
        generation.write(encodeRelease(id));
      },
    };
  }

  // Closes the spawner's stdin (it exits) and waits for it to be gone.
  async close(): Promise<void> {
    this.closing = true;
    const generation = this.generation;
    this.generation = undefined;
    if (generation) await generation.close();
  }

  private current(): SpawnerProcess {
    if (this.closing) throw new Error('hookd-spawner is closed');
    if (this.generation === undefined || this.generation.dead) {
      this.generation = new SpawnerProcess(this.options.path, {
        notice: (message) => this.options.onNotice?.(message),
        finished: () => (this.failuresInRow = 0),
        died: (generation, reason) => this.died(generation, reason),
      });
    }
    return this.generation;
  }

  private died(generation: SpawnerProcess, reason: string): void {
    if (this.closing || !this.started) return;
    this.failuresInRow++;
    const lost = generation.runs.size;
    this.options.onNotice?.(`hookd-spawner ${reason}${lost > 0 ? `; ${lost} run(s) in flight reported failed` : ''}; a new one starts with the next run`);
  }
}
