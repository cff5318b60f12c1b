// NATS problems a user sees at start or reload: a missing stream, refused
// credentials, an unreadable credentials file. One line, a stable code.
import { HookdError } from '../errors.js';

export function natsError(message: string): HookdError {
  return new HookdError('E_NATS', message);
}
