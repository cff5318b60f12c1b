// The config of the http source and of `metrics:`: what they resolve to, and
// every problem as one `file:LINE: key: message` line from `hookd validate`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { runHookd, tempDir, writeConfig, writeFile } from './helpers.ts';

const HOOK = 'hooks: [{name: h, on: t, run: "true"}]\n';
const SECRET = 'not-to-be-shown-4711';

test('an http source and metrics: resolve to their addresses, paths and signature, with the secret file absolute and the secret itself nowhere in the config', async (t) => {
  const dir = tempDir(t);
  writeFile(dir, 'secrets/github.secret', `${SECRET}\n`, 0o600);
  const file = writeConfig(
    dir,
    `sources:
  - http: {listen: "127.0.0.1:8080", path: /github, secret_file: secrets/github.secret, signature: github, type_header: X-GitHub-Event}
  - http: "[::1]:8081"
  - http: {listen: ./run/http.sock, mode: "0660", signature: {header: X-Signature, prefix: ""}, secret_file: secrets/github.secret}
metrics: 127.0.0.1:9464
${HOOK}`,
  );
  const config = await loadConfig({ path: file });
  assert.deepEqual(config.sources, [
    {
      kind: 'http',
      listen: { kind: 'tcp', host: '127.0.0.1', port: 8080 },
      urlPath: '/github',
      signature: { scheme: { header: 'X-Hub-Signature-256', prefix: 'sha256=' }, secretFile: path.join(dir, 'secrets/github.secret') },
      typeHeader: 'X-GitHub-Event',
    },
    { kind: 'http', listen: { kind: 'tcp', host: '::1', port: 8081 }, urlPath: '/', signature: undefined, typeHeader: undefined },
    {
      kind: 'http',
      listen: { kind: 'unix', path: path.join(dir, 'run/http.sock'), mode: 0o660 },
      urlPath: '/',
      signature: { scheme: { header: 'X-Signature', prefix: '' }, secretFile: path.join(dir, 'secrets/github.secret') },
      typeHeader: undefined,
    },
  ]);
  assert.deepEqual(config.metrics, { kind: 'tcp', host: '127.0.0.1', port: 9464 });
  assert.ok(!JSON.stringify(config).includes(SECRET));

  const open = writeConfig(dir, `metrics: {listen: "0.0.0.0:9464", public: true}\nsources:\n  - http: {listen: "0.0.0.0:8080", public: true, signature: btcpay, secret_file: secrets/github.secret}\n${HOOK}`, 'open.yaml');
  const asked = await loadConfig({ path: open });
  assert.deepEqual(asked.metrics, { kind: 'tcp', host: '0.0.0.0', port: 9464 });
});

test('hookd validate reports every problem of http sources and metrics: at once, each with its line and key, and never the secret', async (t) => {
  const dir = tempDir(t);
  writeFile(dir, 'open.secret', SECRET, 0o644);
  writeFile(dir, 'ok.secret', SECRET, 0o600);
  const file = writeConfig(
    dir,
    `sources:
  - http: {listen: "0.0.0.0:8080"}
  - http: {listen: "127.0.0.1:8081", signature: sha1, secret_file: ok.secret}
  - http: {listen: "127.0.0.1:8082", signature: github, secret_file: open.secret}
  - http: {listen: "127.0.0.1:8083", signature: btcpay, secret_file: missing.secret}
  - http: {listen: "127.0.0.1:8084", signature: github}
  - http: {listen: "127.0.0.1:8085", secret_file: ok.secret}
  - http: {listen: "192.168.1.10:8086", public: true}
  - http: {listen: "127.0.0.1:8087", path: events, type_header: "X Event", mode: "0600", signatur: github}
  - http: {path: /x}
  - http: "example.com:80"
  - http: {listen: "127.0.0.1:8088", signature: {prefix: "sha256="}, secret_file: ok.secret}
    path: /misplaced
  - http: "127.0.0.1:8081"
  - http: {listen: "127.0.0.1:8089", public: yes please}
metrics: "0.0.0.0:9464"
${HOOK}`,
  );
  const result = await runHookd(['validate', '-c', file]);
  assert.equal(result.code, 78, result.stderr);
  const lines = result.stderr.trim().split('\n').slice(1).map((line) => line.trim());
  const expected: [number, string, RegExp][] = [
    [2, 'sources[0].http.listen', /0\.0\.0\.0:8080 can be reached from other machines; add public: true/],
    [3, 'sources[1].http.signature', /expected btcpay or github, or \{header: NAME, prefix: "sha256="\}, got "sha1"/],
    [4, 'sources[2].http.secret_file', /refusing a secret file every user can read: .*open\.secret; run chmod o-r on it/],
    [5, 'sources[3].http.secret_file', /cannot read the secret file .*missing\.secret: ENOENT/],
    [6, 'sources[4].http', /signature: needs secret_file:/],
    [7, 'sources[5].http.secret_file', /secret_file: needs signature:/],
    [8, 'sources[6].http.public', /a public http source needs signature: and secret_file:/],
    [9, 'sources[7].http.signatur', /unknown key \(did you mean "signature"\?\)/],
    [9, 'sources[7].http.path', /expected a URL path such as \/events, got "events"/],
    [9, 'sources[7].http.type_header', /expected an HTTP header name such as X-GitHub-Event, got "X Event"/],
    [9, 'sources[7].http.mode', /mode: applies to a unix socket path only/],
    [10, 'sources[8].http', /an http source needs listen:/],
    [11, 'sources[9].http.listen', /expected HOST:PORT .* or a unix socket path, got "example\.com:80"/],
    [12, 'sources[10].http.signature', /a custom signature needs header:/],
    [13, 'sources[10].path', /unknown key \(the http source's settings go inside http: \{\.\.\.\}\)/],
    [14, 'sources[11]', /the same source as sources\[1\]/],
    [15, 'sources[12].http.public', /expected true or false, got "yes please"/],
    [16, 'metrics.listen', /0\.0\.0\.0:9464 can be reached from other machines; add public: true/],
  ];
  for (const [line, key, message] of expected) {
    const found = lines.find((text) => text.startsWith(`${file}:${line}: ${key}: `) && message.test(text));
    assert.ok(found, `no problem ${file}:${line}: ${key}: ${message}\n${lines.join('\n')}`);
  }
  assert.equal(lines.length, expected.length, lines.join('\n'));
  assert.ok(!result.stderr.includes(SECRET) && !result.stdout.includes(SECRET));
});

test('metrics: takes a socket path or a mapping, and refuses anything else with its line', async (t) => {
  const dir = tempDir(t);
  const good = writeConfig(dir, `metrics: {listen: ./metrics.sock, mode: "0660"}\n${HOOK}`);
  assert.deepEqual((await loadConfig({ path: good })).metrics, { kind: 'unix', path: path.join(dir, 'metrics.sock'), mode: 0o660 });
  const bad = writeConfig(dir, `${HOOK}metrics: [9464]\n`, 'bad.yaml');
  const result = await runHookd(['validate', '-c', bad]);
  assert.equal(result.code, 78);
  assert.match(result.stderr, new RegExp(`${bad}:2: metrics: expected HOST:PORT .*, or a mapping with listen:, got a list`));
});
