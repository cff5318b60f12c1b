import assert from 'node:assert/strict';
import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { HookdError } from '../src/errors.ts';
import { isPrivateAddress, parseListenAddress, type ListenAddress } from '../src/config/listen-address.ts';
import { HttpSource, type HttpSourceOptions } from '../src/sources/http/http-source.ts';
import { SIGNATURE_PRESETS } from '../src/config/http-settings.ts';
import { recordingSink, type RecordingSink } from './daemon-helpers.ts';
import { tempDir, writeFile } from './helpers.ts';
import { hmacHeader, httpRequest, type HttpTarget } from './http-client.ts';

const SECRET = 'btcpay-test-secret-3f9a';
const LOOPBACK: ListenAddress = { kind: 'tcp', host: '127.0.0.1', port: 0 };

// An http source on a free loopback port, stopped when the test ends.
async function startSource(
  t: TestContext,
  options: Partial<HttpSourceOptions>,
  recording: RecordingSink = recordingSink(),
): Promise<{ source: HttpSource; target: HttpTarget; recording: RecordingSink }> {
  const source = new HttpSource({ listen: LOOPBACK, urlPath: '/events', typeHeader: undefined, signature: undefined, ...options });
  await source.start(recording.sink);
  t.after(() => source.stop());
  const address = source.listening;
  assert.equal(address.kind, 'tcp');
  return { source, target: { host: '127.0.0.1', port: address.kind === 'tcp' ? address.port : 0 }, recording };
}

function secretFile(t: TestContext, text = `${SECRET}\n`): string {
  return writeFile(tempDir(t), 'btcpay.secret', text, 0o600);
}

test('a BTCPay webhook with a valid signature is an event, answered 202 with its id once accepted', async (t) => {
  const { target, recording } = await startSource(t, { signature: { scheme: SIGNATURE_PRESETS.btcpay, secretFile: secretFile(t) } });
  const body = JSON.stringify({ type: 'InvoiceSettled', invoiceId: 'Q8xe', storeId: 'st1', amount: 18446744073709551615 });
  const answer = await httpRequest(target, 'POST', '/events', body, { 'BTCPay-Sig': hmacHeader(SECRET, body) });
  assert.equal(answer.status, 202);
  assert.equal(answer.json?.ok, true);
  assert.equal(recording.events.length, 1);
  const event = recording.events[0]!;
  assert.equal(answer.json?.id, event.id);
  assert.equal(event.type, 'InvoiceSettled');
  assert.equal(event.source, 'http');
  assert.equal(event.raw, body);
});

test('a missing, malformed or wrong signature is refused with 401, and the secret appears in no answer and no log', async (t) => {
  const { source, target, recording } = await startSource(t, { signature: { scheme: SIGNATURE_PRESETS.btcpay, secretFile: secretFile(t) } });
  const body = JSON.stringify({ type: 'InvoiceSettled' });
  const cases: Record<string, string>[] = [
    {},
    { 'BTCPay-Sig': 'sha256=zz' },
    { 'BTCPay-Sig': hmacHeader(SECRET, body).replace('sha256=', 'sha1=') },
    { 'BTCPay-Sig': hmacHeader('another-secret', body) },
    // Signed body and sent body differ by one byte.
    { 'BTCPay-Sig': hmacHeader(SECRET, `${body} `) },
    // GitHub's header does not count for a btcpay source.
    { 'X-Hub-Signature-256': hmacHeader(SECRET, body) },
  ];
  const answers = await Promise.all(cases.map((headers) => httpRequest(target, 'POST', '/events', body, headers)));
  assert.deepEqual(answers.map((answer) => answer.status), cases.map(() => 401));
  assert.match(String(answers[0]?.json?.error), /missing BTCPay-Sig header/);
  assert.match(String(answers[3]?.json?.error), /does not match the body/);
  assert.equal(recording.events.length, 0);
  const everything = JSON.stringify(recording.logs) + answers.map((answer) => answer.text).join('') + JSON.stringify(source.status());
  assert.ok(!everything.includes(SECRET), 'the secret is never shown');
  assert.ok(!everything.includes(hmacHeader(SECRET, body).slice(7)), 'nor the expected digest');
  assert.equal(source.status().unauthorized, 6);
});

test('GitHub: X-Hub-Signature-256 is checked, the type comes from X-GitHub-Event, and a pretty-printed body reaches the hook on one line', async (t) => {
  const { target, recording } = await startSource(t, {
    signature: { scheme: SIGNATURE_PRESETS.github, secretFile: secretFile(t) },
    typeHeader: 'X-GitHub-Event',
  });
  const body = JSON.stringify({ action: 'opened', number: 7, pull_request: { title: 'a\nb' } }, null, 2);
  const headers = { 'X-Hub-Signature-256': hmacHeader(SECRET, body), 'X-GitHub-Event': 'pull_request' };
  const answer = await httpRequest(target, 'POST', '/events', body, headers);
  assert.equal(answer.status, 202, answer.text);
  const event = recording.events[0]!;
  assert.equal(event.type, 'pull_request');
  assert.equal(event.raw, '{"action":"opened","number":7,"pull_request":{"title":"a\\nb"}}');

  const noType = await httpRequest(target, 'POST', '/events', body, { 'X-Hub-Signature-256': hmacHeader(SECRET, body) });
  assert.equal(noType.status, 400);
  assert.match(String(noType.json?.error), /missing X-GitHub-Event header/);
});

test('a custom signature header and prefix are checked like the presets', async (t) => {
  const scheme = { header: 'X-Signature', prefix: 'hmac-sha256:' };
  const { target, recording } = await startSource(t, { signature: { scheme, secretFile: secretFile(t) } });
  const body = '{"type":"ping"}';
  const good = await httpRequest(target, 'POST', '/events', body, { 'x-signature': hmacHeader(SECRET, body, 'hmac-sha256:') });
  const bad = await httpRequest(target, 'POST', '/events', body, { 'x-signature': hmacHeader(SECRET, body) });
  assert.deepEqual([good.status, bad.status], [202, 401]);
  assert.equal(recording.events.length, 1);
});

test('other methods get 405, other paths 404, bodies that are not JSON objects 400, bodies over max_event_bytes 413: no event, no stack trace', async (t) => {
  const { target, recording } = await startSource(t, {}, recordingSink(64));
  const get = await httpRequest(target, 'GET', '/events');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.equal((await httpRequest(target, 'PUT', '/events', '{"type":"x"}')).status, 405);
  assert.equal((await httpRequest(target, 'POST', '/other', '{"type":"x"}')).status, 404);
  // The query string is not part of the path.
  assert.equal((await httpRequest(target, 'POST', '/events?from=test', '{"type":"x"}')).status, 202);

  const bad = ['', 'not json', '[1,2]', '"text"', '{"no_type":1}', Buffer.from([0x7b, 0xff, 0x7d])];
  const answers = await Promise.all(bad.map((body) => httpRequest(target, 'POST', '/events', body)));
  assert.deepEqual(answers.map((answer) => answer.status), bad.map(() => 400));
  assert.match(String(answers[1]?.json?.error), /invalid JSON/);
  assert.match(String(answers[2]?.json?.error), /expected a JSON object/);
  assert.match(String(answers[4]?.json?.error), /no event type/);
  assert.match(String(answers[5]?.json?.error), /not UTF-8/);

  const big = JSON.stringify({ type: 'x', pad: 'y'.repeat(100) });
  const tooBig = await httpRequest(target, 'POST', '/events', big);
  assert.equal(tooBig.status, 413);
  assert.match(String(tooBig.json?.error), /over max_event_bytes \(64\)/);
  // A body sent in chunks, without a length, is measured too.
  const chunked = await httpRequest(target, 'POST', '/events', big, { 'Transfer-Encoding': 'chunked' });
  assert.equal(chunked.status, 413);

  const all = [get, tooBig, chunked, ...answers];
  assert.ok(all.every((answer) => answer.json !== undefined && !/\n\s+at /.test(answer.text)), 'every answer is one JSON line');
  assert.equal(recording.events.length, 1);
});

test('while the store refuses writes the answer is 503 with no detail of the folder, and the event is taken again once it accepts', async (t) => {
  const recording = recordingSink();
  const { target } = await startSource(t, {}, recording);
  recording.gate = Promise.reject(new HookdError('E_STATE', 'cannot write /var/lib/hookd/queue/000001.log: ENOSPC'));
  recording.gate.catch(() => {});
  const refused = await httpRequest(target, 'POST', '/events', '{"type":"x"}');
  assert.equal(refused.status, 503);
  assert.equal(refused.headers['retry-after'], '30');
  assert.ok(!refused.text.includes('/var/lib'), refused.text);
  assert.ok(recording.logs.some((entry) => String(entry.msg).includes('ENOSPC')), 'the log says why');
  recording.gate = undefined;
  assert.equal((await httpRequest(target, 'POST', '/events', '{"type":"x"}')).status, 202);
});

test('a secret file every user can read, or an empty one, is refused at start with its name and without its contents', async (t) => {
  const open = writeFile(tempDir(t), 'open.secret', SECRET, 0o644);
  const empty = writeFile(tempDir(t), 'empty.secret', '\n', 0o600);
  for (const [file, message] of [
    [open, /every user can read.*open\.secret/],
    [empty, /empty\.secret is empty/],
    [path.join(tempDir(t), 'missing.secret'), /cannot read the secret file .*missing\.secret: ENOENT/],
  ] as const) {
    const source = new HttpSource({ listen: LOOPBACK, urlPath: '/', typeHeader: undefined, signature: { scheme: SIGNATURE_PRESETS.github, secretFile: file } });
    await assert.rejects(source.start(recordingSink().sink), (error: Error) => {
      assert.match(error.message, message);
      assert.ok(!error.message.includes(SECRET));
      return true;
    });
  }
});

test('listen addresses: HOST:PORT or a socket path; only loopback and unix sockets count as private', () => {
  const parse = (text: string): ListenAddress | undefined => parseListenAddress(text, '/etc/hookd');
  assert.deepEqual(parse('127.0.0.1:8080'), { kind: 'tcp', host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parse('[::1]:9464'), { kind: 'tcp', host: '::1', port: 9464 });
  assert.deepEqual(parse('./run/hookd-http.sock'), { kind: 'unix', path: '/etc/hookd/run/hookd-http.sock', mode: 0o600 });
  for (const bad of ['8080', 'example.com:80', '127.0.0.1:70000', '127.0.0.1', '[127.0.0.1]:80', ':80']) assert.equal(parse(bad), undefined, bad);
  const isPrivate = (text: string): boolean => isPrivateAddress(parse(text)!);
  assert.deepEqual(
    ['127.0.0.1:1', '127.8.9.1:1', 'localhost:1', '[::1]:1', '[::ffff:127.0.0.1]:1', '/run/x.sock'].map(isPrivate),
    [true, true, true, true, true, true],
  );
  assert.deepEqual(['0.0.0.0:1', '192.168.1.4:1', '[::]:1', '10.0.0.1:1'].map(isPrivate), [false, false, false, false]);
});

test('a port in use is refused with E_SOCKET_IN_USE', async (t) => {
  const { source } = await startSource(t, {});
  const second = new HttpSource({ listen: source.listening, urlPath: '/', typeHeader: undefined, signature: undefined });
  await assert.rejects(second.start(recordingSink().sink), (error: HookdError) => error.code === 'E_SOCKET_IN_USE');
});

test('on a unix socket (behind a reverse proxy) the socket gets its mode, serves requests, and is removed at stop', async (t) => {
  const socketPath = path.join(tempDir(t), 'run', 'hookd-http.sock');
  const recording = recordingSink();
  const source = new HttpSource({ listen: { kind: 'unix', path: socketPath, mode: 0o660 }, urlPath: '/btcpay', typeHeader: undefined, signature: undefined });
  await source.start(recording.sink);
  t.after(() => source.stop());
  assert.ok(lstatSync(socketPath).isSocket());
  assert.equal(lstatSync(socketPath).mode & 0o777, 0o660);
  const answer = await httpRequest({ socketPath }, 'POST', '/btcpay', '{"type":"InvoiceCreated"}');
  assert.equal(answer.status, 202);
  assert.equal(recording.events[0]?.type, 'InvoiceCreated');
  await source.stop();
  assert.equal(existsSync(socketPath), false);
});
