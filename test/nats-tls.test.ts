// The NATS connection over TLS, against a real nats-server with throwaway
// certificates: `tls: {ca}` trusts the server at its IP address, mutual TLS
// with `{ca, cert, key}`, and each refusal (no client certificate, the wrong
// CA, a certificate for another address, a key that is not the
// certificate's) one line naming the server and the cause, with no key
// material in it or in any log line. End to end: a hookd worker over mutual
// TLS, and one whose CA is wrong stopping at start.
import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import { openNats } from '../src/nats/connection.ts';
import { natsTlsOptions } from '../src/nats/tls.ts';
import { runHookd } from './helpers.ts';
import { captureLog, connectError } from './nats-log.ts';
import { requireNatsServer, startNatsServer } from './nats-server.ts';
import { assertNoKeyMaterial, makeTlsFiles, requireOpenssl, tlsServerArgs, type TlsFiles } from './nats-tls.ts';
import { setup, workerConfig, workerRunsOne } from './nats-worker-helpers.ts';

const clean = (files: TlsFiles) => (text: string): void => assertNoKeyMaterial(text, files);

function required(t: TestContext): boolean {
  return requireNatsServer(t) && requireOpenssl(t);
}

test('tls: {ca} trusts the server at its IP address; without it the certificate is not trusted', async (t) => {
  if (!required(t)) return;
  const files = makeTlsFiles(t);
  const server = await startNatsServer(t, { args: tlsServerArgs(files, { verify: false }) });
  const logs = captureLog();
  const link = await openNats({ servers: [server.url], tls: { ca: files.ca.cert } }, logs.log);
  t.after(() => link.close());
  assert.ok(link.connected);
  assert.equal(link.nc.info?.tls_required, true);
  assert.equal(
    await connectError({ servers: [server.url] }, clean(files)),
    `cannot connect to NATS (${server.url}): the server's TLS certificate is not trusted (unable to verify the first certificate): nats.tls.ca must name the CA that signed it`,
  );
});

test('mutual TLS: {ca, cert, key} connects; without a client certificate it is refused in one line saying so', async (t) => {
  if (!required(t)) return;
  const files = makeTlsFiles(t);
  const server = await startNatsServer(t, { args: tlsServerArgs(files, { verify: true }) });
  const logs = captureLog();
  const link = await openNats({ servers: [server.url], tls: { ca: files.ca.cert, cert: files.client.cert, key: files.client.key } }, logs.log);
  assert.ok(link.connected);
  await link.close();
  assertNoKeyMaterial(logs.text(), files);
  // The server ends the connection after the handshake: the client sees no answer.
  assert.equal(
    await connectError({ servers: [server.url], tls: { ca: files.ca.cert }, connectTimeoutMs: 1_500 }, clean(files)),
    `cannot connect to NATS (${server.url}): no answer in time; a server that verifies client certificates ends the connection of a client without one: set nats.tls.cert and nats.tls.key`,
  );
});

test('a wrong CA, a certificate for another address, and a key that is not the certificate\'s: one line each; a certificate for a name is checked against that name', async (t) => {
  if (!required(t)) return;
  const files = makeTlsFiles(t);
  const client = { cert: files.client.cert, key: files.client.key };
  const server = await startNatsServer(t, { args: tlsServerArgs(files, { verify: true }) });
  assert.equal(
    await connectError({ servers: [server.url], tls: { ca: files.otherCa.cert, ...client } }, clean(files)),
    `cannot connect to NATS (${server.url}): the server's TLS certificate is not trusted (unable to verify the first certificate): nats.tls.ca must name the CA that signed it`,
  );
  assert.equal(
    await connectError({ servers: [server.url], tls: { ca: files.ca.cert, cert: files.client.cert, key: files.server.key } }, clean(files)),
    `cannot connect to NATS (${server.url}): nats.tls: the certificate or key cannot be used (error:05800074:x509 certificate routines::key values mismatch)`,
  );
  // Signed by the right CA, for localhost: the client once checked every IP
  // address against "localhost", and took it. By that name it is right.
  const elsewhere = await startNatsServer(t, { args: tlsServerArgs(files, { verify: true, server: files.elsewhere }) });
  const byName = await openNats({ servers: [`nats://localhost:${elsewhere.port}`], tls: { ca: files.ca.cert, ...client } }, captureLog().log);
  await byName.close();
  assert.match(
    await connectError({ servers: [elsewhere.url], tls: { ca: files.ca.cert, ...client } }, clean(files)),
    /^cannot connect to NATS \(nats:\/\/127\.0\.0\.1:\d+\): the server's TLS certificate is for another name \(Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: [^)]*\): it must name the address in nats\.servers$/,
  );
});

test('a hookd worker over mutual TLS runs what is published; hookd status and the log show no key material', async (t) => {
  if (!required(t)) return;
  const files = makeTlsFiles(t);
  const tls = { ca: files.ca.cert, cert: files.client.cert, key: files.client.key };
  const { server, js, dir } = await setup(t, { args: tlsServerArgs(files, { verify: true }) }, { tls: natsTlsOptions(tls) });
  const config = workerConfig(dir, server, 'w1', '', `  tls: { ca: ${tls.ca}, cert: ${tls.cert}, key: ${tls.key} }\n`);
  assertNoKeyMaterial(await workerRunsOne(t, config, dir, js), files);
});

test('a hookd whose nats.tls.ca did not sign the server\'s certificate stops at start with one line and exit 78', async (t) => {
  if (!required(t)) return;
  const files = makeTlsFiles(t);
  const tls = { ca: files.ca.cert, cert: files.client.cert, key: files.client.key };
  const { server, dir } = await setup(t, { args: tlsServerArgs(files, { verify: true }) }, { tls: natsTlsOptions(tls) });
  const config = workerConfig(dir, server, 'w1', '', `  tls: { ca: ${files.otherCa.cert}, cert: ${tls.cert}, key: ${tls.key} }\n`);
  const result = await runHookd(['-c', config, '--log-format', 'json']);
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /the server's TLS certificate is not trusted \(unable to verify the first certificate\): nats\.tls\.ca must name the CA that signed it/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assertNoKeyMaterial(result.stdout + result.stderr, files);
});
