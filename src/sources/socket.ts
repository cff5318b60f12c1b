// A unix socket: each connection sends JSON lines and gets one answer line
// per line, {"ok":true,"id":"..."} once the event is accepted or
// {"ok":false,"error":"..."}. A connection's next line is read only after the
// answer to the one before, so a busy hookd slows its clients down. A line
// whose object has a "$hookd" key is a control request (hookd status, ...).
import { createServer, type Server, type Socket } from 'node:net';
import { CONTROL_KEY, type ControlChannel } from './control-line.js';
import { errorText } from '../errors.js';
import { EventError } from '../event.js';
import { isJsonObject, parseJson, type JsonObject } from '../json.js';
import { eventFromLine, LineSplitter, type LineItem } from './lines.js';
import { claimSocketPath, listenPrivately, removeSocketFile } from './socket-path.js';
import type { EventSink, Source } from './source.js';

// Connections served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS = 256;
// How long busy connections may take to get their last answers at stop.
const STOP_GRACE_MS = 2000;


export interface SocketSourceOptions {
  readonly path: string;
  readonly mode: number;
  // Answers control requests; without it they are refused.
  readonly control?: ControlChannel | undefined;
}

type Answer = Record<string, unknown>;

export class SocketSource implements Source {
  readonly name = 'socket';
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private server: Server | undefined;
  private inode: number | undefined;
  private readonly connections = new Map<Socket, { busy: boolean; served: Promise<void> }>();
  private stopped = false;
  private readonly removeOnExit = (): void => this.removeSocket();
  private accepted = 0;
  private refused = 0;
  private clientsServed = 0;

  constructor(private readonly options: SocketSourceOptions) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  get path(): string {
    return this.options.path;
  }

  async start(sink: EventSink): Promise<void> {
    if (await claimSocketPath(this.path)) sink.log.warn({ source: this.name, path: this.path }, 'replaced a stale socket file left by a hookd that did not stop cleanly');
    const server = createServer({ allowHalfOpen: true }, (socket) => this.serve(socket, sink));
    server.maxConnections = MAX_CONNECTIONS;
    this.inode = await listenPrivately(server, this.path, this.options.mode);
    this.server = server;
    // Even an exit at once (second SIGINT) leaves no socket file behind.
    process.on('exit', this.removeOnExit);
    sink.log.info({ source: this.name, path: this.path, mode: `0${this.options.mode.toString(8)}` }, 'listening');
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.ended;
    this.stopped = true;
    const closed = this.server ? new Promise((resolve) => this.server?.close(resolve)) : Promise.resolve();
    // Idle connections end now; busy ones once their answer is written.
    for (const [socket, state] of this.connections) if (!state.busy) socket.destroy();
    const served = Promise.all([...this.connections.values()].map((state) => state.served));
    // A client that stopped reading its answers does not hold up the stop.
    const timer = setTimeout(() => [...this.connections.keys()].forEach((socket) => socket.destroy()), STOP_GRACE_MS);
    await served;
    await closed;
    clearTimeout(timer);
    this.removeSocket();
    process.off('exit', this.removeOnExit);
    this.endResolve();
  }

  status(): Record<string, unknown> {
    return { path: this.path, clients: this.connections.size, clientsServed: this.clientsServed, accepted: this.accepted, refused: this.refused };
  }

  private serve(socket: Socket, sink: EventSink): void {
    const state = { busy: false, served: Promise.resolve() };
    this.connections.set(socket, state);
    this.clientsServed++;
    socket.on('error', () => {}); // a client that goes away is not hookd's problem
    socket.on('close', () => this.connections.delete(socket));
    // Input not read (hookd stopping) must not keep the connection open:
    // once the answers are written, it is closed.
    state.served = this.converse(socket, sink, state).finally(() => socket.end(() => socket.destroy()));
  }

  private async converse(socket: Socket, sink: EventSink, state: { busy: boolean }): Promise<void> {
    const splitter = new LineSplitter(sink.maxEventBytes);
    const answerAll = async (items: LineItem[]): Promise<boolean> => {
      state.busy = true;
      try {
        for (const item of items) {
          const answer = this.stopped ? { ok: false, error: 'hookd is shutting down' } : await this.answer(item, sink);
          if (socket.destroyed) return false;
          if (!socket.write(`${JSON.stringify(answer)}\n`)) await drained(socket);
        }
      } finally {
        state.busy = false;
      }
      return !this.stopped;
    };
    try {
      // destroyOnReturn false: the answers still go out after the client ended its side.
      for await (const chunk of socket.iterator({ destroyOnReturn: false })) {
        if (!(await answerAll(splitter.push(chunk as Buffer)))) return;
      }
      // The client ended its side: a last line without a newline still counts.
      await answerAll(splitter.end());
    } catch {
      // reset by the client
    }
  }

  private async answer(item: LineItem, sink: EventSink): Promise<Answer> {
    const control = this.controlRequest(item);
    if (control !== undefined) {
      if (this.options.control === undefined) return { ok: false, error: 'control requests are not available here' };
      return this.options.control(control);
    }
    const result = eventFromLine(item, sink.shape, sink.maxEventBytes, this.name);
    if (result === undefined) return { ok: false, error: 'empty line' };
    if (result instanceof EventError) {
      this.refused++;
      sink.log.warn({ source: this.name, path: this.path }, `event refused: ${result.message}`);
      return { ok: false, error: result.message };
    }
    try {
      await sink.accept(result);
    } catch (error) {
      this.refused++;
      return { ok: false, error: errorText(error) };
    }
    this.accepted++;
    return { ok: true, id: result.id };
  }

  // The request when the line is an object with a "$hookd" key.
  private controlRequest(item: LineItem): JsonObject | undefined {
    if (item.kind !== 'line' || !item.bytes.includes(CONTROL_KEY)) return undefined;
    try {
      const value = parseJson(item.bytes.toString('utf8'));
      return isJsonObject(value) && Object.prototype.hasOwnProperty.call(value, CONTROL_KEY) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private removeSocket(): void {
    if (this.inode !== undefined) removeSocketFile(this.path, this.inode);
  }
}

// Resolves once the socket can take more output, or is gone.
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
