// End to end with the built bin: signed webhooks into the http source, hooks
// run with HOOKD_SOURCE=http, and what /metrics says about it all.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { linesOf, startDaemon, stopHookd, waitForLines, waitForLog } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor, writeFile, writeScript, type HookdProcess } from './helpers.ts';
import { hmacHeader, httpRequest, type HttpTarget } from './http-client.ts';
import { parseScrape, sampleValue, type Scrape } from './prometheus-text.ts';

const SECRET = 'e2e-btcpay-secret-91c3';

// The TCP address hookd logged for a listener (port 0 in the config).
async function loggedTarget(hookd: HookdProcess, message: string, fields: Record<string, unknown> = {}): Promise<HttpTarget> {
  const entry = await waitForLog(hookd, message, fields);
  const match = /^127\.0\.0\.1:(\d+)$/.exec(String(entry.listen));
  assert.ok(match, `no TCP address in ${JSON.stringify(entry)}`);
  return { host: '127.0.0.1', port: Number(match[1]) };
}

async function scrape(target: HttpTarget): Promise<Scrape> {
  const answer = await httpRequest(target, 'GET', '/metrics');
  assert.equal(answer.status, 200);
  return parseScrape(answer.text);
}

test('a signed BTCPay webhook runs its hook with HOOKD_SOURCE=http, and /metrics counts the event, the runs by outcome, the dead letter and the durations', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeFile(dir, 'btcpay.secret', `${SECRET}\n`, 0o600);
  // It also prints the secret file: hookd's log must mask it.
  writeScript(dir, 'record.sh', `printf '%s %s %s\\n' "$HOOKD_SOURCE" "$HOOKD_TYPE" "$EVENT_INVOICEID" >> '${out}'\ncat ./btcpay.secret`);
  writeScript(dir, 'fail.sh', 'echo "refund service down" >&2; exit 3');
  const { hookd } = await startDaemon(
    t,
    dir,
    `state: ./state
event: {id: deliveryId}
metrics: 127.0.0.1:0
sources:
  - http: {listen: "127.0.0.1:0", path: /btcpay, secret_file: ./btcpay.secret, signature: btcpay}
hooks:
  - {name: fulfil, on: InvoiceSettled, run: ./record.sh}
  - {name: refund, on: InvoiceInvalid, run: ./fail.sh, retries: 1, backoff: 10ms}
`,
  );
  const events = await loggedTarget(hookd, 'listening', { source: 'http' });
  const metrics = await loggedTarget(hookd, 'serving metrics');

  const before = await scrape(metrics);
  assert.equal(sampleValue(before, 'hookd_runs_total', { hook: 'fulfil', outcome: 'ok' }), 0, 'hooks show from the start');
  assert.equal(sampleValue(before, 'hookd_events_received_total', { source: 'http' }), 0);

  const settled = JSON.stringify({ type: 'InvoiceSettled', deliveryId: 'd-1', invoiceId: 'inv-42', storeId: 's' });
  const accepted = await httpRequest(events, 'POST', '/btcpay', settled, { 'BTCPay-Sig': hmacHeader(SECRET, settled) });
  assert.equal(accepted.status, 202);
  assert.deepEqual(accepted.json, { ok: true, id: 'd-1' });
  assert.deepEqual(await waitForLines(out, 1), ['http InvoiceSettled inv-42']);

  const forged = await httpRequest(events, 'POST', '/btcpay', settled.replace('inv-42', 'inv-43'), { 'BTCPay-Sig': hmacHeader(SECRET, settled) });
  assert.equal(forged.status, 401);
  const invalid = JSON.stringify({ type: 'InvoiceInvalid', deliveryId: 'd-2', invoiceId: 'inv-44' });
  assert.equal((await httpRequest(events, 'POST', '/btcpay', invalid, { 'BTCPay-Sig': hmacHeader(SECRET, invalid) })).status, 202);

  const after = await waitFor(async () => {
    const scraped = await scrape(metrics);
    const dead = sampleValue(scraped, 'hookd_runs_total', { hook: 'refund', outcome: 'dead' }) === 1 && sampleValue(scraped, 'hookd_dead_letters') === 1;
    // The delivery leaves the queue just after its dead letter is written.
    return dead && sampleValue(scraped, 'hookd_queue_depth') === 0 ? scraped : undefined;
  }, 'the refund delivery to be dead and the queue empty');
  const value = (name: string, labels: Record<string, string> = {}): number | undefined => sampleValue(after, name, labels);
  assert.equal(value('hookd_events_received_total', { source: 'http' }), 2, 'the forged one is not an event');
  assert.equal(value('hookd_runs_total', { hook: 'fulfil', outcome: 'ok' }), 1);
  assert.equal(value('hookd_runs_total', { hook: 'refund', outcome: 'failed' }), 1, 'the first failure is retried');
  assert.equal(value('hookd_runs_total', { hook: 'refund', outcome: 'dead' }), 1, 'the last one goes to the dead letters');
  assert.equal(value('hookd_run_duration_seconds_count', { hook: 'refund' }), 2);
  assert.equal(value('hookd_run_duration_seconds_count', { hook: 'fulfil' }), 1);
  assert.equal(value('hookd_running_hooks'), 0);
  assert.ok((value('process_start_time_seconds') ?? 0) > 0);

  const logs = JSON.stringify(hookd.logs());
  assert.ok(!logs.includes(SECRET), 'the secret is not in the log');
  assert.ok(hookd.logs().some((entry) => entry.hook === 'fulfil' && entry.stream === 'stdout' && entry.msg === '***'), 'a hook printing it is masked');
  assert.ok(hookd.logs().some((entry) => entry.status === 401 && String(entry.msg).includes('does not match the body')));
  assert.equal(await stopHookd(hookd), 0);
});

test('GitHub webhooks: the type from X-GitHub-Event; a reload moves /metrics and the counts go on', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  const socket = path.join(dir, 'metrics.sock');
  writeFile(dir, 'github.secret', SECRET, 0o600);
  writeScript(dir, 'record.sh', `printf '%s %s %s\\n' "$HOOKD_SOURCE" "$HOOKD_TYPE" "$EVENT_REF" >> '${out}'`);
  const yaml = (metrics: string): string => `state: false
metrics: ${metrics}
sources:
  - http: {listen: "127.0.0.1:0", path: /github, secret_file: ./github.secret, signature: github, type_header: X-GitHub-Event}
  - socket: ./hookd.sock
hooks:
  - {name: deploy, on: push, where: {ref: refs/heads/main}, run: ./record.sh}
`;
  const { hookd, config } = await startDaemon(t, dir, yaml('127.0.0.1:0'));
  const events = await loggedTarget(hookd, 'listening', { source: 'http' });
  const metrics = await loggedTarget(hookd, 'serving metrics');
  const push = JSON.stringify({ ref: 'refs/heads/main', after: 'abc123' }, null, 2);
  const answer = await httpRequest(events, 'POST', '/github', push, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': hmacHeader(SECRET, push) });
  assert.equal(answer.status, 202, answer.text);
  assert.deepEqual(await waitForLines(out, 1), ['http push refs/heads/main']);
  await waitFor(async () => sampleValue(await scrape(metrics), 'hookd_runs_total', { hook: 'deploy', outcome: 'ok' }) === 1, 'the run to count');
  const status = await runHookd(['status', '-c', config]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`http\\s+127\\.0\\.0\\.1:${events.port}/github\\s+accepted=1 refused=0 unauthorized=0`));

  writeFileSync(config, yaml(socket));
  await waitFor(() => existsSync(socket), 'metrics on the unix socket');
  await assert.rejects(httpRequest(metrics, 'GET', '/metrics'), /ECONNREFUSED/, 'the TCP address is given up');
  const moved = await scrape({ socketPath: socket });
  assert.equal(sampleValue(moved, 'hookd_runs_total', { hook: 'deploy', outcome: 'ok' }), 1);
  assert.equal(sampleValue(moved, 'hookd_events_received_total', { source: 'http' }), 1);
  assert.equal(linesOf(out).length, 1);
  assert.equal(await stopHookd(hookd), 0);
  assert.equal(existsSync(socket), false, 'the metrics socket is removed at exit');
});

test('hookd refuses to start when the metrics address is taken, in one line', async (t) => {
  const dir = tempDir(t);
  const first = await startDaemon(t, dir, `state: false\nmetrics: 127.0.0.1:0\nsources: []\nhooks: [{name: h, on: t, run: "true"}]\n`);
  const taken = await loggedTarget(first.hookd, 'serving metrics');
  const second = tempDir(t);
  const config = path.join(second, 'hookd.yaml');
  writeFileSync(config, `state: false\nmetrics: 127.0.0.1:${taken.port}\nsources: []\nhooks: [{name: h, on: t, run: "true"}]\n`);
  const result = await runHookd(['-c', config]);
  assert.equal(result.code, 75, 'EX_TEMPFAIL, as for a socket in use');
  assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${taken.port} is in use by another process`));
  assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace');
});
