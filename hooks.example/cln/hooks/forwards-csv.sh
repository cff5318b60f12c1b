#!/bin/sh
# forward_event: one CSV line per forward update (offered, settled, failed,
# local_failed) in $CSV_FILE (default: hookd-forwards.csv in the node's
# folder, hookd's working folder under lightningd). Each line is appended
# with one write; keep the hook's concurrency at 1 (the default) so that the
# header is written once and lines keep their order.
set -eu
csv="${CSV_FILE:-hookd-forwards.csv}"
if [ ! -s "$csv" ]; then
  echo "received_at,status,in_channel,out_channel,in_msat,out_msat,fee_msat,payment_hash,failreason" > "$csv"
fi
# Quote the free-text field; the others are numbers, hex and channel ids.
reason=$(printf '%s' "${EVENT_FAILREASON:-}" | sed 's/"/""/g')
line=$(printf '%s,%s,%s,%s,%s,%s,%s,%s,"%s"' \
  "${EVENT_RECEIVED_TIME:-}" "${EVENT_STATUS:-}" "${EVENT_IN_CHANNEL:-}" "${EVENT_OUT_CHANNEL:-}" \
  "${EVENT_IN_MSAT:-}" "${EVENT_OUT_MSAT:-}" "${EVENT_FEE_MSAT:-}" "${EVENT_PAYMENT_HASH:-}" "$reason")
printf '%s\n' "$line" >> "$csv"
