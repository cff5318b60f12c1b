#!/bin/sh
# blocknotify: a new best block; EVENT_HASH is its hash. Prints its height,
# which hookd logs. bitcoind starts each notify command on its own thread, so
# blocks may arrive out of height order (the `bitcoind` source keeps order).
#
# bitcoin-cli runs as the hook's user: it needs bitcoind's RPC cookie
# (BITCOIN_DATADIR, default /var/lib/bitcoind as in bitcoind's own unit,
# with rpccookieperms=group and the hook user in bitcoind's group).
set -eu

case "${EVENT_HASH:-}" in
  '' | *[!0-9a-f]*) echo "not a block hash: '${EVENT_HASH:-}'" >&2; exit 1 ;;
esac

# Its own command, so that a failing bitcoin-cli fails the hook (piped
# into sed, its failure would be hidden by sed's success).
header=$(bitcoin-cli -datadir="${BITCOIN_DATADIR:-/var/lib/bitcoind}" getblockheader "$EVENT_HASH")
height=$(printf '%s\n' "$header" | sed -n 's/^ *"height": *\([0-9][0-9]*\),*$/\1/p')
if [ -z "$height" ]; then
  echo "no height in bitcoin-cli's answer for block $EVENT_HASH" >&2
  exit 1
fi
echo "block $height $EVENT_HASH"
