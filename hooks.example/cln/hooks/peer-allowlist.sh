#!/bin/sh
# Decision hook for peer_connected: disconnect incoming peers whose node id is
# not in $ALLOWLIST (default: peers.allow next to this script; one node id a
# line, "#" starts a comment). Connections we open ourselves are let through.
set -eu
list="${ALLOWLIST:-$(dirname "$0")/peers.allow}"
if [ "${EVENT_DIRECTION:-}" != in ]; then exit 0; fi
if [ -f "$list" ] && sed 's/#.*//; s/[[:space:]]//g' "$list" | grep -qxF "$EVENT_ID"; then exit 0; fi
echo "disconnecting $EVENT_ID: not on the allow-list" >&2
echo '{"result":"disconnect","error_message":"not on the allow-list"}'
