#!/bin/sh
# forward_event: one CSV line per forward update (offered, settled, failed,
# local_failed) in $CSV_FILE (default: forwards.csv next to this script).
# Keep the hook's concurrency at 1 (the default) so lines never interleave.
set -eu
csv="${CSV_FILE:-$(dirname "$0")/forwards.csv}"
if [ ! -s "$csv" ]; then
  echo "received_at,status,in_channel,out_channel,in_msat,out_msat,fee_msat,payment_hash,failreason" > "$csv"
fi
# Quote the free-text field; the others are numbers, hex and channel ids.
reason=$(printf '%s' "${EVENT_FAILREASON:-}" | sed 's/"/""/g')
printf '%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' \
  "${EVENT_RECEIVED_TIME:-}" "${EVENT_STATUS:-}" "${EVENT_IN_CHANNEL:-}" "${EVENT_OUT_CHANNEL:-}" \
  "${EVENT_IN_MSAT:-}" "${EVENT_OUT_MSAT:-}" "${EVENT_FEE_MSAT:-}" "${EVENT_PAYMENT_HASH:-}" "$reason" >> "$csv"
