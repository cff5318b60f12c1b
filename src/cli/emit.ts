// `hookd emit`: send one event to the running daemon over its socket; exit 0
// once the daemon has accepted it. bitcoind runs it on every block and wallet
// transaction, so it loads as little as it can (no logger, no watcher; the
// config only when it must find the socket through it). When no daemon
// answers, the event goes into the config's inbox (or --spool DIR), like
// sendmail's maildrop: the daemon takes it at its next start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDuration } from '../config/duration.js';
import { exchange } from './control-client.js';
import { errorText, HookdError } from '../errors.js';
import { parseCommandLine, stringOption, usageError } from './args.js';
import { daemonAddress, SOCKET_OPTIONS } from './daemon-socket.js';
import { buildEmitEvent } from './emit-event.js';
import { EXIT } from '../exit-codes.js';

export const HELP = `NAME
  hookd emit - send one event to the running hookd

SYNOPSIS
  hookd emit [-c PATH | --socket PATH] TYPE [key=value | key:=json ...]
  hookd emit [-c PATH | --socket PATH] [TYPE] --data JSON|- [key=value ...]
  hookd emit --socket PATH --spool DIR TYPE [key=value ...]

DESCRIPTION
  Builds the event {"type": TYPE, key: value, ...}, sends it to the
  daemon's socket, and exits 0 once hookd has accepted it (stored it in its
  queue). key=value sets a string; key:=json sets any JSON value (numbers
  keep every digit); a dotted key (payment.msat=5) makes nested objects.
  --data gives the whole event as a JSON object ("-": read it from stdin);
  TYPE and pairs are then set on top of it.

  The socket: --socket PATH, else the first socket source of the config
  (-c PATH, else $HOOKD_CONFIG, else the config search). With a config,
  TYPE goes to its event.type field; with --socket, to "type".

  When no daemon answers, the event is written into the config's inbox
  source (or --spool DIR) atomically, one line on stderr says it was
  queued, and emit exits 0: hookd takes it at its next start.

OPTIONS
  -c, --config PATH   find the socket (and the type field) in this config
  --socket PATH       the daemon's socket; the fastest, reads no config
  --data JSON         the event as a JSON object, or - for stdin
  --print-id          print the id hookd gave the event
  --timeout DURATION  how long to wait for hookd to accept (default 30s; a bare
                      number is seconds, as in the config)
  --spool DIR         queue into this inbox folder when hookd does not
                      answer (it must exist); default: the config's inbox
  --no-spool          never queue: exit 69 when hookd does not answer

EXIT STATUS
  0 accepted, or queued in the inbox; 1 refused by hookd (the reason is
  printed); 2 bad command line; 69 hookd is not running and the event
  could not be queued; 78 the config has no socket source.

EXAMPLES
  hookd emit -c /etc/hookd/hookd.yaml block hash=00ab height:=812345
  hookd emit --socket /run/hookd/hookd.sock tx txid=ff wallet=main --print-id
  echo '{"type":"deploy"}' | hookd emit --socket /run/hookd/hookd.sock --data -

  In bitcoin.conf:
  blocknotify=hookd emit -c /etc/hookd/hookd.yaml block hash=%s
  walletnotify=hookd emit -c /etc/hookd/hookd.yaml tx txid=%s wallet=%w
`;

const OPTIONS = {
  ...SOCKET_OPTIONS,
  data: { type: 'string' },
  'print-id': { type: 'boolean' },
  timeout: { type: 'string' },
  spool: { type: 'string' },
  'no-spool': { type: 'boolean' },
} as const;

const DEFAULT_TIMEOUT_MS = 30_000;

export async function command(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('emit', argv, OPTIONS, true);
  const dataOption = stringOption(parsed, 'data');
  // TYPE is the first word unless it is a pair (with --data, TYPE is optional).
  const [first, ...rest] = parsed.positionals;
  const type = first !== undefined && !first.includes('=') ? first : undefined;
  const pairs = type === undefined ? parsed.positionals : rest;
  if (type === undefined && dataOption === undefined) throw usageError('emit', 'missing the event TYPE (or --data JSON)');
  const timeoutText = stringOption(parsed, 'timeout');
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs <= 0) throw usageError('emit', `--timeout must be a duration such as 30s, 500ms or 20 (seconds), got "${timeoutText}"`);
  const data = dataOption === '-' ? readFileSync(0, 'utf8') : dataOption;
  const address = await daemonAddress('emit', parsed);
  const line = buildEmitEvent({ type, data, pairs, typePath: address.typePath });
  const noSpool = parsed.values['no-spool'] === true;
  if (noSpool && stringOption(parsed, 'spool') !== undefined) throw usageError('emit', 'give --spool or --no-spool, not both');
  const spool = noSpool ? undefined : (stringOption(parsed, 'spool') ?? address.inbox);
  let reply: Record<string, unknown> | undefined;
  try {
    [reply] = await exchange(address.socket, [line], timeoutMs);
  } catch (error) {
    if (!(error instanceof HookdError && error.code === 'E_NOT_RUNNING') || spool === undefined) throw error;
    return queueInInbox(spool, line, error);
  }
  if (reply?.ok !== true) throw new HookdError('E_EVENT', `hookd refused the event: ${String(reply?.error ?? 'no reason given')}`);
  if (parsed.values['print-id'] === true) process.stdout.write(`${String(reply.id)}\n`);
  return EXIT.OK;
}

// hookd did not answer: the event goes into the inbox for its next start.
async function queueInInbox(dir: string, line: string, notRunning: HookdError): Promise<number> {
  const { dropIntoInbox, InboxMissingError } = await import('../sources/inbox-drop.js');
  try {
    await dropIntoInbox(path.resolve(dir), line);
  } catch (error) {
    const reason = error instanceof InboxMissingError ? error.message : `cannot write into the inbox ${dir}: ${errorText(error)}`;
    throw new HookdError('E_NOT_RUNNING', `${notRunning.message}, and the event was not queued: ${reason}`);
  }
  process.stderr.write(`hookd emit: ${notRunning.message}; the event was queued in ${path.resolve(dir)} for its next start\n`);
  return EXIT.OK;
}
