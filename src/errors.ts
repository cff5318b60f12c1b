// Errors a user sees: a stable code and one line of text. Stack traces are for
// debug logs only, never for the terminal.

export type ErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_CONFIG_NOT_FOUND'
  | 'E_CONFIG_PERM'
  | 'E_SCRIPT_MISSING'
  | 'E_SCRIPT_PERM'
  | 'E_EVENT'
  | 'E_NOT_RUNNING'
  | 'E_SOCKET_IN_USE'
  | 'E_STATE_LOCKED'
  | 'E_STATE'
  // NATS at start or reload: a missing stream, refused credentials, no JetStream.
  | 'E_NATS'
  | 'E_INTERNAL';

export class HookdError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    // Further lines (one per problem) for errors that gather several.
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'HookdError';
  }
}

// The text of any thrown value, without a stack.
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
