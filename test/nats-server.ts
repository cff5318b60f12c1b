// A real nats-server with JetStream for one test file: started on a random
// port with its own store folder, stopped and restarted on the same port and
// store (a broker restart in the middle of a test), removed when the test
// ends. Tests needing it skip with a visible reason when the binary is
// absent, and fail when CI=true (.ci/run installs it).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { tempDir, waitFor } from './helpers.ts';

export const NATS_SERVER = 'nats-server';

// Whether the nats-server binary can run here.
export function natsServerInstalled(): boolean {
  return spawnSync(NATS_SERVER, ['--version']).error === undefined;
}

// False (the test skipped, saying why) when nats-server is missing outside
// CI; in CI a missing server fails the test.
export function requireNatsServer(t: TestContext): boolean {
  if (natsServerInstalled()) return true;
  const reason = 'nats-server is not installed (Debian package nats-server): the NATS JetStream test did not run';
  if (process.env.CI === 'true') assert.fail(`${reason}, and CI must run it`);
  t.skip(reason);
  return false;
}

export interface NatsServerOptions {
  // Extra command-line options (--user, --pass, --auth, ...).
  readonly args?: readonly string[];
}

export interface NatsServer {
  // nats://127.0.0.1:PORT, the same across restarts.
  readonly url: string;
  readonly port: number;
  // JetStream's store folder: streams survive a restart.
  readonly storeDir: string;
  // Stop the server (SIGTERM, then SIGKILL if it lingers).
  stop(): Promise<void>;
  // Start it again on the same port and store folder.
  start(): Promise<void>;
}

// Starts nats-server with JetStream on a random port; stopped when the test ends.
export async function startNatsServer(t: TestContext, options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = tempDir(t, 'hookd-nats-');
  const storeDir = path.join(dir, 'store');
  const portsDir = path.join(dir, 'ports');
  mkdirSync(portsDir);
  let child: ChildProcess | undefined;
  let port = -1;

  const start = async (): Promise<void> => {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '--ports_file_dir', portsDir, '-sd', storeDir, ...(options.args ?? [])];
    const started = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    started.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
    // Rejects if the server exits; handled here so that a later stop is no unhandled rejection.
    const exitedEarly = new Promise<never>((_, reject) => started.once('exit', () => reject(new Error(`nats-server exited at start: ${log}`))));
    exitedEarly.catch(() => {});
    child = started;
    // The ports file appears once the client port listens.
    const portsFile = path.join(portsDir, `nats-server_${started.pid}.ports`);
    const url = await Promise.race([
      waitFor(() => readClientUrl(portsFile), "nats-server's ports file", 15_000),
      exitedEarly,
    ]);
    port = Number(new URL(url).port);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  t.after(stop);
  await start();
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    stop,
    start,
  };
}

// The first client URL of a ports file, or undefined while it is not written.
function readClientUrl(file: string): string | undefined {
  try {
    const ports = JSON.parse(readFileSync(file, 'utf8')) as { nats?: string[] };
    return ports.nats?.[0];
  } catch {
    return undefined;
  }
}

export interface NatsAdmin {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  // Create a stream capturing `subjects` (it lives in the server's store folder).
  addStream(name: string, subjects: readonly string[], config?: Partial<StreamConfig>): Promise<void>;
  deleteStream(name: string): Promise<void>;
}

// The test's own connection to the server, for streams and checks; closed when the test ends.
export async function natsAdmin(t: TestContext, server: NatsServer, connectOptions: Record<string, unknown> = {}): Promise<NatsAdmin> {
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100, ...connectOptions });
  t.after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    async addStream(name, subjects, config = {}) {
      await jsm.streams.add({ name, subjects: [...subjects], ...config });
    },
    async deleteStream(name) {
      await jsm.streams.delete(name);
    },
  };
}
