// What every way into a command does around it, whether through the whole
// CLI (main.ts) or the installed command's bundled `hookd emit`
// (emit-main.ts): `--help` prints the command's HELP, a stdout closed early
// (`hookd test | head`) is not an error, and a failure becomes one line on
// stderr and an exit code.
import { EXIT } from '../exit-codes.js';
import { reportError } from './report.js';

export type CommandModule = { command(argv: string[]): Promise<number>; HELP: string };

export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.OK);
  });
}

export async function runCommandModule(module: CommandModule, argv: string[]): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(module.HELP);
      return EXIT.OK;
    }
    return await module.command(argv);
  } catch (error) {
    return reportError(error);
  }
}
