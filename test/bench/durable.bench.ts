// Durable queue vs in-memory, in one run: the same events through the built
// hookd (trivial hook, same concurrency) with `state: false` and with a state
// directory, then the queue alone (accept, dispatch, settle; no hook) to show
// what the fsyncs cost once spawning is out of the picture.
// Run by the bench harness, or alone: node --import tsx test/bench/durable.bench.ts
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeEvent } from '../../src/event.ts';
import { createLogger } from '../../src/log/logger.ts';
import { MemoryQueue, type EventQueue } from '../../src/store/queue.ts';
import { DurableQueue } from '../../src/store/durable-queue.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'hookd.js');
// BENCH_EVENTS and BENCH_CONCURRENCY as for dispatch.bench.ts.
const END_TO_END_EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
const QUEUE_EVENTS = 50_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// Events accepted together, as a source does with the lines of one read.
const BATCH = 256;

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-durable-'));
  try {
    const input = Array.from({ length: END_TO_END_EVENTS }, (_, i) => `{"type":"tick","n":${i}}\n`).join('');
    const hook = path.join(dir, 'noop.sh');
    writeFileSync(hook, '#!/bin/sh\nexit 0\n');
    chmodSync(hook, 0o755);
    const memoryE2e = await throughHookd(dir, 'memory', 'false', input);
    const durableE2e = await throughHookd(dir, 'durable', path.join(dir, 'state'), input);
    const durable = (): DurableQueue => new DurableQueue({ dir: mkdtempSync(path.join(dir, 'queue-')), log: createLogger({ level: 'silent' }) });
    // A first pass of each warms the JIT, so that neither pays for it in the measured one.
    await throughQueue(new MemoryQueue(Number.POSITIVE_INFINITY), QUEUE_EVENTS / 5);
    await throughQueue(durable(), QUEUE_EVENTS / 5);
    const memoryQueue = await throughQueue(new MemoryQueue(Number.POSITIVE_INFINITY), QUEUE_EVENTS);
    const durableQueue = await throughQueue(durable(), QUEUE_EVENTS);
    const row = (label: string, memory: number, durable: number): string =>
      `  ${label.padEnd(12)} in-memory ${fmt(memory)} events/s   durable ${fmt(durable)} events/s   durable/in-memory ${(durable / memory).toFixed(2)}`;
    process.stdout.write(`durable queue vs in-memory (one run)\n`);
    process.stdout.write(`${row('end to end', memoryE2e, durableE2e)}   (${END_TO_END_EVENTS} events, trivial hook, concurrency ${CONCURRENCY})\n`);
    process.stdout.write(`${row('queue only', memoryQueue, durableQueue)}   (${QUEUE_EVENTS} events, no hook)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString('en-US').padStart(9);
}

// Events/s of the built hookd from start to exit, on stdin.
async function throughHookd(dir: string, name: string, state: string, input: string): Promise<number> {
  const config = path.join(dir, `${name}.yaml`);
  writeFileSync(config, `state: ${state}\nconcurrency: ${CONCURRENCY}\nhooks:\n  - { name: noop, on: tick, run: ./noop.sh, concurrency: ${CONCURRENCY} }\n`);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '-c', config, '--log-level', 'warn'], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`hookd (${name}) exited ${code}`))));
    child.stdin.end(input);
  });
  return END_TO_END_EVENTS / ((performance.now() - started) / 1000);
}

// Events/s through a queue: accepted in batches, each dispatched to one hook,
// started and settled, as the dispatcher does.
async function throughQueue(queue: EventQueue, count: number): Promise<number> {
  const events = Array.from({ length: count }, (_, i) => {
    const raw = `{"type":"tick","n":${i}}`;
    return makeEvent({ type: 'tick', fields: { type: 'tick', n: i }, raw, source: 'bench', id: `e${i}` });
  });
  const started = performance.now();
  const consumer = (async () => {
    for (let queued = await queue.next(); queued !== null; queued = await queue.next()) {
      queue.journal.dispatched(queued.seq, ['noop']);
      queue.journal.attemptStarted(queued.seq, 'noop', 1);
      queue.journal.settled(queued.seq, 'noop', 'done');
    }
  })();
  for (let i = 0; i < events.length; i += BATCH) await Promise.all(events.slice(i, i + BATCH).map((event) => queue.accept(event)));
  queue.close();
  await consumer;
  await queue.shutdown();
  return count / ((performance.now() - started) / 1000);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await run();
