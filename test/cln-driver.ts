// Drives hookd exactly as lightningd does: starts the built bin with no
// arguments, LIGHTNINGD_PLUGIN=1 and the network folder as working folder,
// then getmanifest, init with a realistic configuration, notifications with
// their real wrapping, hook requests with string ids, and shutdown. Every
// byte hookd writes to stdout is checked to be a JSON-RPC message followed by
// a blank line.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../src/json.ts';
import { BIN, cleanEnv, waitFor } from './helpers.ts';

// Where the driver registers its cleanup: a node:test context, or a bench's own.
export interface Cleanup {
  after(fn: () => unknown): void;
}

export interface DriverOptions {
  // The lightning-dir; the plugin runs in <dir>/regtest as under lightningd.
  readonly lightningDir: string;
  readonly env?: Record<string, string | undefined>;
  // When set, hookd's parent is a process with these arguments (as
  // lightningd's command line: --hookd-config=..., --conf=...), which hookd
  // reads at getmanifest; else the test process is its parent.
  readonly lightningdArgs?: readonly string[];
  // Arguments lightningd adds (--developer, --dev-debug-self).
  readonly args?: readonly string[];
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
}

export class ClnDriver {
  readonly child: ChildProcess;
  readonly networkDir: string;
  // Every message hookd wrote, in order.
  readonly messages: JsonObject[] = [];
  // Anything on stdout that was not a framed JSON-RPC message.
  readonly violations: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private pending = '';
  private stderrText = '';
  private nextId = 0;
  private readonly waiters = new Map<string, (message: JsonObject) => void>();

  constructor(t: Cleanup, readonly options: DriverOptions) {
    this.networkDir = path.join(options.lightningDir, 'regtest');
    mkdirSync(this.networkDir, { recursive: true });
    if (options.lightningdArgs !== undefined && options.args !== undefined) throw new Error('ClnDriver: lightningdArgs and args together are not supported');
    // sh stays the parent (it does not exec the last command: `; exit $?`).
    const [command, args] = options.lightningdArgs === undefined
      ? [process.execPath, [BIN, ...(options.args ?? [])]]
      : ['sh', ['-c', '"$1" "$2"; exit $?', 'lightningd', process.execPath, BIN, ...options.lightningdArgs]];
    this.child = spawn(command, args, {
      cwd: this.networkDir,
      env: cleanEnv({ LIGHTNINGD_PLUGIN: '1', LIGHTNINGD_VERSION: 'v26.06.6', ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
    t.after(async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        // hookd ends at the end of its stdin, also when its parent is sh.
        this.child.stdin!.destroy();
        this.child.kill('SIGKILL');
        await this.exited;
      }
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  // Messages end with "\n\n"; what precedes must be one JSON-RPC 2.0 object.
  private onStdout(chunk: string): void {
    this.pending += chunk;
    for (;;) {
      const end = this.pending.indexOf('\n\n');
      if (end === -1) return;
      const text = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      try {
        const message = parseJson(text);
        if (!isJsonObject(message) || message.jsonrpc !== '2.0') throw new Error('not a JSON-RPC 2.0 object');
        this.messages.push(message);
        if ('id' in message) {
          const key = stringifyJson(message.id as JsonValue);
          const waiter = this.waiters.get(key);
          this.waiters.delete(key);
          waiter?.(message);
        }
      } catch (error) {
        this.violations.push(`${(error as Error).message}: ${text.slice(0, 200)}`);
      }
    }
  }

  // Bytes exactly as given (to split messages across reads).
  writeRaw(text: string): void {
    this.child.stdin!.write(text);
  }

  send(message: JsonObject): void {
    this.writeRaw(`${stringifyJson(message)}\n\n`);
  }

  notify(method: string, params: JsonValue, extra: JsonObject = {}): void {
    this.send({ jsonrpc: '2.0', method, ...extra, params });
  }

  // A request with a lightningd-style string id; resolves with the whole response.
  async request(method: string, params: JsonValue, id: JsonValue = `cln:${method}#${this.nextId++}`, timeoutMs = 15_000): Promise<JsonObject> {
    this.send({ jsonrpc: '2.0', id, method, params });
    return this.response(id, timeoutMs);
  }

  // Resolves as soon as the response arrives (no polling: the bench times it).
  response(id: JsonValue, timeoutMs = 15_000): Promise<JsonObject> {
    const key = stringifyJson(id);
    const found = this.messages.find((message) => 'id' in message && stringifyJson(message.id as JsonValue) === key);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`timed out waiting for the response to ${key}; stderr: ${this.stderrText}`));
      }, timeoutMs);
      this.waiters.set(key, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  async getmanifest(): Promise<JsonObject> {
    const response = await this.request('getmanifest', { 'allow-deprecated-apis': false });
    assert.ok(isJsonObject(response.result), `getmanifest answered ${stringifyJson(response)}`);
    return response.result;
  }

  // init as lightningd v26.06 sends it; returns the result ({} or {disable}).
  async init(options: JsonObject = {}, rpcFile = 'lightning-rpc'): Promise<JsonObject> {
    const response = await this.request('init', {
      options: { 'hookd-log-level': 'debug', ...options },
      configuration: {
        'lightning-dir': this.networkDir,
        'rpc-file': rpcFile,
        startup: true,
        network: 'regtest',
        feature_set: { init: '08a0000a8a5961', node: '88a0000a8a5961', channel: '', invoice: '02000002024100' },
        'torv3-enabled': true,
        always_use_proxy: false,
      },
    });
    assert.ok(isJsonObject(response.result), `init answered ${stringifyJson(response)}`);
    return response.result;
  }

  // getmanifest then init, expecting the plugin to come up.
  async start(options: JsonObject = {}): Promise<JsonObject> {
    const manifest = await this.getmanifest();
    const result = await this.init(options);
    assert.deepEqual(result, {}, `init answered ${stringifyJson(result)}; stderr: ${this.stderr}`);
    return manifest;
  }

  // The reply (the JSON-RPC result) to one hook request.
  async hook(method: string, params: JsonValue, id?: JsonValue, timeoutMs?: number): Promise<JsonObject> {
    const response = await this.request(method, params, id, timeoutMs);
    assert.ok(!('error' in response), `hookd answered ${method} with an error: ${stringifyJson(response)}`);
    assert.ok(isJsonObject(response.result), `no result object: ${stringifyJson(response)}`);
    return response.result;
  }

  logs(): LogLine[] {
    return this.messages
      .filter((message) => message.method === 'log' && isJsonObject(message.params))
      .map((message) => message.params as unknown as LogLine);
  }

  waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<LogLine> {
    return waitFor(() => this.logs().find((line) => pattern.test(line.message)), `a log line matching ${pattern}`, timeoutMs);
  }

  // lightningd's shutdown notification; resolves once hookd has exited.
  async shutdown(params: JsonValue = { shutdown: {} }): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.notify('shutdown', params);
    return this.exited;
  }

  // Nothing but protocol reached stdout, and no partial message was left.
  assertCleanStdout(): void {
    assert.deepEqual(this.violations, [], 'stdout carried something other than protocol');
    assert.equal(this.pending, '', 'stdout ended inside a message');
  }
}
