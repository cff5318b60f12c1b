// A request's body, never holding more than `maxBytes` of it: a bigger body
// is read to its end and dropped, so that the client (still sending) gets its
// 413 answer rather than a reset connection. The server's request timeout
// bounds how long a client may keep sending.
import type { IncomingMessage } from 'node:http';

export type RequestBody =
  | { readonly kind: 'body'; readonly bytes: Buffer }
  | { readonly kind: 'oversize'; readonly size: number }
  // The client went away before the end of its body.
  | { readonly kind: 'aborted' };

export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size <= maxBytes) parts.push(chunk as Buffer);
      else parts.length = 0;
    }
  } catch {
    return { kind: 'aborted' };
  }
  if (!request.complete) return { kind: 'aborted' };
  if (size > maxBytes) return { kind: 'oversize', size };
  return { kind: 'body', bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) };
}
