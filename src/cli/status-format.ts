// The human form of `hookd status`: a summary, then a table of sources and
// a table of hooks.
import type { DaemonStatus, SourceStatus } from '../daemon/daemon-status.js';

export function formatStatus(status: DaemonStatus): string {
  const queue = status.queue;
  // A daemon from before the count does not send it.
  const unmatched = queue.unmatched ?? 0;
  const lines = [
    `hookd is running: pid ${status.pid}, up ${formatUptime(status.uptimeMs)} (since ${status.startedAt})`,
    `config  ${status.config}`,
    `state   ${status.state === false ? 'none (memory only)' : status.state}`,
    `queue   ${queue.events} event${queue.events === 1 ? '' : 's'} waiting, ${queue.deliveries} deliver${queue.deliveries === 1 ? 'y' : 'ies'} in progress, ${status.running} hook${status.running === 1 ? '' : 's'} running, ${unmatched} event${unmatched === 1 ? '' : 's'} matched no hook`,
    '',
    ...table([['SOURCE', 'WHERE', 'DETAILS'], ...status.sources.map(sourceRow)]),
    '',
    ...table([
      ['HOOK', 'RUNS', 'OK', 'FAILED', 'TIMEOUTS', 'RUNNING', 'LAST EXIT', 'LAST DURATION', 'LAST ERROR'],
      ...status.hooks.map((hook) => [
        hook.inConfig ? hook.name : `${hook.name} (removed)`,
        String(hook.runs),
        String(hook.successes),
        String(hook.failures),
        String(hook.timeouts),
        String(hook.running),
        hook.lastExit ?? '-',
        hook.lastDurationMs === null ? '-' : `${hook.lastDurationMs}ms`,
        hook.lastError ?? '-',
      ]),
    ]),
  ];
  if (status.hooks.length === 0) lines.push('(no hooks)');
  return `${lines.join('\n')}\n`;
}

function sourceRow(source: SourceStatus): string[] {
  const { key: _key, kind, path, dir, url, ...details } = source;
  const where = [path, dir, url].find((place) => typeof place === 'string') ?? '-';
  const text = Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return [kind, where, text];
}

// Columns padded to their widest cell; the last one is not padded.
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

// "3d 4h", "2h 3m", "5m 10s", "42s"
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const units: [number, string][] = [[86_400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, unit] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (parts.length === 0 && size === 1)) parts.push(`${count}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
