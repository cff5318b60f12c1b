#!/bin/sh
# channel_opened: back up what a restore needs, into $BACKUP_DIR (default:
# backups/ next to this script): the static channel backup from lightningd
# (needs rpc_env: true, for LIGHTNING_RPC) and a copy of emergency.recover.
set -eu
dir="${BACKUP_DIR:-$(dirname "$0")/backups}"
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ -n "${LIGHTNING_RPC:-}" ] && command -v lightning-cli >/dev/null 2>&1; then
  lightning-cli --rpc-file "$LIGHTNING_RPC" staticbackup > "$dir/scb-$stamp.json"
fi
if [ -n "${LIGHTNING_DIR:-}" ] && [ -f "$LIGHTNING_DIR/emergency.recover" ]; then
  cp "$LIGHTNING_DIR/emergency.recover" "$dir/emergency.recover-$stamp"
fi
echo "backed up after channel ${EVENT_FUNDING_TXID:-?} with ${EVENT_ID:-?}" >&2
