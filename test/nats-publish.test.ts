// The publish: action end to end: a hookd forwarding its events to JetStream
// across a broker restart (nothing lost, duplicates dropped by the stream), a
// publish no stream takes ending as a dead letter, and the subject shown by
// `hookd test --dry-run`.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import path from 'node:path';
import test, { type TestContext } from 'node:test';
import { runHookd, startHookd, tempDir, waitFor, writeConfig, type HookdProcess } from './helpers.ts';
import { natsAdmin, requireNatsServer, startNatsServer, type NatsServer } from './nats-server.ts';

function producerConfig(dir: string, server: NatsServer, subject: string, retries = 100): string {
  return writeConfig(
    dir,
    `state: ${path.join(dir, 'state')}
event: { id: id }
nats:
  servers: [${server.url}]
  dead_subject: dead.hookd
sources:
  - socket: ${path.join(dir, 'hookd.sock')}
hooks:
  - name: to-fleet
    on: "*"
    publish: ${subject}
    retries: ${retries}
    backoff: 100ms
    max_backoff: 300ms
    timeout: 1s
    concurrency: 1
`,
  );
}

// Sends events to hookd's socket as JSON lines; resolves once each is accepted.
function emit(dir: string, ids: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(path.join(dir, 'hookd.sock'));
    let answers = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answers += chunk;
      const lines = answers.split('\n').filter(Boolean);
      if (lines.length < ids.length) return;
      socket.end();
      const refused = lines.filter((line) => !(JSON.parse(line) as { ok: boolean }).ok);
      if (refused.length > 0) reject(new Error(refused.join('; ')));
      else resolve();
    });
    socket.on('error', reject);
    socket.write(ids.map((id) => `${JSON.stringify({ type: 'paid', id, msat: 1000 })}\n`).join(''));
  });
}

const ids = (prefix: string): string[] => Array.from({ length: 5 }, (_, i) => `${prefix}${i}`);

async function ready(hookd: HookdProcess): Promise<void> {
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started') || hookd.child.exitCode !== null, 'hookd to start', 20_000);
  assert.equal(hookd.child.exitCode, null, `hookd exited at start: ${hookd.stderr()}`);
}

async function setup(t: TestContext) {
  const server = await startNatsServer(t);
  const admin = await natsAdmin(t, server);
  await admin.addStream('EVENTS', ['events.>']);
  return { server, admin, dir: tempDir(t) };
}

test('publish survives a server restart: every event stored once, retried copies dropped by the stream', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, dir } = await setup(t);
  const config = producerConfig(dir, server, 'events.{{type}}');
  const hookd = startHookd(t, ['-c', config, '--log-format', 'json']);
  await ready(hookd);
  const messages = async (): Promise<number> => (await admin.jsm.streams.info('EVENTS')).state.messages;
  await emit(dir, ids('a'));
  await waitFor(async () => (await messages()) === 5, 'the first five in the stream');
  await server.stop();
  await emit(dir, ids('b'));
  // Failing publishes are retried while the server is away.
  await waitFor(() => hookd.logs().some((entry) => entry.hook === 'to-fleet' && String(entry.msg).includes('will retry')), 'a retried publish');
  await server.start();
  // The same ids again: the stream keeps one message per id.
  await emit(dir, ids('a'));
  await waitFor(() => hookd.logs().filter((entry) => entry.hook === 'to-fleet' && entry.msg === 'hook ok').length === 15, 'every publish acknowledged', 30_000);
  assert.equal(await messages(), 10);
  // The copies of a0..a4 sent last were dropped: the last message stored is b4.
  const last = await admin.jsm.streams.getMessage('EVENTS', { last_by_subj: 'events.paid' });
  assert.equal(last?.header.get('Nats-Msg-Id'), 'b4');
  const first = await admin.jsm.streams.getMessage('EVENTS', { seq: 1 });
  assert.equal(first?.header.get('Nats-Msg-Id'), 'a0');
  assert.deepEqual(first?.json(), { type: 'paid', id: 'a0', msat: 1000 });
  assert.equal(hookd.logs().filter((entry) => entry.msg === 'NATS connection lost; reconnecting').length, 1);
  assert.equal(hookd.logs().filter((entry) => entry.msg === 'NATS connection back').length, 1);
});

test('a publish that no stream takes is retried, then kept as a dead letter, here and on dead_subject', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, dir } = await setup(t);
  await admin.addStream('DEAD', ['dead.>']);
  const config = producerConfig(dir, server, 'nowhere.{{type}}', 1);
  const hookd = startHookd(t, ['-c', config, '--log-format', 'json']);
  await ready(hookd);
  await emit(dir, ['x1']);
  await waitFor(() => hookd.logs().some((entry) => String(entry.msg).includes('kept as a dead letter')), 'the dead letter');
  const failures = hookd.logs().filter((entry) => entry.hook === 'to-fleet' && String(entry.msg).startsWith('hook failed'));
  assert.equal(failures.length, 2);
  assert.match(String(failures[0]!.msg), /no JetStream stream stores subject "nowhere\.paid"/);
  const dead = await runHookd(['dead', 'list', '-c', config]);
  assert.equal(dead.code, 0, dead.stderr);
  assert.match(dead.stdout, /to-fleet/);
  await waitFor(async () => (await admin.jsm.streams.info('DEAD')).state.messages === 1, 'the dead letter published');
  const letter = (await admin.jsm.streams.getMessage('DEAD', { seq: 1 }))!.json<Record<string, unknown>>();
  assert.equal(letter.hook, 'to-fleet');
  assert.equal((letter.event as Record<string, unknown>).id, 'x1');
  assert.equal((letter.attempts as unknown[]).length, 2);
  assert.match(String(letter.reason), /no JetStream stream stores subject "nowhere\.paid"/);
});

test('hookd test --dry-run shows the subject a publish hook would use', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, dir } = await setup(t);
  const config = producerConfig(dir, server, 'events.{{type}}.{{node}}');
  const result = await runHookd(['test', '-c', config, '--dry-run', '-'], { input: '{"type":"paid","node":"a","id":"z"}\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /hook to-fleet\n\s+publish: events\.paid\.a\n/);
});
