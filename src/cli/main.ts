// Entry of the CLI: picks the command and loads only its module, so that
// `hookd emit` (run by bitcoind on every block) starts fast.
import { readFileSync } from 'node:fs';
import { EXIT } from './exit-codes.js';
import { reportError } from './report.js';

type CommandModule = { command(argv: string[]): Promise<number>; HELP: string };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import('./run.js'),
  test: () => import('./test.js'),
  validate: () => import('./validate.js'),
  emit: () => import('./emit.js'),
  status: () => import('./status.js'),
  dead: () => import('./dead.js'),
  'cln-plugin': () => import('./cln-plugin.js'),
};

export const OVERVIEW = `hookd - run your own scripts on JSON events

Usage:
  hookd [run] [-c PATH] [--log-level L] [--log-format F]   the daemon
  hookd test [-c PATH] [--dry-run] [--json] [EVENT_FILE | -]
  hookd validate [-c PATH]
  hookd emit [-c PATH | --socket PATH] TYPE [key=value | key:=json ...]
  hookd status [-c PATH | --socket PATH] [--json]
  hookd dead list | show ID | replay ID... | purge ID...
  hookd cln-plugin                                       Core Lightning plugin mode
  hookd COMMAND --help                                   help of one command
  hookd --version

The config is -c PATH, else $HOOKD_CONFIG, else hookd.config.yaml (or .hookdrc*,
package.json#hookd) in the working folder or above.

Example:
  hookd -c hooks.example/hookd.yaml < hooks.example/events.jsonl
`;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  // `hookd test | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.OK);
  });
  try {
    const [first] = argv;
    // lightningd starts plugins with no arguments and LIGHTNINGD_PLUGIN=1.
    if (first === undefined && process.env.LIGHTNINGD_PLUGIN === '1') return await runCommand('cln-plugin', []);
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

async function runCommand(name: string, argv: string[]): Promise<number> {
  const module = await (COMMANDS[name] as () => Promise<CommandModule>)();
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(module.HELP);
    return EXIT.OK;
  }
  return module.command(argv);
}
