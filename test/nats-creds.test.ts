// The NATS connection with a .creds file (user JWT + NKey seed) against a
// real nats-server in operator mode, the operator, account and users made by
// hand (test/nats-jwt.ts): JetStream through it, refused and expired users
// and a file that is not a .creds file each one line, and no seed or JWT in
// any message, log line or `hookd status`. End to end: a hookd worker with
// `creds:`, and one whose user the server does not know stopping at start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { credsAuthenticator } from '@nats-io/transport-node';
import pino from 'pino';
import { openNats, type NatsSettings } from '../src/nats/connection.ts';
import { runHookd, startHookd, tempDir, waitFor, writeFile } from './helpers.ts';
import { operatorMode, type OperatorMode } from './nats-jwt.ts';
import { requireNatsServer, startNatsServer } from './nats-server.ts';
import { ready, runs, setup, workerConfig } from './nats-worker-helpers.ts';

function captureLog() {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }), text: () => lines.join('') };
}

function assertNoSecret(text: string, mode: OperatorMode): void {
  for (const secret of mode.secrets) assert.ok(!text.includes(secret), `a secret in: ${text}`);
  // Not even a piece of one: no seed prefix, no JWT header.
  assert.doesNotMatch(text, /\bSU[A-Z2-7]{20,}|eyJ[\w-]{10,}/);
}

async function connectError(settings: NatsSettings, mode: OperatorMode): Promise<string> {
  const logs = captureLog();
  const error = await openNats(settings, logs.log).then(
    async (link) => {
      await link.close();
      assert.fail('connected');
    },
    (error: Error & { code?: string }) => error,
  );
  assert.equal(error.code, 'E_NATS', error.stack);
  assert.equal(error.message.split('\n').length, 1, error.message);
  assertNoSecret(error.message + logs.text(), mode);
  return error.message;
}

test('a .creds file connects to an operator-mode server, JetStream included; unknown and expired users are refused in one line', async (t) => {
  if (!requireNatsServer(t)) return;
  const mode = operatorMode(t);
  const server = await startNatsServer(t, { args: mode.serverArgs });
  const logs = captureLog();
  const link = await openNats({ servers: [server.url], creds: mode.creds }, logs.log);
  t.after(() => link.close());
  await link.jsm.streams.add({ name: 'EVENTS', subjects: ['events.>'] });
  assert.equal((await link.js.publish('events.paid', '{}')).seq, 1);
  assertNoSecret(logs.text(), mode);
  const refused = `cannot connect to NATS (${server.url}): the server refused hookd's credentials (Authorization Violation)`;
  assert.equal(await connectError({ servers: [server.url], creds: mode.strangerCreds }, mode), refused);
  assert.equal(await connectError({ servers: [server.url], creds: mode.expiredCreds }, mode), refused);
  assert.equal(await connectError({ servers: [server.url] }, mode), refused);
});

test('a file that is not a .creds file is one line naming nats.creds and the file, quoting none of it', async (t) => {
  const mode = operatorMode(t);
  const dir = tempDir(t);
  const good = readFileSync(mode.creds, 'utf8');
  const settings = (name: string, text: string): NatsSettings => ({ servers: ['nats://127.0.0.1:1'], creds: writeFile(dir, name, text, 0o600) });
  const kind = 'is not a credentials file (a user JWT and its NKey seed, as nsc writes them)';
  assert.equal(await connectError(settings('token', 's3cret-token\n'), mode), `nats.creds: ${dir}/token ${kind}: unable to parse credentials`);
  assert.equal(await connectError(settings('jwt-only', good.split('\n\n')[0]!), mode), `nats.creds: ${dir}/jwt-only ${kind}: unable to parse credentials`);
  // The JWT is whole, the seed cut short.
  const cut = good.replace(/^(SU[A-Z2-7]{10})[A-Z2-7]+$/m, '$1');
  assert.equal(await connectError(settings('cut-seed', cut), mode), `nats.creds: ${dir}/cut-seed ${kind}: nkeys: invalid checksum`);
});

test('a hookd worker with creds: runs what is published; hookd status and the log show no seed or JWT', async (t) => {
  if (!requireNatsServer(t)) return;
  const mode = operatorMode(t);
  const { server, js, dir } = await setup(t, { args: mode.serverArgs }, { authenticator: credsAuthenticator(readFileSync(mode.creds)) });
  const config = workerConfig(dir, server, 'w1', '', `  creds: ${mode.creds}\n`);
  const worker = startHookd(t, ['-c', config, '--log-format', 'json']);
  await ready(worker);
  await js.publish('events.paid', JSON.stringify({ type: 'paid', id: 'p1' }));
  await waitFor(() => runs(dir).length === 1, 'the run');
  assert.deepEqual(runs(dir), ['p1 events.paid nats']);
  const status = await runHookd(['status', '-c', config, '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.ok((JSON.parse(status.stdout) as { sources: { kind: string }[] }).sources.some((source) => source.kind === 'nats'), status.stdout);
  assertNoSecret(status.stdout + status.stderr + worker.lines.join('\n') + worker.stderr(), mode);
});

test('a hookd whose user the server does not know stops at start with one line and exit 78', async (t) => {
  if (!requireNatsServer(t)) return;
  const mode = operatorMode(t);
  const { server, dir } = await setup(t, { args: mode.serverArgs }, { authenticator: credsAuthenticator(readFileSync(mode.creds)) });
  const result = await runHookd(['-c', workerConfig(dir, server, 'w1', '', `  creds: ${mode.strangerCreds}\n`), '--log-format', 'json']);
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /the server refused hookd's credentials \(Authorization Violation\)/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assertNoSecret(result.stdout + result.stderr, mode);
});
