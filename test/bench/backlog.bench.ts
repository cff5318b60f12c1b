// A backlog of 10^6 events of ~1 KB behind a blocked hook: filled, then read
// back and delivered after a restart. The peak RSS of each phase is the
// figure that matters (docs/operations.md: at most 100 MB).
// BACKLOG_EVENTS=100000 for a quicker run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fillAndDrain } from './backlog-run.ts';

export async function run(): Promise<void> {
  const events = Number(process.env.BACKLOG_EVENTS ?? 1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-backlog-'));
  try {
    const { fill, drain } = await fillAndDrain(dir, events);
    for (const report of [fill, drain]) {
      const perSecond = Math.round((report.events / report.ms) * 1000);
      process.stdout.write(`${report.phase.padEnd(6)} ${String(report.events).padStart(8)} events  ${String(report.ms).padStart(7)} ms  ${String(perSecond).padStart(7)} events/s  peak RSS ${(report.peakRssKiB / 1024).toFixed(1)} MiB\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
