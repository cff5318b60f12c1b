// hookd's logs in plugin mode: each pino JSON line becomes a `log`
// notification to lightningd at the matching level, so that `lightning-cli
// getlog` and lightningd's log file show them (stdout is the protocol's).
import { formatFields } from '../log/logger.js';

// pino's levels as lightningd's plugin log levels.
const LEVELS: Readonly<Record<string, string>> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'error' };

// The params of a log notification for one pino line.
export function logParams(line: string): { level: string; message: string } {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { level: 'info', message: line.trimEnd() };
  }
  const { time: _time, level, msg, ...fields } = entry;
  // An error shows as its message: stack traces stay out of lightningd's log.
  for (const key of ['err', 'error']) {
    const value = fields[key];
    if (typeof value === 'object' && value !== null && 'message' in value) fields[key] = String((value as { message: unknown }).message);
  }
  return {
    level: LEVELS[String(level)] ?? 'info',
    message: `${String(msg ?? '')}${formatFields(fields)}`,
  };
}

// A log target (see log.ts) that sends each line as a notification.
export function logNotifier(send: (message: Record<string, unknown>) => void): { write(line: string): void } {
  return {
    write(line: string): void {
      send({ jsonrpc: '2.0', method: 'log', params: logParams(line) });
    },
  };
}
