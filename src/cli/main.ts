// Entry of the CLI: picks the command and loads only its module, so that
// `hookd emit` (run by bitcoind on every block) starts fast.
import { readFileSync } from 'node:fs';
import { EXIT } from '../exit-codes.js';
import { exitQuietlyOnClosedStdout, runCommandModule, type CommandModule } from './command-entry.js';
import { reportError } from './report.js';

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import('./run.js'),
  test: () => import('./test.js'),
  validate: () => import('./validate.js'),
  emit: () => import('./emit.js'),
  status: () => import('./status.js'),
  dead: () => import('./dead.js'),
  'cln-plugin': () => import('./cln-plugin.js'),
};

export const OVERVIEW = `NAME
  hookd - run your own scripts on JSON events

SYNOPSIS
  hookd [run] [-c PATH] [--log-level LEVEL] [--log-format json|pretty|journal]
  hookd test [-c PATH] [--dry-run] [--json] [EVENT_FILE | -]
  hookd validate [-c PATH]
  hookd emit [-c PATH | --socket PATH] TYPE [key=value | key:=json ...]
  hookd status [-c PATH | --socket PATH] [--json]
  hookd dead list | show ID... | replay ID... | --all | purge ID... | --all
  hookd cln-plugin
  hookd COMMAND --help | hookd --version

DESCRIPTION
  hookd reads JSON events (stdin, a followed file, a unix socket fed by
  hookd emit, an inbox folder, or Core Lightning as a plugin) and starts
  every script whose hook matches, with the event on stdin and its fields as
  EVENT_* variables. No shell ever sees event data.

COMMANDS
  run          the daemon (the default command)
  test         show which hooks an event reaches and what they get; run them
  validate     check the config
  emit         send one event to the running daemon
  status       ask the running daemon how it is doing
  dead         list, show, replay or purge dead letters
  cln-plugin   Core Lightning plugin mode (automatic under lightningd)

CONFIG
  -c PATH, else $HOOKD_CONFIG, else the first hookd.config.{yaml,yml,json,js,
  mjs,cjs}, .hookdrc* or package.json#hookd in the working folder or above.

EXIT STATUS
  0 success; 1 a hook or the command failed; 2 bad command line; 69 no daemon
  running; 75 state directory or socket in use; 78 config missing or invalid;
  130 a second SIGINT. hookd COMMAND --help says which a command uses.

EXAMPLES
  hookd -c hooks.example/hookd.yaml < hooks.example/events.jsonl
  hookd test --dry-run -c hooks.example/hookd.yaml hooks.example/events.jsonl
  hookd validate -c /etc/hookd/hookd.yaml
`;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedStdout();
  try {
    const [first] = argv;
    // lightningd starts plugins with LIGHTNINGD_PLUGIN=1 and no arguments,
    // or arguments of its own (--developer, ...) that must never stop hookd.
    if (process.env.LIGHTNINGD_PLUGIN === '1' && isPluginStart(first)) return await runCommand('cln-plugin', argv);
    if (first === '--version' || first === '-V' || first === 'version') {
      process.stdout.write(`hookd ${version()}\n`);
      return EXIT.OK;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = argv[1];
      if (topic !== undefined && topic in COMMANDS) return await runCommand(topic, ['--help']);
      process.stdout.write(OVERVIEW);
      return EXIT.OK;
    }
    if (first !== undefined && !first.startsWith('-')) {
      if (!(first in COMMANDS)) {
        process.stderr.write(`hookd: unknown command "${first}" (see hookd --help)\n`);
        return EXIT.USAGE;
      }
      return await runCommand(first, argv.slice(1));
    }
    return await runCommand('run', argv);
  } catch (error) {
    return reportError(error);
  }
}

// No command named: lightningd's own arguments, if any, follow.
function isPluginStart(first: string | undefined): boolean {
  return first === undefined || (first.startsWith('-') && !['--help', '-h', '--version', '-V'].includes(first));
}

async function runCommand(name: string, argv: string[]): Promise<number> {
  return runCommandModule(await (COMMANDS[name] as () => Promise<CommandModule>)(), argv);
}
