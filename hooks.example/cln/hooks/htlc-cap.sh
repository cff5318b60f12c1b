#!/bin/sh
# Decision hook for htlc_accepted: fail every HTLC above MAX_MSAT (default
# 1000000000 msat = 0.01 BTC), let the others through. Prints the reply on
# stdout; no output with exit 0 means {"result":"continue"}. An amount that
# is not a plain number fails the script, so hookd answers the hook's
# fallback (make it `fail` to be closed on errors, see docs/core-lightning.md).
set -eu
max="${MAX_MSAT:-1000000000}"
amount="${EVENT_HTLC_AMOUNT_MSAT:?no htlc.amount_msat in the request}"
case "$amount$max" in
  *[!0-9]*) echo "not a whole number of msat: amount '$amount', MAX_MSAT '$max'" >&2; exit 1 ;;
esac
# Amounts go up to 2^64, past the shell's numbers: compare the lengths, then
# (equal lengths) the digits as text, which orders them as numbers.
if [ "${#amount}" -gt "${#max}" ] || { [ "${#amount}" -eq "${#max}" ] && expr "x$amount" \> "x$max" > /dev/null; }; then
  echo "failing HTLC of $amount msat (over $max)" >&2
  # 0x2002: temporary_node_failure
  echo '{"result":"fail","failure_message":"2002"}'
fi
