// hookd's logs: pino JSON lines (what log shippers keep), one human line per
// entry (pretty), or one journald line per entry with its syslog priority
// (journal, the default under systemd). Every line passes through the secret
// redaction first, whoever logged it. Lines are written synchronously, so
// nothing is lost when hookd exits at once.
import { fstatSync, writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { maskSecrets, redactSecrets, rememberSecrets } from './redact.js';

export const LOG_FORMATS = ['json', 'pretty', 'journal'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Where formatted lines go: a file descriptor, or any line consumer (tests,
// Core Lightning's log notifications).
export type LogTarget = number | { write(line: string): void };

export interface LogOptions {
  // Default info.
  readonly level?: LogLevel;
  // Default: journal when the target is systemd's journal stream, pretty on a
  // terminal, else json.
  readonly format?: LogFormat;
  // Default stdout (fd 1).
  readonly target?: LogTarget;
}

// The format when none is asked for.
export function defaultLogFormat(fd = 1, env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (isJournalStream(fd, env.JOURNAL_STREAM)) return 'journal';
  return env.TERM !== 'dumb' && isTerminal(fd) ? 'pretty' : 'json';
}

// systemd sets JOURNAL_STREAM to "device:inode" of the stream it gave the
// service as stdout. A program started from the service with its output
// elsewhere inherits the variable too, so the descriptor itself must match.
export function isJournalStream(fd: number, journalStream: string | undefined): boolean {
  const match = /^(\d+):(\d+)$/.exec(journalStream ?? '');
  if (match === null || fd < 0) return false;
  try {
    const stat = fstatSync(fd, { bigint: true });
    return String(stat.dev) === match[1] && String(stat.ino) === match[2];
  } catch {
    return false;
  }
}

function isTerminal(fd: number): boolean {
  return fd === 1 ? process.stdout.isTTY === true : fd === 2 ? process.stderr.isTTY === true : false;
}

export function createLogger(options: LogOptions = {}): Logger {
  const target = options.target ?? 1;
  const format = options.format ?? defaultLogFormat(typeof target === 'number' ? target : -1);
  const write = typeof target === 'number' ? (line: string) => writeAll(target, line) : (line: string) => target.write(line);
  const formatLine = LINE_FORMATTERS[format];
  // Variables of hookd's own environment reach every hook: their secrets too.
  rememberSecrets(process.env);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: maskEnvField },
    },
    { write: (line: string) => write(formatLine(redactSecrets(line))) },
  );
}

// An `env` object in a log entry shows secret-named variables as ***, even
// short ones that the line redaction does not search for.
function maskEnvField(entry: Record<string, unknown>): Record<string, unknown> {
  const env = entry.env;
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return entry;
  return { ...entry, env: maskSecrets(env as Record<string, string>) };
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

const LINE_FORMATTERS: Record<LogFormat, (line: string) => string> = {
  json: (line) => line,
  pretty: prettyLine,
  journal: journalLine,
};

const LEVEL_TAGS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

// "12:00:01.250 INFO  hook ok hook=paid type=invoice_payment durationMs=12"
function prettyLine(line: string): string {
  const entry = parseEntry(line);
  if (entry === undefined) return line;
  const { time, level, msg, ...fields } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  return `${clock} ${LEVEL_TAGS[String(level)] ?? String(level)} ${oneLine(msg)}${formatFields(fields)}\n`;
}

// syslog priorities, read by journald from a "<N>" at the start of a line:
// journalctl -p warning shows <4> and below.
export const JOURNAL_PRIORITIES: Record<string, number> = { fatal: 3, error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

// "<6>hook ok hook=paid type=invoice_payment durationMs=12": journald adds the
// time and the unit; the priority decides what `journalctl -p` shows.
function journalLine(line: string): string {
  const entry = parseEntry(line);
  if (entry === undefined) return `<6>${oneLine(line.replace(/\n$/, ''))}\n`;
  const { time: _time, level, msg, ...fields } = entry;
  return `<${JOURNAL_PRIORITIES[String(level)] ?? 6}>${oneLine(msg)}${formatFields(fields)}\n`;
}

function parseEntry(line: string): Record<string, unknown> | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    return entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// A message on one line: journald would cut the rest into entries without a priority.
function oneLine(message: unknown): string {
  return String(message ?? '').replace(/\r?\n/g, '\\n');
}

// " key=value key2="with space"": strings as they are unless they need quotes,
// everything else as JSON (one line, whatever it holds).
export function formatFields(fields: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const quoted = typeof value === 'string' && (text === '' || /[\s"=\\]/.test(text));
    out += ` ${key}=${quoted ? JSON.stringify(text) : text}`;
  }
  return out;
}
