// hookd's side of hookd-spawner: starts the helper, sends it runs, and hands
// each run's pid, output, exit and close to that run's handlers. A spawner
// that dies is replaced at the next run; the runs it had in flight are
// reported lost (their process groups live on: the runner, which knows their
// pids, ends them). The spawner never kills anything itself.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRelease, encodeSpawn, errnoName, EventType, FrameDecoder, PROTOCOL_VERSION, signalName, type SpawnFrame } from './spawner-frames.js';

export type { SpawnFrame } from './spawner-frames.js';

// Where `npm run build` puts the binary: dist/native/, from dist/run/ and src/run/ alike.
export const DEFAULT_SPAWNER_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'native', 'hookd-spawner');

// Unexpected exits in a row (no run finished in between) after which the
// spawner counts as broken: a caller should stop using it.
const MAX_FAILURES_IN_ROW = 3;

export interface SpawnerRunHandlers {
  onSpawn(pid: number): void;
  // The program could not be started: "ENOENT", "EACCES", ... The run is over.
  onSpawnError(code: string): void;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  // code is null when a signal ended the program.
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  // After onExit, once both output pipes are closed (or released). The run is over.
  onClose(): void;
  // The spawner died before the run was over; no more calls follow.
  onLost(reason: string): void;
}

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

interface RunState {
  readonly handlers: SpawnerRunHandlers;
  exited: boolean;
  closed: boolean;
  released: boolean;
}

export class SpawnerClient {
  private generation: Generation | undefined;
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

  private current(): Generation {
    if (this.closing) throw new Error('hookd-spawner is closed');
    if (this.generation === undefined || this.generation.dead) {
      this.generation = new Generation(this.options.path, {
        notice: (message) => this.options.onNotice?.(message),
        finished: () => (this.failuresInRow = 0),
        died: (generation, reason) => this.died(generation, reason),
      });
    }
    return this.generation;
  }

  private died(generation: Generation, reason: string): void {
    if (this.closing || !this.started) return;
    this.failuresInRow++;
    const lost = generation.runs.size;
    this.options.onNotice?.(`hookd-spawner ${reason}${lost > 0 ? `; ${lost} run(s) in flight reported failed` : ''}; a new one starts with the next run`);
  }
}

interface GenerationEvents {
  notice(message: string): void;
  // A run ended normally: the spawner works.
  finished(): void;
  died(generation: Generation, reason: string): void;
}

// One spawner process and the runs sent to it.
class Generation {
  readonly child: ChildProcess;
  readonly runs = new Map<number, RunState>();
  dead = false;
  private hello = false;
  private closing = false;
  private readonly waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly decoder = new FrameDecoder((type, id, payload) => this.onFrame(type, id, payload));
  private stderrTail = '';
  private readonly closed: Promise<void>;

  constructor(
    file: string,
    private readonly events: GenerationEvents,
  ) {
    // An empty environment: the spawner needs none, each run brings its own.
    this.child = spawn(file, [], { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => {}); // EPIPE: the exit is reported by 'close'
    this.child.stdout!.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (error) {
        this.events.notice((error as Error).message);
        this.child.kill('SIGKILL');
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => this.onStderr(text));
    this.holdLoop();
    let spawnError: string | undefined;
    this.child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError ??= `${error.code ?? 'error'}: cannot start ${file}`;
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.die(spawnError ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`));
        resolve();
      });
    });
  }

  // An idle spawner never keeps hookd's event loop alive; runs in flight do.
  holdLoop(): void {
    const hold = this.runs.size > 0 || this.waiters.length > 0 || this.closing;
    // The pipes of a spawned child are sockets.
    for (const handle of [this.child, this.child.stdout as Socket | null, this.child.stderr as Socket | null]) {
      if (hold) handle?.ref();
      else handle?.unref();
    }
  }

  ready(timeoutMs: number): Promise<void> {
    if (this.hello) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hookd-spawner did not say it was ready within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.holdLoop();
    });
  }

  write(frame: Buffer): void {
    this.child.stdin!.write(frame);
  }

  async close(): Promise<void> {
    this.closing = true; // whoever waits for the close keeps the loop alive
    this.holdLoop();
    this.child.stdin!.end();
    await this.closed;
  }

  private onFrame(type: number, id: number, payload: Buffer): void {
    if (type === EventType.hello) return this.onHello(payload.readUInt32LE(0));
    const run = this.runs.get(id);
    if (run === undefined) return;
    switch (type) {
      case EventType.spawned:
        return run.handlers.onSpawn(payload.readUInt32LE(0));
      case EventType.failed:
        this.runs.delete(id);
        this.holdLoop();
        return run.handlers.onSpawnError(errnoName(payload.readUInt32LE(0)));
      case EventType.stdout:
      case EventType.stderr:
        if (!run.released) run.handlers.onOutput(type === EventType.stdout ? 'stdout' : 'stderr', payload);
        return;
      case EventType.exit: {
        const code = payload.readInt32LE(0);
        run.exited = true;
        run.handlers.onExit(code < 0 ? null : code, signalName(payload.readUInt32LE(4)));
        return this.settle(id, run);
      }
      case EventType.closed:
        run.closed = true;
        return this.settle(id, run);
    }
  }

  // As Node's 'close': after the exit and the end of both output streams.
  private settle(id: number, run: RunState): void {
    if (!run.exited || !run.closed) return;
    this.runs.delete(id);
    this.holdLoop();
    this.events.finished();
    run.handlers.onClose();
  }

  private onHello(version: number): void {
    if (version !== PROTOCOL_VERSION) {
      this.events.notice(`hookd-spawner speaks protocol ${version}, hookd ${PROTOCOL_VERSION}: stopping it`);
      this.child.kill('SIGKILL');
      return;
    }
    this.hello = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
    this.holdLoop();
  }

  private onStderr(text: string): void {
    const lines = (this.stderrTail + text).split('\n');
    this.stderrTail = lines.pop() ?? '';
    for (const line of lines) if (line !== '') this.events.notice(line);
  }

  private die(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    if (this.stderrTail !== '') this.events.notice(this.stderrTail);
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`hookd-spawner ${reason}`));
    this.events.died(this, reason);
    const runs = [...this.runs.values()];
    this.runs.clear();
    for (const run of runs) run.handlers.onLost(`hookd-spawner ${reason}`);
  }
}
