// How a command failure reaches the terminal: "hookd: <one line>", then one
// line per problem; the exit code follows from the error's code.
import { errorText, HookdError, type ErrorCode } from '../errors.js';
import { EXIT } from '../exit-codes.js';

const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
  E_USAGE: EXIT.USAGE,
  E_CONFIG: EXIT.CONFIG,
  E_CONFIG_NOT_FOUND: EXIT.CONFIG,
  E_CONFIG_PERM: EXIT.CONFIG,
  E_SCRIPT_MISSING: EXIT.CONFIG,
  E_SCRIPT_PERM: EXIT.CONFIG,
  E_NOT_RUNNING: EXIT.NOT_RUNNING,
  E_SOCKET_IN_USE: EXIT.IN_USE,
  E_STATE_LOCKED: EXIT.IN_USE,
  // A missing stream or refused credentials: a restart would not help.
  E_NATS: EXIT.CONFIG,
};

export function reportError(error: unknown, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): number {
  if (error instanceof HookdError) {
    if (error.details.length === 1 && error.code === 'E_CONFIG') write(`hookd: ${error.details[0]}`);
    else {
      write(`hookd: ${error.message}`);
      for (const line of error.details) write(`  ${line}`);
    }
    return EXIT_BY_CODE[error.code] ?? EXIT.FAILURE;
  }
  write(`hookd: internal error: ${errorText(error)}`);
  if (process.env.HOOKD_DEBUG) write(String((error as Error)?.stack ?? ''));
  return EXIT.FAILURE;
}
