// hookd's dispatch beside what else would run a program per event, as ratios
// to raw Node: the same events (on stdin), the same program (/bin/true), the
// same concurrency. Rows: a raw child_process.spawn loop, a bash `while read`
// loop, hookd spawning in-process, hookd with hookd-spawner, and
// adnanh/webhook (HTTP POST per event, waiting for the command) when it is
// installed. Then the rate of events that match no hook, `hookd emit -c`
// start-up (the installed command) beside `node -e 0`, and hookd's idle and peak memory.
// Each dispatch row is the median of BENCH_ROUNDS rounds taken in turns, so
// that a busy moment of a shared machine weighs on all alike.
//   BENCH_EVENTS (default 2000), BENCH_CONCURRENCY (4), BENCH_ROUNDS (3),
//   BENCH_NONMATCHING (200000), BENCH_PART=nonmatching (only that figure),
//   BENCH_LOAD_EVENTS (20000: the run whose memory is followed)
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, onPath, startupMs, statusMiB, timeChild, waitForPath } from './measure.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'hookd.js');
// The command as installed: emit runs from its bundle, without the JIT.
const COMMAND = path.join(ROOT, 'bin', 'hookd');
const SPAWNER = path.join(ROOT, 'dist', 'native', 'hookd-spawner');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NONMATCHING = Number(process.env.BENCH_NONMATCHING ?? 200_000);
const HOOK = '/bin/true';
const PART = process.env.BENCH_PART;
const LOAD_EVENTS = Number(process.env.BENCH_LOAD_EVENTS ?? 20_000);

type Row = { readonly name: string; readonly measure: () => Promise<number>; readonly skip?: string | undefined };

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-dispatch-'));
  try {
    if (PART === 'nonmatching') return await nonMatching(dir);
    const lines = Array.from({ length: EVENTS }, (_, i) => `{"type":"bench","id":"e${i + 1}","n":${i + 1},"msat":18446744073709551615}`);
    const eventsFile = writeFile(dir, 'events.jsonl', `${lines.join('\n')}\n`);
    const peaks: Record<string, number> = {};
    const hookd = (spawner: string) => async (): Promise<number> => {
      const config = writeFile(dir, `${spawner}.yaml`, `state: false\nspawner: ${spawner}\nconcurrency: ${CONCURRENCY}\nhooks:\n  - { name: noop, on: "*", run: ${HOOK}, concurrency: ${CONCURRENCY} }\n`);
      const timing = await withFile(eventsFile, (fd) => timeChild(BIN, ['-c', config, '--log-level', 'warn'], fd));
      peaks[spawner] = Math.max(peaks[spawner] ?? 0, timing.peakMiB);
      return timing.seconds;
    };
    const webhook = onPath('webhook');
    const rows: Row[] = [
      { name: 'raw child_process.spawn loop', measure: () => rawSpawn(lines) },
      { name: 'bash while read + wait -n', measure: () => shellLoop(eventsFile) },
      { name: 'hookd, spawner: node (in-process)', measure: hookd('node') },
      { name: 'hookd, spawner: helper', measure: hookd('helper'), skip: existsSync(SPAWNER) ? undefined : `no ${path.relative(ROOT, SPAWNER)} (no C compiler at build)` },
      { name: 'adnanh/webhook (HTTP POST per event)', measure: () => webhookLoop(webhook as string, dir, lines), skip: webhook ? undefined : 'not installed (Debian package webhook)' },
    ];
    console.log(`${EVENTS} events, concurrency ${CONCURRENCY}, program ${HOOK}, median of ${ROUNDS} rounds, ${cpus().length} CPUs, Node.js ${process.version}`);
    const seconds = rows.map((): number[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, row] of rows.entries()) if (!row.skip) seconds[index]?.push(await row.measure());
    }
    const raw = median(seconds[0] as number[]);
    console.log(`${'runner'.padEnd(40)}${'events/s'.padStart(10)}${'× raw'.padStart(8)}`);
    for (const [index, row] of rows.entries()) {
      if (row.skip) console.log(`${row.name.padEnd(40)}  skipped: ${row.skip}`);
      else {
        const time = median(seconds[index] as number[]);
        console.log(`${row.name.padEnd(40)}${(EVENTS / time).toFixed(0).padStart(10)}${(raw / time).toFixed(2).padStart(8)}`);
      }
    }
    await nonMatching(dir);
    await daemonFigures(dir, peaks);
    await memoryUnderLoad(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function withFile<T>(file: string, work: (fd: number) => Promise<T>): Promise<T> {
  const fd = openSync(file, 'r');
  try {
    return await work(fd);
  } finally {
    closeSync(fd);
  }
}

// CONCURRENCY workers, each spawning the program for the next event, the event on its stdin.
async function rawSpawn(lines: readonly string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < lines.length) {
      const line = lines[next++] as string;
      const child = spawn(HOOK, [], { stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.on('error', () => {});
      child.stdin.end(`${line}\n`);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0) throw new Error(`${HOOK} exited ${code}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (performance.now() - started) / 1000;
}

// What an operator would write in bash: one background job per line, at most CONCURRENCY at once.
async function shellLoop(eventsFile: string): Promise<number> {
  const script = `running=0
while IFS= read -r line; do
  printf '%s\\n' "$line" | "$HOOK" &
  running=$((running + 1))
  if [ "$running" -ge "$CONCURRENCY" ]; then wait -n; running=$((running - 1)); fi
done < "$EVENTS_FILE"
wait`;
  const env = { PATH: process.env.PATH, HOOK, CONCURRENCY: String(CONCURRENCY), EVENTS_FILE: eventsFile };
  return (await timeChild('bash', ['-c', script], '', env)).seconds;
}

// webhook serving one hook that runs HOOK and answers once it has ended; CONCURRENCY clients.
async function webhookLoop(webhook: string, dir: string, lines: readonly string[]): Promise<number> {
  const hooks = writeFile(dir, 'webhook.json', JSON.stringify([{ id: 'bench', 'execute-command': HOOK, 'include-command-output-in-response': true }]));
  const port = await freePort();
  const server = spawn(webhook, ['-hooks', hooks, '-ip', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/hooks/bench', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await post('{}');
        break;
      } catch (error) {
        if (Date.now() > deadline || server.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < lines.length) {
        const status = await post(lines[next++] as string);
        if (status !== 200) throw new Error(`webhook answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return (performance.now() - started) / 1000;
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// Events that reach no hook, through stdin: hookd beside Node's readline +
// JSON.parse alone. Start-up and exit are taken out: the rate is that of the
// lines a run of LONGER times as many lines has in excess (subtracting an
// empty run left mostly the noise of start-up once the lines took less time
// than start-up varies by).
const LONGER = 5;

async function nonMatching(dir: string): Promise<void> {
  const text = (count: number): string => Array.from({ length: count }, (_, i) => `{"type":"tick","n":${i},"label":"bench"}\n`).join('');
  const short = text(NONMATCHING);
  const long = text(NONMATCHING * LONGER);
  const config = writeFile(dir, 'nonmatching.yaml', `state: false\nhooks:\n  - { name: never, on: never-sent, run: ${HOOK} }\n`);
  const reader = `const rl = require('node:readline').createInterface({ input: process.stdin }); let n = 0; rl.on('line', (line) => { n += JSON.parse(line).n >= 0; });`;
  const rate = async (command: string, args: string[]): Promise<number> => {
    const seconds = async (input: string): Promise<number> => median([await timeChild(command, args, input), await timeChild(command, args, input), await timeChild(command, args, input)].map((t) => t.seconds));
    const shortRun = await seconds(short);
    return ((LONGER - 1) * NONMATCHING) / Math.max((await seconds(long)) - shortRun, 1e-3);
  };
  const hookd = await rate(BIN, ['-c', config, '--log-level', 'warn']);
  const node = await rate(process.execPath, ['-e', reader]);
  console.log(`\nevents matching no hook (${NONMATCHING} and ${LONGER * NONMATCHING} lines through stdin, start-up taken out):`);
  console.log(`  hookd ${(hookd / 1000).toFixed(0)}k/s; Node readline + JSON.parse alone ${(node / 1000).toFixed(0)}k/s (${(hookd / node).toFixed(2)}×)`);
}

// A daemon on a socket: `hookd emit -c` start-up against it, then its memory at rest.
async function daemonFigures(dir: string, peaks: Record<string, number>): Promise<void> {
  console.log('\nstart-up and memory:');
  for (const spawner of ['node', 'helper'] as const) {
    if (spawner === 'helper' && !existsSync(SPAWNER)) continue;
    const socket = path.join(dir, `${spawner}.sock`);
    const config = writeFile(dir, `daemon-${spawner}.yaml`, `state: false\nspawner: ${spawner}\nsources: [{ socket: ${socket} }]\nhooks:\n  - { name: noop, on: "*", run: ${HOOK} }\n`);
    const daemon = spawn(BIN, ['-c', config, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const closed = new Promise<void>((resolve) => daemon.on('close', () => resolve()));
    try {
      await waitForPath(socket, 'the daemon socket', () => daemon.exitCode === null);
      if (spawner === 'node') {
        const node = startupMs(process.execPath, ['-e', '0'], 11);
        const emit = startupMs(COMMAND, ['emit', '-c', config, 'block', 'height:=812345', 'hash=00ab'], 11);
        if (typeof node === 'number' && typeof emit === 'number') {
          console.log(`  hookd emit -c CONFIG (bin/hookd): ${emit.toFixed(1)} ms, node -e 0: ${node.toFixed(1)} ms (${(emit / node).toFixed(2)}×)`);
        } else console.log(`  emit start-up skipped: ${typeof emit === 'string' ? emit : node}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // at rest after start-up
      const children = childPids(daemon.pid as number).map((pid) => statusMiB(pid, 'VmRSS'));
      const helper = spawner === 'helper' ? ` + hookd-spawner ${children.map((mib) => mib.toFixed(1)).join(', ')} MiB` : '';
      console.log(`  spawner: ${spawner.padEnd(6)} idle RSS ${statusMiB(daemon.pid, 'VmRSS').toFixed(0)} MiB${helper}; peak RSS while dispatching ${(peaks[spawner] ?? 0).toFixed(0)} MiB`);
    } finally {
      daemon.kill('SIGTERM');
      await closed;
    }
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();

// hookd's resident memory through a long run (LOAD_EVENTS events on stdin,
// the default spawner): read every 50 ms, shown at tenths of the run, so
// that growth (a leak, a queue that only fills) shows as a rising line.
async function memoryUnderLoad(dir: string): Promise<void> {
  const lines = Array.from({ length: LOAD_EVENTS }, (_, i) => `{"type":"bench","id":"load${i + 1}","n":${i + 1}}`);
  const eventsFile = writeFile(dir, 'load.jsonl', `${lines.join('\n')}\n`);
  const config = writeFile(dir, 'load.yaml', `state: false\nconcurrency: ${CONCURRENCY}\nhooks:\n  - { name: noop, on: "*", run: ${HOOK}, concurrency: ${CONCURRENCY} }\n`);
  const samples: number[] = [];
  const timing = await withFile(eventsFile, (fd) => timeChild(BIN, ['-c', config, '--log-level', 'warn'], fd, undefined, (rssMiB) => samples.push(rssMiB)));
  const tenths = Array.from({ length: 10 }, (_, i) => samples[Math.min(samples.length - 1, Math.floor(((i + 1) * samples.length) / 10) - 1)] ?? 0);
  console.log(`\nmemory under load (${LOAD_EVENTS} events, spawner: auto, ${(LOAD_EVENTS / timing.seconds).toFixed(0)} events/s):`);
  console.log(`  RSS at each tenth of the run, MiB: ${tenths.map((mib) => mib.toFixed(0)).join(' ')}; peak ${timing.peakMiB.toFixed(0)}`);
}
