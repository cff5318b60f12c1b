// Secrets in a hook's `env` (names containing TOKEN, SECRET, PASSWORD or KEY,
// in any case) never reach a log line or a dry run: they show as ***.
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

export const MASK = '***';

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// A copy of `env` with the values of the given names masked when they look secret.
export function maskSecrets(env: Readonly<Record<string, string>>, names: Iterable<string> = Object.keys(env)): Record<string, string> {
  const masked: Record<string, string> = { ...env };
  for (const name of names) {
    if (isSecretName(name) && name in masked) masked[name] = MASK;
  }
  return masked;
}
