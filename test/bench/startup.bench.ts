// Start-up time of the commands other programs call often: `hookd --version`
// (the bare CLI) and `hookd emit` (bitcoind runs it on every block and wallet
// transaction), beside Node.js starting an empty script. Median of several
// runs, each a fresh process, wall time from spawn to exit.
//   node --import tsx test/bench/startup.bench.ts     (after npm run build)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'hookd.js');
const RUNS = 21;
const WARMUP = 3;

interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

// Runs `args` with node RUNS times (after a warm-up of the file cache).
function time(args: readonly string[]): Timing | string {
  const samples: number[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const elapsed = performance.now() - started;
    if (result.status !== 0) return (result.stderr || result.stdout).trim().split('\n')[0] ?? `exit ${result.status}`;
    if (run >= WARMUP) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)] as number, minMs: samples[0] as number, maxMs: samples[samples.length - 1] as number };
}

function report(label: string, timing: Timing | string): void {
  if (typeof timing === 'string') console.log(`  ${label.padEnd(34)} skipped: ${timing}`);
  else console.log(`  ${label.padEnd(34)} median ${timing.medianMs.toFixed(1).padStart(6)} ms   (min ${timing.minMs.toFixed(1)}, max ${timing.maxMs.toFixed(1)})`);
}

// A daemon listening on a socket in a temp folder, for `hookd emit` to talk to.
async function withDaemon<T>(work: (socket: string, config: string) => T): Promise<T | string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-startup-'));
  const socket = path.join(dir, 'hookd.sock');
  writeFileSync(path.join(dir, 'hookd.yaml'), `sources: [{ socket: ${socket} }]\nhooks: [{ name: noop, on: "*", run: [/bin/true] }]\n`);
  const daemon = spawn(process.execPath, [BIN, '-c', path.join(dir, 'hookd.yaml'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  daemon.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => daemon.on('close', () => resolve()));
  try {
    const deadline = Date.now() + 15_000;
    while (!existsSync(socket)) {
      if (daemon.exitCode !== null || Date.now() > deadline) return stderr.trim().split('\n')[0] || 'the daemon did not open its socket';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return work(socket, path.join(dir, 'hookd.yaml'));
  } finally {
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`start-up time, ${RUNS} runs each (Node.js ${process.version}):`);
  report('node -e "" (Node.js alone)', time(['-e', '']));
  report('hookd --version', time([BIN, '--version']));
  const emit = await withDaemon((socket, config) => [
    time([BIN, 'emit', '--socket', socket, 'block', 'height:=812345', 'hash=00ab']),
    time([BIN, 'emit', '-c', config, 'block', 'height:=812345', 'hash=00ab']),
  ]);
  report('hookd emit --socket S block ...', typeof emit === 'string' ? emit : (emit[0] as Timing));
  report('hookd emit -c CONFIG block ...', typeof emit === 'string' ? emit : (emit[1] as Timing));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
