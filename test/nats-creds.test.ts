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
import { openNats, type NatsSettings } from '../src/nats/connection.ts';
import { runHookd, tempDir, writeFile } from './helpers.ts';
import { operatorMode, type OperatorMode } from './nats-jwt.ts';
import { captureLog, connectError } from './nats-log.ts';
import { requireNatsServer, startNatsServer } from './nats-server.ts';
import { setup, workerConfig, workerRunsOne } from './nats-worker-helpers.ts';

function assertNoSecret(text: string, mode: OperatorMode): void {
  for (const secret of mode.secrets) assert.ok(!text.includes(secret), `a secret in: ${text}`);
  // Not even a piece of one: no seed prefix, no JWT header.
  assert.doesNotMatch(text, /\bSU[A-Z2-7]{20,}|eyJ[\w-]{10,}/);
}

const clean = (mode: OperatorMode) => (text: string): void => assertNoSecret(text, mode);

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
  assert.equal(await connectError({ servers: [server.url], creds: mode.strangerCreds }, clean(mode)), refused);
  assert.equal(await connectError({ servers: [server.url], creds: mode.expiredCreds }, clean(mode)), refused);
  assert.equal(await connectError({ servers: [server.url] }, clean(mode)), refused);
});

test('a file that is not a .creds file is one line naming nats.creds and the file, quoting none of it', async (t) => {
  const mode = operatorMode(t);
  const dir = tempDir(t);
  const good = readFileSync(mode.creds, 'utf8');
  const settings = (name: string, text: string): NatsSettings => ({ servers: ['nats://127.0.0.1:1'], creds: writeFile(dir, name, text, 0o600) });
  const kind = 'is not a credentials file (a user JWT and its NKey seed, as nsc writes them)';
  assert.equal(await connectError(settings('token', 's3cret-token\n'), clean(mode)), `nats.creds: ${dir}/token ${kind}: unable to parse credentials`);
  assert.equal(await connectError(settings('jwt-only', good.split('\n\n')[0]!), clean(mode)), `nats.creds: ${dir}/jwt-only ${kind}: unable to parse credentials`);
  // The JWT is whole, the seed cut short.
  const cut = good.replace(/^(SU[A-Z2-7]{10})[A-Z2-7]+$/m, '$1');
  assert.equal(await connectError(settings('cut-seed', cut), clean(mode)), `nats.creds: ${dir}/cut-seed ${kind}: nkeys: invalid checksum`);
});

test('a hookd worker with creds: runs what is published; hookd status and the log show no seed or JWT', async (t) => {
  if (!requireNatsServer(t)) return;
  const mode = operatorMode(t);
  const { server, js, dir } = await setup(t, { args: mode.serverArgs }, { authenticator: credsAuthenticator(readFileSync(mode.creds)) });
  const config = workerConfig(dir, server, 'w1', '', `  creds: ${mode.creds}\n`);
  assertNoSecret(await workerRunsOne(t, config, dir, js), mode);
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
