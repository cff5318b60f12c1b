// Start-up time of `hookd emit` (what bitcoind runs per block and per wallet
// transaction) beside Node.js itself and `hookd --version`: the median wall
// time of interleaved runs against a running daemon, answer included.
//   npm run bench:emit [-- RUNS]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'hookd.js');
const RUNS = Number(process.argv[2] ?? 31);

const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-emit-'));
const socket = path.join(dir, 'hookd.sock');
const config = path.join(dir, 'hookd.yaml');
// No hook matches: the daemon's own work must not compete with what is measured.
writeFileSync(config, 'sources:\n  - socket: ./hookd.sock\nhooks: []\n');

const daemon = spawn(process.execPath, [BIN, '-c', config, '--log-level', 'warn'], { stdio: 'ignore' });
try {
  await waitForSocket();
  const cases: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'hookd --version': [BIN, '--version'],
    'hookd emit --socket PATH block hash=...': [BIN, 'emit', '--socket', socket, 'block', 'hash=00ab'],
    'hookd emit -c hookd.yaml block hash=...': [BIN, 'emit', '-c', config, 'block', 'hash=00ab'],
  };
  const times = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
  // Interleaved, so that a busy moment of the machine weighs on every case alike.
  for (let run = 0; run < RUNS; run++) {
    for (const [name, args] of Object.entries(cases)) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${name}: exit ${result.status}: ${result.stderr}`);
      times.get(name)?.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  console.log(`median of ${RUNS} runs (Node.js ${process.version})`);
  for (const [name, list] of times) {
    list.sort((a, b) => a - b);
    console.log(`${name.padEnd(42)} ${String(Math.round(list[Math.floor(list.length / 2)] as number)).padStart(5)} ms`);
  }
} finally {
  daemon.kill('SIGTERM');
  await new Promise((resolve) => daemon.once('close', resolve));
  rmSync(dir, { recursive: true, force: true });
}

async function waitForSocket(): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const probe = spawnSync(process.execPath, [BIN, 'status', '--socket', socket, '--json'], { encoding: 'utf8' });
    if (probe.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the daemon did not start');
}
