#!/bin/sh
# Runs for paid invoices: $1 is the label, $2 the amount (from `args`); the
# same values are in EVENT_LABEL and EVENT_MSAT.
set -eu
label=$1
msat=$2
echo "invoice $label paid: $msat msat (preimage ${EVENT_PREIMAGE:-unknown})"
