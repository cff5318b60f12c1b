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

// Runs each command RUNS times (after a warm-up of the file cache), taking
// turns, so that a busy moment of a shared machine weighs on all alike.
function timeAll(commands: readonly (readonly string[])[]): (Timing | string)[] {
  const samples = commands.map((): number[] => []);
  const failures = commands.map((): string | undefined => undefined);
  for (let run = 0; run < WARMUP + RUNS; run++) {
    commands.forEach((args, index) => {
      if (failures[index] !== undefined) return;
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const elapsed = performance.now() - started;
      if (result.status !== 0) failures[index] = (result.stderr || result.stdout).trim().split('\n')[0] ?? `exit ${result.status}`;
      else if (run >= WARMUP) samples[index]?.push(elapsed);
    });
  }
  return samples.map((list, index) => {
    const failure = failures[index];
    if (failure !== undefined) return failure;
    list.sort((a, b) => a - b);
    return { medianMs: list[Math.floor(list.length / 2)] as number, minMs: list[0] as number, maxMs: list[list.length - 1] as number };
  });
}

function report(label: string, timing: Timing | string): void {
  if (typeof timing === 'string') console.log(`  ${label.padEnd(34)} skipped: ${timing}`);
  else console.log(`  ${label.padEnd(34)} median ${timing.medianMs.toFixed(1).padStart(6)} ms   (min ${timing.minMs.toFixed(1)}, max ${timing.maxMs.toFixed(1)})`);
}

// A daemon listening on a socket in a temp folder, for `hookd emit` to talk to.
async function withDaemon<T>(work: (socket: string, config: string) => T): Promise<T | string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-startup-'));
  const socket = path.join(dir, 'hookd.sock');
  writeFileSync(path.join(dir, 'hookd.yaml'), `sources: [{ socket: ${socket} }]\nhooks: []\n`);
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
  const labels = ['node -e "" (Node.js alone)', 'hookd --version', 'hookd emit --socket S block ...', 'hookd emit -c CONFIG block ...'];
  const timings = await withDaemon((socket, config) => timeAll([
    ['-e', ''],
    [BIN, '--version'],
    [BIN, 'emit', '--socket', socket, 'block', 'height:=812345', 'hash=00ab'],
    [BIN, 'emit', '-c', config, 'block', 'height:=812345', 'hash=00ab'],
  ]));
  labels.forEach((label, index) => report(label, typeof timings === 'string' ? timings : (timings[index] as Timing | string)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
