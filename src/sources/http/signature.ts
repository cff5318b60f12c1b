// Signed webhooks: the sender puts an HMAC-SHA256 of the raw body, keyed with
// a shared secret, in a header. BTCPay Server and GitHub use the same scheme
// under different header names; `{ header, prefix }` covers the others.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SignatureScheme } from '../../config/http-settings.js';

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const SHA256_HEX = /^[0-9a-f]{64}$/i;

// Whether the request carries a valid signature of `body`. The reason never
// contains the secret or the expected digest.
export function checkSignature(scheme: SignatureScheme, secret: Buffer, headers: IncomingHttpHeaders, body: Buffer): SignatureCheck {
  const value = headers[scheme.header.toLowerCase()];
  if (value === undefined) return { ok: false, reason: `missing ${scheme.header} header` };
  if (Array.isArray(value) || !value.startsWith(scheme.prefix)) {
    return { ok: false, reason: `${scheme.header} is not "${scheme.prefix}<hex digest>"` };
  }
  const hex = value.slice(scheme.prefix.length);
  if (!SHA256_HEX.test(hex)) return { ok: false, reason: `${scheme.header} is not "${scheme.prefix}<hex digest>"` };
  const expected = createHmac('sha256', secret).update(body).digest();
  // Both are 32 bytes here, as timingSafeEqual requires.
  if (!timingSafeEqual(Buffer.from(hex, 'hex'), expected)) return { ok: false, reason: `${scheme.header} does not match the body` };
  return { ok: true };
}

