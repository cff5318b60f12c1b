#!/bin/sh
# Appends one line per event: time, type, id and the event JSON (from stdin).
set -eu
# LOG_FILE names the file; else LOG_NAME under $TMPDIR.
log=${LOG_FILE:-${TMPDIR:-/tmp}/${LOG_NAME:-hookd-example-events.log}}
json=$(cat)
printf '%s %s %s %s\n' "$HOOKD_TIME" "$HOOKD_TYPE" "$HOOKD_ID" "$json" >> "$log"
echo "logged $HOOKD_TYPE $HOOKD_ID to $log"
