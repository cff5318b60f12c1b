// One phase of the backlog measurement, in a process of its own so that its
// peak RSS is its own: `fill DIR N` stores N events of ~1 KB in the durable
// queue at DIR (nothing dispatched: a blocked hook), `drain DIR` opens it
// again (a restart) and delivers every event to one hook, settling each a
// turn of the event loop later, at most WINDOW at once (as the dispatcher
// does). Prints {"phase","events","ms","peakRssKiB"} as one JSON line.
// Plain JavaScript on the built dist/ (npm run build first): tsx alone would
// add ~40 MB to the figure measured.
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { makeEvent } from '../../dist/event.js';
import { DurableQueue } from '../../dist/store/durable-queue.js';

const WINDOW = 1024;
// Accepts waiting at once while filling: as many clients sending.
const CLIENTS = 64;
const PADDING = 'x'.repeat(1000);

function event(n) {
  const raw = `{"type":"tick","n":${n},"padding":"${PADDING}"}`;
  return makeEvent({ type: 'tick', fields: { type: 'tick', n, padding: PADDING }, raw, source: 'bench', id: `e${n}` });
}

async function fill(dir, count) {
  const queue = new DurableQueue({ dir, log: pino({ level: 'warn' }) });
  // Many accepts share one fsync, as many clients would.
  for (let n = 0; n < count; n += CLIENTS) {
    const batch = [];
    for (let i = n; i < Math.min(count, n + CLIENTS); i++) batch.push(queue.accept(event(i)));
    await Promise.all(batch);
  }
  await queue.shutdown();
  return count;
}

async function drain(dir) {
  const queue = new DurableQueue({ dir, log: pino({ level: 'warn' }) });
  let delivered = 0;
  let inFlight = 0;
  let room;
  while (queue.length > 0) {
    while (inFlight >= WINDOW) await new Promise((resolve) => (room = resolve));
    const queued = await queue.next();
    if (queued === null) break;
    queue.dispatched(queued.seq, ['hook']);
    queue.attemptStarted(queued.seq, 'hook', 1);
    inFlight++;
    setImmediate(() => {
      queue.settled(queued.seq, 'hook', 'done');
      delivered++;
      inFlight--;
      room?.();
      room = undefined;
    });
  }
  while (inFlight > 0) await new Promise((resolve) => (room = resolve));
  await queue.shutdown();
  return delivered;
}

const [phase, dir, count] = process.argv.slice(2);
if ((phase !== 'fill' && phase !== 'drain') || dir === undefined) {
  process.stderr.write('usage: backlog-phase.mjs fill DIR N | drain DIR\n');
  process.exit(2);
}
const started = performance.now();
const events = phase === 'fill' ? await fill(dir, Number(count)) : await drain(dir);
process.stdout.write(`${JSON.stringify({ phase, events, ms: Math.round(performance.now() - started), peakRssKiB: process.resourceUsage().maxRSS })}\n`);
