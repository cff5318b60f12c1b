// One hookd-spawner process and the runs sent to it: frames in, handler calls
// out; its death ends (as lost) every run it had. spawner-client.ts replaces a
// dead one.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { errnoName, EventType, FrameDecoder, PROTOCOL_VERSION, signalName } from './spawner-frames.js';

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

export interface RunState {
  readonly handlers: SpawnerRunHandlers;
  exited: boolean;
  closed: boolean;
  released: boolean;
}

export interface SpawnerProcessEvents {
  notice(message: string): void;
  // A run ended normally: the spawner works.
  finished(): void;
  died(generation: SpawnerProcess, reason: string): void;
}

// One spawner process (replaced by a new one when it dies).
export class SpawnerProcess {
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
    private readonly events: SpawnerProcessEvents,
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
