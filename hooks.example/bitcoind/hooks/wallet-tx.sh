#!/bin/sh
# walletnotify: a wallet transaction appeared or changed (EVENT_TXID in
# EVENT_WALLET). Saves bitcoind's view of it as TX_DIR/TXID.HOOKD_ID.json:
# one file per notification (a transaction is notified again when it
# confirms, and runs may overlap), written aside and renamed into place, so
# a reader never sees half a file. File names sort in arrival order.
#
# bitcoin-cli needs bitcoind's RPC cookie (see new-block.sh); TX_DIR must be
# writable under hookd's unit (ReadWritePaths=, see docs/bitcoind.md).
set -eu

dir="${TX_DIR:?set TX_DIR, the folder for the transaction files}"
case "${EVENT_TXID:-}" in
  '' | *[!0-9a-f]*) echo "not a txid: '${EVENT_TXID:-}'" >&2; exit 1 ;;
esac
case "${HOOKD_ID:-}" in
  '' | *[!0-9A-Za-z_-]*) echo "unusable event id for a file name: '${HOOKD_ID:-}'" >&2; exit 1 ;;
esac

mkdir -p "$dir"
tmp=$(mktemp "$dir/.$EVENT_TXID.XXXXXX")
trap 'rm -f "$tmp"' EXIT
bitcoin-cli -datadir="${BITCOIN_DATADIR:-/var/lib/bitcoind}" -rpcwallet="${EVENT_WALLET:-}" gettransaction "$EVENT_TXID" > "$tmp"
chmod 0640 "$tmp"
mv "$tmp" "$dir/$EVENT_TXID.$HOOKD_ID.json"
trap - EXIT
echo "saved $EVENT_TXID (wallet ${EVENT_WALLET:-}) as $dir/$EVENT_TXID.$HOOKD_ID.json"
