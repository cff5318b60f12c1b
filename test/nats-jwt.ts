// NATS decentralized auth for tests, built by hand: an operator, an account
// with JetStream, and users with their .creds files (user JWT + NKey seed), as
// `nsc` would make them. A NATS JWT is base64url(header).base64url(claims).
// base64url(Ed25519 signature of the first two parts by the issuer's NKey);
// the server trusts the operator, preloads the account, and checks a user's
// JWT against the account that signed it.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { nkeys } from '@nats-io/transport-node';
import { tempDir, writeFile } from './helpers.ts';

type KeyPair = ReturnType<typeof nkeys.createUser>;

const HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' })).toString('base64url');

function encodeJwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const claims = {
    jti: randomBytes(16).toString('hex'),
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    ...extra,
    nats: { ...nats, version: 2 },
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = Buffer.from(issuer.sign(new TextEncoder().encode(`${HEADER}.${body}`))).toString('base64url');
  return `${HEADER}.${body}.${signature}`;
}

// No limit on anything, JetStream included (0 storage would leave it off).
const UNLIMITED = {
  subs: -1, conn: -1, leaf: -1, imports: -1, exports: -1, data: -1, payload: -1, wildcards: true,
  mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1,
};

function userJwt(account: KeyPair, user: KeyPair, name: string, extra: Record<string, unknown> = {}): string {
  return encodeJwt(account, user.getPublicKey(), name, { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 }, extra);
}

// The text of a .creds file, as `nsc` writes it.
function credsText(jwt: string, user: KeyPair): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${new TextDecoder().decode(user.getSeed())}
------END USER NKEY SEED------
`;
}

export interface OperatorMode {
  // nats-server options: its config file with the operator and the account.
  readonly serverArgs: readonly string[];
  // A user of the account.
  readonly creds: string;
  // A user signed by an account the server does not know.
  readonly strangerCreds: string;
  // A user of the account whose JWT expired an hour ago.
  readonly expiredCreds: string;
  // Every secret written: the seeds and the user JWTs.
  readonly secrets: readonly string[];
}

// Keys, JWTs and files in a temp folder removed when the test ends.
export function operatorMode(t: TestContext): OperatorMode {
  const dir = tempDir(t, 'hookd-jwt-');
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  // JetStream needs the server's system account.
  const system = nkeys.createAccount();
  const operatorJwt = encodeJwt(operator, operator.getPublicKey(), 'hookd-test', { type: 'operator', system_account: system.getPublicKey() });
  const accountJwt = (key: KeyPair, name: string, limits: Record<string, unknown>): string =>
    encodeJwt(operator, key.getPublicKey(), name, { type: 'account', limits, default_permissions: { pub: {}, sub: {} } });
  const conf = writeFile(dir, 'server.conf', `operator: ${operatorJwt}
system_account: ${system.getPublicKey()}
resolver: MEMORY
resolver_preload: {
  ${account.getPublicKey()}: ${accountJwt(account, 'HOOKD', UNLIMITED)}
  ${system.getPublicKey()}: ${accountJwt(system, 'SYS', { subs: -1, conn: -1, leaf: -1, imports: -1, exports: -1, data: -1, payload: -1, wildcards: true })}
}
`);
  const secrets: string[] = [];
  const userCreds = (name: string, signer: KeyPair, extra: Record<string, unknown> = {}): string => {
    const user = nkeys.createUser();
    const jwt = userJwt(signer, user, name, extra);
    secrets.push(jwt, new TextDecoder().decode(user.getSeed()));
    return writeFile(dir, `${name}.creds`, credsText(jwt, user), 0o600);
  };
  return {
    serverArgs: ['-c', conf],
    creds: userCreds('worker', account),
    strangerCreds: userCreds('stranger', nkeys.createAccount()),
    expiredCreds: userCreds('expired', account, { exp: Math.floor(Date.now() / 1000) - 3600 }),
    secrets,
  };
}
