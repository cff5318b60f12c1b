// Start-up time of the commands other programs call often: `hookd --version`
// (the bare CLI) and `hookd emit` (bitcoind runs it on every block and wallet
// transaction), beside Node.js starting an empty script. Median of several
// runs, each a fresh process, wall time from spawn to exit. `node bin/hookd.js`
// rows start Node with the JIT; the installed command, bin/hookd, runs emit
// through sh and Node's interpreter alone (--jitless): both are shown.
//   node --import tsx test/bench/startup.bench.ts     (after npm run build)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'hookd.js');
// The command as installed, which picks Node's flags itself.
const COMMAND = path.join(ROOT, 'bin', 'hookd');
const RUNS = 21;
const WARMUP = 3;

interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

// Runs each command RUNS times (after a warm-up of the file cache), taking
// turns, so that a busy moment of a shared machine weighs on all alike.
// A command line: Node.js with these arguments, or a program and its own.
type CommandLine = readonly string[] | { readonly program: string; readonly args: readonly string[] };

function timeAll(commands: readonly CommandLine[]): (Timing | string)[] {
  // bin/hookd finds `node` on PATH: this one first.
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
  const samples = commands.map((): number[] => []);
  const failures = commands.map((): string | undefined => undefined);
  for (let run = 0; run < WARMUP + RUNS; run++) {
    commands.forEach((line, index) => {
      if (failures[index] !== undefined) return;
      const [program, args] = 'program' in line ? [line.program, line.args] : [process.execPath, line as readonly string[]];
      const started = performance.now();
      const result = spawnSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
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

// One row; the ratio is to Node.js alone.
function report(label: string, timing: Timing | string, node: Timing | string | undefined): void {
  if (typeof timing === 'string') {
    console.log(`  ${label.padEnd(34)} skipped: ${timing}`);
    return;
  }
  const ratio = typeof node === 'object' ? `   ${(timing.medianMs / node.medianMs).toFixed(2)}×` : '';
  console.log(`  ${label.padEnd(34)} median ${timing.medianMs.toFixed(1).padStart(6)} ms${ratio}   (min ${timing.minMs.toFixed(1)}, max ${timing.maxMs.toFixed(1)})`);
}

// A daemon listening on a socket in a temp folder, for `hookd emit` to talk to.
async function withDaemon<T>(work: (socket: string, config: string) => T): Promise<T | string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-startup-'));
  const socket = path.join(dir, 'hookd.sock');
  writeFileSync(path.join(dir, 'hookd.yaml'), `state: false\nsources: [{ socket: ${socket} }]\nhooks: []\n`);
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
  const labels = [
    'node -e "" (Node.js alone)',
    'node bin/hookd.js --version',
    'node bin/hookd.js emit --socket S',
    'node bin/hookd.js emit -c CONFIG',
    'bin/hookd emit --socket S',
    'bin/hookd emit -c CONFIG',
  ];
  const timings = await withDaemon((socket, config) => {
    const event = ['block', 'height:=812345', 'hash=00ab'];
    return timeAll([
      ['-e', ''],
      [BIN, '--version'],
      [BIN, 'emit', '--socket', socket, ...event],
      [BIN, 'emit', '-c', config, ...event],
      { program: COMMAND, args: ['emit', '--socket', socket, ...event] },
      { program: COMMAND, args: ['emit', '-c', config, ...event] },
    ]);
  });
  const node = typeof timings === 'string' ? undefined : timings[0];
  labels.forEach((label, index) => report(label, typeof timings === 'string' ? timings : (timings[index] as Timing | string), node));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
