// hookd's logs: pino JSON lines by default (what journald and log shippers
// keep), or one human line per entry with --log-format pretty. Lines are
// written synchronously, so nothing is lost when hookd exits at once.
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Where formatted lines go: a file descriptor, or any line consumer (tests,
// Core Lightning's log notifications).
export type LogTarget = number | { write(line: string): void };

export interface LogOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  readonly target?: LogTarget;
}

// The format when none is asked for: pretty on a terminal, JSON elsewhere.
export function defaultLogFormat(fd = 1): LogFormat {
  return process.env.TERM !== 'dumb' && isTerminal(fd) ? 'pretty' : 'json';
}

function isTerminal(fd: number): boolean {
  return fd === 1 ? process.stdout.isTTY === true : fd === 2 ? process.stderr.isTTY === true : false;
}

export function createLogger(options: LogOptions = {}): Logger {
  const target = options.target ?? 1;
  const format = options.format ?? defaultLogFormat(typeof target === 'number' ? target : -1);
  const write = typeof target === 'number' ? (line: string) => writeAll(target, line) : (line: string) => target.write(line);
  const formatLine = format === 'pretty' ? prettyLine : (line: string) => line;
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(formatLine(line)) },
  );
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return; // a closed log pipe must not take the daemon down
    }
  }
}

const LEVEL_TAGS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

// "12:00:01.250 INFO  hook ok hook=paid type=invoice_payment durationMs=12"
function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, ...fields } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  return `${clock} ${LEVEL_TAGS[String(level)] ?? String(level)} ${String(msg ?? '')}${formatFields(fields)}\n`;
}

export function formatFields(fields: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    out += ` ${key}=${typeof value === "string" && (/[\s"=]/.test(text) || text === "") ? JSON.stringify(text) : text}`;
  }
  return out;
}
