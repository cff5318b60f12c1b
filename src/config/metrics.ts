// `metrics:` where hookd serves /metrics for Prometheus: an address or a
// socket path, or {listen, public, mode}. Absent (the default): no metrics server.
import type { ListenAddress } from './listen-address.js';
import { LISTEN_KEYS, listenSection, readListen } from './listen-option.js';
import type { ConfigProblems } from './problems.js';

export function readMetrics(raw: unknown, problems: ConfigProblems, baseDir: string): ListenAddress | undefined {
  if (raw === undefined) return undefined;
  const section = listenSection(raw, ['metrics'], problems, LISTEN_KEYS);
  return section && readListen(section, baseDir, 'metrics:');
}
