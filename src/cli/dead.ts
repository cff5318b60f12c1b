// `hookd dead`: list, show, replay and purge dead letters (deliveries that
// failed their last retry), kept as files under the state directory.
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { HookdConfig } from '../config/types.js';
import { exchange } from './control-client.js';
import { CONTROL_KEY } from '../sources/control-line.js';
import { HookdError } from '../errors.js';
import { createLogger, defaultLogFormat } from '../log/logger.js';
import { redactSecrets, rememberSecrets } from '../log/redact.js';
import { DiskDeadLetters, type StoredDeadLetter } from '../store/disk-dead-letters.js';
import { StateLockedError } from '../store/lock.js';
import { storedEvent } from '../store/records.js';
import { replayHere } from '../daemon/replay.js';
import type { ReplayReport, ReplaySelection } from '../store/dead-selection.js';
import { DEAD_DIR } from '../store/state-layout.js';
import { CONFIG_OPTION, parseCommandLine, stringOption, usageError, type OptionSpec, type Parsed } from './args.js';
import { EXIT } from '../exit-codes.js';
import { printLetter, printLetterTable, summary } from './dead-format.js';

export const HELP = `NAME
  hookd dead - dead letters: deliveries that failed their last retry

SYNOPSIS
  hookd dead list    [-c PATH] [--json]
  hookd dead show    [-c PATH] [--json] ID...
  hookd dead replay  [-c PATH] ID... | --all
  hookd dead purge   [-c PATH] ID... | --all

DESCRIPTION
  A delivery (one event to one hook) that still fails after its hook's
  retries becomes a dead letter: a JSON file under the state directory
  (dead/DAY/HOUR/ID.json) holding the event exactly as received, the hook,
  each attempt's exit code or signal, start time, duration and last stderr
  lines, and the time of death.

  list     one line per dead letter, oldest first (--json: an array)
  show     everything about the given dead letters (--json: the event's
           exact text in event.raw)
  replay   queue each event again, for its own hook only, with HOOKD_ID
           unchanged and HOOKD_ATTEMPT from 1. When hookd runs with a
           socket source, the events go into its queue; when no hookd runs,
           the hooks run here and now (with their retries) and replay waits
           for them. A replayed dead letter is removed; one that fails again
           becomes a new dead letter. Letters whose hook is no longer in the
           config are kept.
  purge    delete the given dead letters for good

OPTIONS
  -c, --config PATH   the config file (default: $HOOKD_CONFIG, else the search)
  --all               every dead letter (replay, purge)
  --json              machine-readable output (list, show)

EXIT STATUS
  0 success; 1 a replayed hook failed again, or an id is unknown; 2 bad
  command line; 75 the state directory is locked by a hookd that has no
  socket to ask; 78 the config is missing or invalid.

EXAMPLES
  hookd dead list -c /etc/hookd/hookd.yaml
  hookd dead show 20250601-131502-K3X9QZ
  hookd dead replay 20250601-131502-K3X9QZ 20250601-131644-Q2M7TA
  hookd dead replay --all
  hookd dead purge --all
`;

const SUBCOMMANDS = ['list', 'show', 'replay', 'purge'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const OPTIONS: Record<Subcommand, OptionSpec> = {
  list: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  show: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  replay: { ...CONFIG_OPTION, all: { type: 'boolean' } },
  purge: { ...CONFIG_OPTION, all: { type: 'boolean' } },
};

// How long a replay into the daemon may take to answer (it queues every letter first).
const REPLAY_ANSWER_MS = 10 * 60_000;

export async function command(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) throw usageError('dead', 'expected a subcommand: list, show, replay or purge');
  if (!(SUBCOMMANDS as readonly string[]).includes(name)) throw usageError('dead', `unknown subcommand "${name}"; expected list, show, replay or purge`);
  const subcommand = name as Subcommand;
  const parsed = parseCommandLine(`dead ${subcommand}`, rest, OPTIONS[subcommand], subcommand !== 'list');
  if (subcommand === 'show' && parsed.positionals.length === 0) throw usageError('dead show', 'give the ids of the dead letters (see hookd dead list)');
  const selection = subcommand === 'replay' || subcommand === 'purge' ? selectionOf(subcommand, parsed) : undefined;
  const config = await loadConfig({ path: stringOption(parsed, 'config') });
  // The hooks' secrets are known from the config; those of hookd's environment too.
  rememberSecrets(process.env);
  const stateDir = stateDirOf(config);
  const dead = new DiskDeadLetters(path.join(stateDir, DEAD_DIR));
  switch (subcommand) {
    case 'list':
      return list(dead, parsed);
    case 'show':
      return show(dead, parsed);
    case 'replay':
      return replay(config, stateDir, selection as ReplaySelection);
    case 'purge':
      return purge(dead, selection as ReplaySelection);
  }
}

function stateDirOf(config: HookdConfig): string {
  if (config.state === false) {
    throw new HookdError('E_STATE', `${config.file}: state: false keeps no dead letters (they are only logged); set state: to a folder to keep them`);
  }
  return config.state;
}

function selectionOf(subcommand: string, parsed: Parsed): ReplaySelection {
  const all = parsed.values.all === true;
  if (all && parsed.positionals.length > 0) throw usageError(`dead ${subcommand}`, 'give dead letter ids or --all, not both');
  if (all) return { all: true };
  if (parsed.positionals.length === 0) throw usageError(`dead ${subcommand}`, 'give the ids of the dead letters (see hookd dead list), or --all');
  return { ids: parsed.positionals };
}

// Secrets masked as in the logs (an event or a stderr line may hold one).
const print = (line: string): void => void process.stdout.write(`${redactSecrets(line)}\n`);
const warn = (line: string): void => void process.stderr.write(`hookd: ${line}\n`);

function list(dead: DiskDeadLetters, parsed: Parsed): number {
  const letters = [...dead.list((file, problem) => warn(`${file}: skipped: ${problem}`))];
  if (parsed.values.json === true) print(JSON.stringify(letters.map(summary), null, 2));
  else if (letters.length === 0) print(`no dead letters (in ${dead.dir})`);
  else {
    printLetterTable(letters, print);
    print(`${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${dead.dir}`);
  }
  return EXIT.OK;
}

function show(dead: DiskDeadLetters, parsed: Parsed): number {
  const found: StoredDeadLetter[] = [];
  let missing = 0;
  for (const id of parsed.positionals) {
    const letter = dead.find(id);
    if (letter === undefined) {
      warn(`no dead letter ${id} in ${dead.dir}`);
      missing++;
    } else found.push(letter);
  }
  // The event as stored: its exact text, not fields re-serialised (numbers would lose digits).
  if (parsed.values.json === true) print(JSON.stringify(found.map((letter) => ({ ...summary(letter), event: storedEvent(letter.event), attempts: letter.attempts })), null, 2));
  else found.forEach((letter, index) => printLetter(letter, print, index > 0));
  return missing > 0 ? EXIT.FAILURE : EXIT.OK;
}

function purge(dead: DiskDeadLetters, selection: ReplaySelection): number {
  const ids = 'all' in selection ? [...dead.ids()] : selection.ids;
  let purged = 0;
  let missing = 0;
  for (const id of ids) {
    if (dead.remove(id)) purged++;
    else {
      warn(`no dead letter ${id} in ${dead.dir}`);
      missing++;
    }
  }
  print(`purged ${purged} dead letter${purged === 1 ? '' : 's'}`);
  return missing > 0 ? EXIT.FAILURE : EXIT.OK;
}

// Through the running daemon's socket when there is one, else here.
async function replay(config: HookdConfig, stateDir: string, selection: ReplaySelection): Promise<number> {
  const request = JSON.stringify({ [CONTROL_KEY]: 'replay', ...selection });
  for (const source of config.sources) {
    if (source.kind !== 'socket') continue;
    let reply;
    try {
      [reply] = await exchange(source.path, [request], REPLAY_ANSWER_MS);
    } catch (error) {
      if (error instanceof HookdError && error.code === 'E_NOT_RUNNING') continue;
      throw error;
    }
    if (reply?.ok !== true) throw new HookdError('E_STATE', `hookd at ${source.path} refused the replay: ${String(reply?.error ?? 'no answer')}`);
    return printReplay(reply as unknown as ReplayReport, 'queued in the running hookd');
  }
  const log = createLogger({ target: 2, format: defaultLogFormat(2) });
  let report: ReplayReport;
  try {
    report = await replayHere(config, stateDir, selection, log);
  } catch (error) {
    if (error instanceof StateLockedError) {
      throw new HookdError('E_STATE_LOCKED', `hookd (pid ${error.pid}) runs on ${error.dir} with no socket source to replay through: add one (sources: [{socket: PATH}]) or stop it`);
    }
    throw error;
  }
  return printReplay(report, 'ran with success');
}

function printReplay(report: ReplayReport, how: string): number {
  for (const id of report.replayed ?? []) print(`${id}: ${how}`);
  for (const [id, again] of Object.entries(report.failedAgain ?? {})) print(`${id}: failed again; now dead letter ${again}`);
  for (const id of report.skipped ?? []) warn(`${id}: kept: its hook is no longer in the config`);
  for (const id of report.missing ?? []) warn(`no dead letter ${id}`);
  const total = (report.replayed?.length ?? 0) + Object.keys(report.failedAgain ?? {}).length;
  if (total === 0 && (report.skipped?.length ?? 0) === 0 && (report.missing?.length ?? 0) === 0) print('no dead letters to replay');
  const bad = Object.keys(report.failedAgain ?? {}).length + (report.skipped?.length ?? 0) + (report.missing?.length ?? 0);
  return bad > 0 ? EXIT.FAILURE : EXIT.OK;
}
