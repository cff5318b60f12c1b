// Decision latency: how long lightningd waits for hookd's answer to a hook,
// beyond the script's own run. The same trivial script answers N
// htlc_accepted requests through the plugin (payload in to reply out), then
// runs N times under a bare child_process.spawn; the difference is hookd's
// overhead (framing, parsing, env, reply check). Runnable on its own:
//   npm run build && node --import tsx test/bench/decide.bench.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ClnDriver } from '../cln-driver.ts';
import { writeConfig, writeScript } from '../helpers.ts';

const REQUESTS = Number(process.env.DECIDE_REQUESTS ?? 200);
const REQUEST = {
  onion: { payload: '1202023a98040205dc06080000000000000001', next_onion: `0002${'ab'.repeat(64)}`, shared_secret: '00'.repeat(32) },
  htlc: { short_channel_id: '4x5x6', id: 27, amount_msat: 43, cltv_expiry: 500028, cltv_expiry_relative: 10, payment_hash: '00'.repeat(32) },
};

interface Summary {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
}

function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { mean: samples.reduce((sum, x) => sum + x, 0) / samples.length, p50: at(0.5), p95: at(0.95) };
}

// The script's own time: spawn it, give it the payload, wait for it to end.
function bareRun(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(script, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.stdout.resume();
    child.stderr.resume();
    child.stdin.on('error', () => {}); // the script need not read it
    child.stdin.end(`${JSON.stringify(REQUEST)}\n`);
    child.on('close', () => resolve(performance.now() - began));
  });
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-decide-'));
  const cleanups: (() => unknown)[] = [];
  try {
    const script = writeScript(dir, 'decide.sh', `echo '{"result":"continue"}'`);
    const config = writeConfig(dir, `hooks:\n  - name: decide\n    on: htlc_accepted\n    decide: true\n    run: ${script}\n`, 'hookd.config.yaml');
    const driver = new ClnDriver({ after: (fn) => cleanups.push(fn) }, { lightningDir: dir, env: { HOOKD_CONFIG: config } });
    await driver.start({ 'hookd-log-level': 'warn' });
    for (let i = 0; i < 10; i++) await driver.hook('htlc_accepted', REQUEST); // warm up
    const viaHookd: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const began = performance.now();
      await driver.hook('htlc_accepted', REQUEST, `cln:htlc_accepted#${i}`);
      viaHookd.push(performance.now() - began);
    }
    await driver.shutdown();
    const bare: number[] = [];
    for (let i = 0; i < REQUESTS; i++) bare.push(await bareRun(script));
    const hookd = summarise(viaHookd);
    const raw = summarise(bare);
    const row = (name: string, s: Summary): string => `${name.padEnd(34)} ${s.mean.toFixed(2).padStart(8)} ${s.p50.toFixed(2).padStart(8)} ${s.p95.toFixed(2).padStart(8)}`;
    process.stdout.write(`decision latency, ${REQUESTS} sequential htlc_accepted requests (ms)\n`);
    process.stdout.write(`${''.padEnd(34)} ${'mean'.padStart(8)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}\n`);
    process.stdout.write(`${row('hookd: request in to reply out', hookd)}\n`);
    process.stdout.write(`${row('the script alone (bare spawn)', raw)}\n`);
    process.stdout.write(`${row("hookd's overhead (difference)", { mean: hookd.mean - raw.mean, p50: hookd.p50 - raw.p50, p95: hookd.p95 - raw.p95 })}\n`);
  } finally {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
