// hookd's http source beside adnanh/webhook (Debian package `webhook`) on the
// same work: BENCH_HTTP_EVENTS (default 500) signed POSTs from
// BENCH_CONCURRENCY (default 8) clients, each checked (HMAC-SHA256, GitHub's
// header) and run as /bin/true. A run counts once /bin/true has ended: webhook
// answers after the command (include-command-output-in-response), hookd
// answers once the event is stored, so its time runs until its /metrics
// counts every run. A bare Node.js spawn loop of /bin/true (no HTTP) shows
// what starting a process costs Node.js here. Prints a skip line when webhook
// is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, cleanEnv, waitFor } from '../helpers.ts';
import { httpRequest, type HttpTarget } from '../http-client.ts';
import { parseScrape, sampleValue } from '../prometheus-text.ts';

const EVENTS = Number(process.env.BENCH_HTTP_EVENTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const SECRET = 'bench-secret';
const TRUE = '/bin/true';

export async function run(): Promise<void> {
  const webhook = spawnSync('webhook', ['-version'], { encoding: 'utf8' });
  if (webhook.error !== undefined || webhook.status !== 0) {
    process.stdout.write('skipped: adnanh/webhook is not installed (Debian package `webhook`)\n');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-http-'));
  const children: ChildProcess[] = [];
  try {
    const bodies = Array.from({ length: EVENTS }, (_, i) => JSON.stringify({ type: 'push', n: i + 1, ref: 'refs/heads/main' }));
    process.stdout.write(`${EVENTS} signed POSTs → ${TRUE}, ${CONCURRENCY} clients, ${webhook.stdout.trim()}\n`);
    const rows: [string, number][] = [];
    for (const state of [true, false]) {
      const hookd = await startHookd(dir, state, children);
      rows.push([`hookd http source (state: ${state ? 'durable' : 'false'})`, await timed(async () => {
        await postAll(hookd.events, '/events', bodies);
        await waitFor(async () => (await runsDone(hookd.metrics)) >= EVENTS, 'hookd to run every event', 600_000, 10);
      })]);
      hookd.child.kill('SIGTERM');
    }
    const target = await startWebhook(dir, children);
    rows.push(['adnanh/webhook', await timed(() => postAll(target, '/hooks/true', bodies))]);
    rows.push(['bare Node.js spawn loop (no HTTP)', await timed(spawnLoop)]);

    process.stdout.write(`${'server'.padEnd(40)}${'seconds'.padStart(9)}${'events/s'.padStart(11)}\n`);
    for (const [name, seconds] of rows) {
      process.stdout.write(`${name.padEnd(40)}${seconds.toFixed(2).padStart(9)}${(EVENTS / seconds).toFixed(0).padStart(11)}\n`);
    }
    const webhookSeconds = rows[2]![1];
    const ratio = (row: number): string => (webhookSeconds / rows[row]![1]).toFixed(2);
    process.stdout.write(`hookd/webhook: durable ${ratio(0)}   state: false ${ratio(1)}   bare Node.js spawn/webhook: ${ratio(3)}   (events/s ratios; 1.00 = as fast)\n`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

// CONCURRENCY workers spawning /bin/true EVENTS times in all.
async function spawnLoop(): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < EVENTS) await new Promise((resolve) => spawn(TRUE, [], { stdio: 'ignore' }).on('close', resolve));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

// CONCURRENCY clients POSTing the bodies, each signed; every answer must be a success.
async function postAll(target: HttpTarget, urlPath: string, bodies: readonly string[]): Promise<void> {
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const answer = await httpRequest(target, 'POST', urlPath, body, { 'X-Hub-Signature-256': signature, 'X-GitHub-Event': 'push' });
      if (answer.status >= 300) throw new Error(`${urlPath} answered ${answer.status}: ${answer.text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
}

async function runsDone(metrics: HttpTarget): Promise<number> {
  const answer = await httpRequest(metrics, 'GET', '/metrics');
  return sampleValue(parseScrape(answer.text), 'hookd_runs_total', { hook: 'true', outcome: 'ok' }) ?? 0;
}

// The built bin with an http source and /metrics on free ports (read from its log).
async function startHookd(dir: string, durable: boolean, children: ChildProcess[]): Promise<{ child: ChildProcess; events: HttpTarget; metrics: HttpTarget }> {
  const secret = path.join(dir, 'github.secret');
  writeFileSync(secret, SECRET, { mode: 0o600 });
  const state = durable ? path.join(dir, `state-${Date.now()}`) : 'false';
  const config = path.join(dir, 'hookd.yaml');
  writeFileSync(
    config,
    `state: ${state}\nconcurrency: ${CONCURRENCY}\nmetrics: 127.0.0.1:0\n` +
      `sources:\n  - http: { listen: 127.0.0.1:0, path: /events, secret_file: ${secret}, signature: github, type_header: X-GitHub-Event }\n` +
      `hooks:\n  - { name: "true", on: push, run: ${TRUE}, concurrency: ${CONCURRENCY} }\n`,
  );
  const child = spawn(process.execPath, [BIN, '-c', config, '--log-level', 'info', '--log-format', 'json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() as string;
    for (const line of lines) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const listening = (pick: (entry: Record<string, unknown>) => boolean): Promise<HttpTarget> =>
    waitFor(() => {
      const entry = logs.find(pick);
      const match = entry && /^127\.0\.0\.1:(\d+)$/.exec(String(entry.listen));
      return match ? { host: '127.0.0.1', port: Number(match[1]) } : undefined;
    }, 'hookd to listen');
  const events = await listening((entry) => entry.source === 'http' && entry.msg === 'listening');
  const metrics = await listening((entry) => entry.msg === 'serving metrics');
  // Only the start is read from the log: runs are logged at info, so the rest is dropped.
  child.stdout!.removeAllListeners('data').resume();
  return { child, events, metrics };
}

// webhook on a free port, checking the same signature and running /bin/true.
async function startWebhook(dir: string, children: ChildProcess[]): Promise<HttpTarget> {
  const hooks = path.join(dir, 'webhook.json');
  writeFileSync(
    hooks,
    JSON.stringify([
      {
        id: 'true',
        'execute-command': TRUE,
        'include-command-output-in-response': true,
        'trigger-rule': { match: { type: 'payload-hmac-sha256', secret: SECRET, parameter: { source: 'header', name: 'X-Hub-Signature-256' } } },
      },
    ]),
  );
  const port = await freePort();
  const child = spawn('webhook', ['-hooks', hooks, '-ip', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  children.push(child);
  const target = { host: '127.0.0.1', port };
  await waitFor(() => httpRequest(target, 'GET', '/').then(() => true, () => false), 'webhook to listen');
  return target;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
