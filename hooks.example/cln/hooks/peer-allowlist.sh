#!/bin/sh
# Decision hook for peer_connected: disconnect incoming peers whose node id is
# not in $ALLOWLIST (default: peers.allow next to this script; one node id a
# line, "#" starts a comment). Connections we open ourselves are let through.
# A missing or unreadable list fails the script (hookd then answers the
# hook's fallback): an empty list is written as a file with no ids in it.
set -eu
list="${ALLOWLIST:-$(dirname "$0")/peers.allow}"
if [ "${EVENT_DIRECTION:-}" != in ]; then exit 0; fi
if [ ! -r "$list" ]; then
  echo "cannot read the allow-list $list" >&2
  exit 1
fi
ids=$(sed 's/#.*//; s/[[:space:]]//g' "$list")
if printf '%s\n' "$ids" | grep -qxF "${EVENT_ID:?no peer id in the request}"; then exit 0; fi
echo "disconnecting $EVENT_ID: not on the allow-list" >&2
echo '{"result":"disconnect","error_message":"not on the allow-list"}'
