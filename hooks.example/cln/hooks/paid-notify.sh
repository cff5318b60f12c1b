#!/bin/sh
# invoice_payment: tell someone an invoice was paid.
# With NOTIFY_URL set, POSTs a short text there (a chat webhook, ntfy.sh, ...)
# and fails when the POST does (hookd retries, see `retries:`); without it, the
# line goes to stderr, which hookd puts in lightningd's log.
# Event data reaches curl as arguments, never through a shell.
set -eu
msat="${EVENT_MSAT:?no msat in the notification}"
case "$msat" in
  *[!0-9]*) echo "not a whole number of msat: '$msat'" >&2; exit 1 ;;
esac
text="Invoice ${EVENT_LABEL:-?} paid: $((msat / 1000)) sat"
if [ -n "${NOTIFY_URL:-}" ]; then
  exec curl -fsS --max-time 10 -d "$text" "$NOTIFY_URL"
fi
echo "$text" >&2
