#!/bin/sh
# A channel became usable (channel_state_changed to CHANNELD_NORMAL: both the
# funder and the fundee see it; lightningd sends channel_opened to the fundee
# only). Backs up what a restore needs into a folder of this node's own,
# BACKUP_DIR/NODE_ID (default BACKUP_DIR: hookd-backups in the node's folder;
# better on another disk): the static channel backup (`staticbackup`) and a
# copy of emergency.recover, each written aside then renamed, mode 0600.
# Needs rpc_env: true in the hookd config (LIGHTNING_RPC, LIGHTNING_DIR).
set -eu
umask 077

rpc="${LIGHTNING_RPC:?is not set: add rpc_env: true to the hookd config}"
node_dir="${LIGHTNING_DIR:?is not set: add rpc_env: true to the hookd config}"
case "${HOOKD_ID:-}" in
  '' | *[!0-9A-Za-z_-]*) echo "unusable event id for a file name: '${HOOKD_ID:-}'" >&2; exit 1 ;;
esac

# Each lightning-cli on its own line: its failure fails the hook.
info=$(lightning-cli --rpc-file "$rpc" getinfo)
node=$(printf '%s\n' "$info" | sed -n 's/^ *"id": *"\([0-9a-f]\{66\}\)",*$/\1/p')
if [ -z "$node" ]; then
  echo "no node id in lightning-cli getinfo's answer" >&2
  exit 1
fi
dir="${BACKUP_DIR:-$node_dir/hookd-backups}/$node"
mkdir -p "$dir"
name="$(date -u +%Y%m%dT%H%M%SZ)-$HOOKD_ID"

tmp=$(mktemp "$dir/.scb.XXXXXX")
trap 'rm -f "$tmp"' EXIT
lightning-cli --rpc-file "$rpc" staticbackup > "$tmp"
mv "$tmp" "$dir/scb-$name.json"
if [ -f "$node_dir/emergency.recover" ]; then
  tmp=$(mktemp "$dir/.recover.XXXXXX")
  cp "$node_dir/emergency.recover" "$tmp"
  mv "$tmp" "$dir/emergency.recover-$name"
fi
trap - EXIT
echo "backed up after channel ${EVENT_SHORT_CHANNEL_ID:-${EVENT_CHANNEL_ID:-?}} became usable, into $dir" >&2
