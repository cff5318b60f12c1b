#!/bin/sh
# invoice_payment: tell someone an invoice was paid.
# With NOTIFY_URL set, POSTs a short text there (a chat webhook, ntfy.sh, ...);
# without it, the line goes to stderr, which hookd puts in lightningd's log.
# Event data reaches curl as arguments, never through a shell.
set -eu
sats=$((EVENT_MSAT / 1000))
text="Invoice ${EVENT_LABEL} paid: ${sats} sat"
if [ -n "${NOTIFY_URL:-}" ]; then
  exec curl -fsS --max-time 10 -d "$text" "$NOTIFY_URL"
fi
echo "$text" >&2
