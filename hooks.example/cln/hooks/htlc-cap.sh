#!/bin/sh
# Decision hook for htlc_accepted: fail every HTLC above MAX_MSAT (default
# 1000000000 msat = 0.01 BTC), let the others through. Prints the reply on
# stdout; no output with exit 0 means {"result":"continue"}.
set -eu
max="${MAX_MSAT:-1000000000}"
amount="${EVENT_HTLC_AMOUNT_MSAT:-0}"
if [ "$amount" -gt "$max" ]; then
  echo "failing HTLC of $amount msat (over $max)" >&2
  # 0x2002: temporary_node_failure
  echo '{"result":"fail","failure_message":"2002"}'
fi
