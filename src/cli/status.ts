// `hookd status`: ask the running daemon how it is doing, over its socket.
import { exchange } from './control-client.js';
import { HookdError } from '../errors.js';
import type { DaemonStatus } from '../daemon/daemon-status.js';
import { parseCommandLine } from './args.js';
import { daemonAddress, SOCKET_OPTIONS } from './daemon-socket.js';
import { EXIT } from '../exit-codes.js';
import { formatStatus } from './status-format.js';

export const HELP = `NAME
  hookd status - how the running hookd is doing

SYNOPSIS
  hookd status [-c PATH | --socket PATH] [--json]

DESCRIPTION
  Asks the running daemon over its socket for its uptime, config, sources
  (with the read position of followed files), queue, running hooks, and per
  hook: runs, successes, failures, timeouts, last exit, last error and last
  duration. A table by default; --json prints the daemon's answer as JSON.

  The socket: --socket PATH, else the first socket source of the config
  (-c PATH, else $HOOKD_CONFIG, else the config search).

OPTIONS
  -c, --config PATH   find the socket in this config
  --socket PATH       the daemon's socket
  --json              machine-readable output

EXIT STATUS
  0 running; 2 bad command line; 69 not running; 78 the config has no
  socket source.

EXAMPLES
  hookd status -c /etc/hookd/hookd.yaml
  hookd status --socket /run/hookd/hookd.sock --json | jq '.hooks[]'
`;

const OPTIONS = { ...SOCKET_OPTIONS, json: { type: 'boolean' } } as const;

export async function command(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('status', argv, OPTIONS, false);
  const { socket } = await daemonAddress('status', parsed);
  const [reply] = await exchange(socket, [JSON.stringify({ $hookd: 'status' })]);
  if (reply?.ok !== true) throw new HookdError('E_INTERNAL', `hookd did not give its status: ${String(reply?.error ?? 'no reason given')}`);
  const { ok: _ok, ...status } = reply;
  process.stdout.write(parsed.values.json === true ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status as unknown as DaemonStatus));
  return EXIT.OK;
}
