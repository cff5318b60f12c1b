import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { HookdMetrics } from '../src/daemon/metrics/hookd-metrics.ts';
import { MetricsServer } from '../src/daemon/metrics/metrics-server.ts';
import { httpRequest, type HttpTarget } from './http-client.ts';
import { parseScrape, sampleValue, type Scrape } from './prometheus-text.ts';

async function serve(t: TestContext, metrics: HookdMetrics): Promise<HttpTarget> {
  const server = new MetricsServer(metrics, { kind: 'tcp', host: '127.0.0.1', port: 0 });
  const address = await server.start();
  t.after(() => server.stop());
  assert.equal(address.kind, 'tcp');
  return { host: '127.0.0.1', port: address.kind === 'tcp' ? address.port : 0 };
}

async function scrape(target: HttpTarget): Promise<Scrape> {
  const answer = await httpRequest(target, 'GET', '/metrics');
  assert.equal(answer.status, 200);
  assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseScrape(answer.text);
}

test('a scrape of /metrics gives every hookd metric in the text format, with the counts recorded and the readings of the moment', async (t) => {
  const metrics = new HookdMetrics();
  let depth = 3;
  metrics.read({ queueDepth: () => depth, deadLetters: () => 2, runningHooks: () => 1 });
  metrics.declareSource('http');
  metrics.declareHook('notify');
  metrics.declareHook('approve', true);
  metrics.eventReceived('http');
  metrics.eventReceived('http');
  metrics.eventReceived('socket');
  metrics.runEnded('notify', 'ok', 20);
  metrics.runEnded('notify', 'ok', 700);
  metrics.runEnded('notify', 'timeout', 60_000);
  metrics.runEnded('notify', 'dead', 3);
  metrics.decisionReplied('approve', 'fallback');
  const target = await serve(t, metrics);

  const first = await scrape(target);
  const value = (name: string, labels: Record<string, string> = {}): number | undefined => sampleValue(first, name, labels);
  assert.equal(value('hookd_events_received_total', { source: 'http' }), 2);
  assert.equal(value('hookd_events_received_total', { source: 'socket' }), 1);
  assert.equal(value('hookd_runs_total', { hook: 'notify', outcome: 'ok' }), 2);
  assert.equal(value('hookd_runs_total', { hook: 'notify', outcome: 'failed' }), 0);
  assert.equal(value('hookd_runs_total', { hook: 'notify', outcome: 'timeout' }), 1);
  assert.equal(value('hookd_runs_total', { hook: 'notify', outcome: 'dead' }), 1);
  assert.equal(value('hookd_runs_total', { hook: 'approve', outcome: 'ok' }), 0, 'a declared hook shows before its first run');
  assert.equal(value('hookd_decision_replies_total', { hook: 'approve', outcome: 'own' }), 0);
  assert.equal(value('hookd_decision_replies_total', { hook: 'approve', outcome: 'fallback' }), 1);
  assert.equal(value('hookd_run_duration_seconds_count', { hook: 'notify' }), 4);
  assert.equal(value('hookd_run_duration_seconds_sum', { hook: 'notify' }), 60.723);
  assert.equal(value('hookd_run_duration_seconds_bucket', { hook: 'notify', le: '0.025' }), 2);
  assert.equal(value('hookd_run_duration_seconds_bucket', { hook: 'notify', le: '1' }), 3);
  assert.equal(value('hookd_run_duration_seconds_bucket', { hook: 'notify', le: '+Inf' }), 4);
  assert.equal(value('hookd_queue_depth'), 3);
  assert.equal(value('hookd_dead_letters'), 2);
  assert.equal(value('hookd_running_hooks'), 1);
  assert.equal(first.types.get('hookd_runs_total'), 'counter');
  assert.equal(first.types.get('hookd_run_duration_seconds'), 'histogram');
  assert.equal(first.types.get('hookd_queue_depth'), 'gauge');
  // The process metrics of prom-client.
  assert.ok((value('process_cpu_user_seconds_total') ?? -1) >= 0);
  assert.ok((value('process_resident_memory_bytes') ?? 0) > 0);
  assert.ok(first.types.has('nodejs_eventloop_lag_seconds'));

  depth = 0;
  metrics.runEnded('notify', 'failed', 5);
  const second = await scrape(target);
  assert.equal(sampleValue(second, 'hookd_queue_depth'), 0, 'gauges are read at each scrape');
  assert.equal(sampleValue(second, 'hookd_runs_total', { hook: 'notify', outcome: 'failed' }), 1);
});

test('label values with quotes, backslashes and newlines are escaped so that the scrape stays parseable', async (t) => {
  const metrics = new HookdMetrics();
  metrics.runEnded('odd "name"\\\nhook', 'ok', 1);
  const parsed = await scrape(await serve(t, metrics));
  assert.equal(sampleValue(parsed, 'hookd_runs_total', { hook: 'odd "name"\\\nhook', outcome: 'ok' }), 1);
});

test('only GET and HEAD of /metrics are served: other paths 404, other methods 405', async (t) => {
  const target = await serve(t, new HookdMetrics());
  assert.equal((await httpRequest(target, 'GET', '/')).status, 404);
  const post = await httpRequest(target, 'POST', '/metrics', '{}');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const head = await httpRequest(target, 'HEAD', '/metrics');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

test('two daemons in one process keep their metrics apart (no global registry)', async (t) => {
  const a = new HookdMetrics();
  const b = new HookdMetrics();
  a.eventReceived('stdin');
  const [scrapeA, scrapeB] = await Promise.all([scrape(await serve(t, a)), scrape(await serve(t, b))]);
  assert.equal(sampleValue(scrapeA, 'hookd_events_received_total', { source: 'stdin' }), 1);
  assert.equal(sampleValue(scrapeB, 'hookd_events_received_total', { source: 'stdin' }), undefined);
});
