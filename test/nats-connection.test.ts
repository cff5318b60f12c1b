// The NATS connection from the `nats:` settings: a token or a password read
// from its file, refused credentials as a one-line error, secrets in no log line.
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import { loggableServer, openNats } from '../src/nats/connection.ts';
import { tempDir, writeFile } from './helpers.ts';
import { captureLog } from './nats-log.ts';
import { requireNatsServer, startNatsServer } from './nats-server.ts';

test('a token read from token_file connects, and the token is in no log line', async (t) => {
  if (!requireNatsServer(t)) return;
  const server = await startNatsServer(t, { args: ['--auth', 's3cret-token-value'] });
  const dir = tempDir(t);
  const logs = captureLog();
  const link = await openNats({ servers: [server.url], tokenFile: writeFile(dir, 'token', 's3cret-token-value\n', 0o600) }, logs.log);
  t.after(() => link.close());
  assert.ok(link.connected);
  assert.doesNotMatch(logs.text(), /s3cret/);
});

test('a user with its password_file connects; a wrong password is a one-line error naming the refusal', async (t) => {
  if (!requireNatsServer(t)) return;
  const server = await startNatsServer(t, { args: ['--user', 'hookd', '--pass', 'right-password'] });
  const dir = tempDir(t);
  const logs = captureLog();
  const link = await openNats({ servers: [server.url], user: 'hookd', passwordFile: writeFile(dir, 'good', 'right-password\n', 0o600) }, logs.log);
  await link.close();
  const wrong = writeFile(dir, 'bad', 'wrong-password\n', 0o600);
  await assert.rejects(openNats({ servers: [server.url], user: 'hookd', passwordFile: wrong }, logs.log), (error: Error & { code?: string }) => {
    assert.equal(error.message, `cannot connect to NATS (${server.url}): the server refused hookd's credentials (Authorization Violation)`);
    assert.doesNotMatch(error.message, /password/);
    return true;
  });
  assert.doesNotMatch(logs.text(), /right-password|wrong-password/);
});

test('an unreadable credentials file is a one-line error naming its key and path', async (t) => {
  const missing = path.join(tempDir(t), 'nats.creds');
  await assert.rejects(openNats({ servers: ['nats://127.0.0.1:1'], creds: missing }, captureLog().log), {
    message: `nats.creds: cannot read ${missing}: ENOENT`,
  });
});

test('a server address is logged without the user and password it may carry', () => {
  assert.equal(loggableServer('nats://me:pw@10.0.0.5:4222'), 'nats://10.0.0.5:4222');
  assert.equal(loggableServer('tls://10.0.0.5:4222'), 'tls://10.0.0.5:4222');
});
