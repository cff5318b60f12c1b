// Shared by the end-to-end tests of hookd workers on a JetStream consumer: a
// recording hook, a worker's config, and a server with the EVENTS stream.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript, type HookdProcess } from './helpers.ts';
import { natsAdmin, startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.ts';

// A hook that records "ID SUBJECT SOURCE" per run; an event with "hold": true
// then waits until the test ends (the file "release" appears, or the folder goes).
const RECORD = `#!/bin/sh
dir=$(dirname "$0")
echo "$HOOKD_ID $HOOKD_SUBJECT $HOOKD_SOURCE" >> "$dir/runs.txt"
if [ "$EVENT_HOLD" = true ]; then
  while [ ! -f "$dir/release" ] && [ -d "$dir" ]; do sleep 0.1; done
fi
exit 0
`;

// `natsKeys`: more lines of the nats: section (indented by two spaces).
export function workerConfig(dir: string, server: NatsServer, name: string, extra = '', natsKeys = ''): string {
  writeScript(dir, 'record.sh', RECORD);
  return writeConfig(
    dir,
    `state: ${path.join(dir, `state-${name}`)}
concurrency: 4
event: { id: id }
nats:
  servers: [${server.url}]
${natsKeys}sources:
  - nats:
      stream: EVENTS
      consumer: workers
      subjects: events.>
      ack_wait: 2s
  - socket: ${path.join(dir, `${name}.sock`)}
hooks:
  - name: record
    on: "*"
    run: ./record.sh
    concurrency: 4
${extra}`,
    `${name}.yaml`,
  );
}

export function runs(dir: string): string[] {
  const file = path.join(dir, 'runs.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

export async function ready(hookd: HookdProcess): Promise<void> {
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started') || hookd.child.exitCode !== null, 'hookd to start', 20_000);
  assert.equal(hookd.child.exitCode, null, `hookd exited at start: ${hookd.stderr()}`);
}

export async function setup(t: TestContext, serverOptions: NatsServerOptions = {}, adminOptions: Record<string, unknown> = {}) {
  const server = await startNatsServer(t, serverOptions);
  const admin = await natsAdmin(t, server, adminOptions);
  await admin.addStream('EVENTS', ['events.>']);
  const dir = tempDir(t);
  // Held hooks end with the test, even those of a killed worker.
  t.after(() => {
    if (existsSync(dir)) writeFileSync(path.join(dir, 'release'), '');
  });
  return { server, admin, js: jetstream(admin.nc), dir };
}

// A worker started with `config` runs an event published to the stream, and
// `hookd status` shows its nats source. Returns all that both printed.
export async function workerRunsOne(t: TestContext, config: string, dir: string, js: JetStreamClient): Promise<string> {
  const worker = startHookd(t, ['-c', config, '--log-format', 'json']);
  await ready(worker);
  await js.publish('events.paid', JSON.stringify({ type: 'paid', id: 'p1' }));
  await waitFor(() => runs(dir).length === 1, 'the run');
  assert.deepEqual(runs(dir), ['p1 events.paid nats']);
  const status = await runHookd(['status', '-c', config, '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.ok((JSON.parse(status.stdout) as { sources: { kind: string }[] }).sources.some((source) => source.kind === 'nats'), status.stdout);
  return [status.stdout, status.stderr, ...worker.lines, worker.stderr()].join('\n');
}
