#!/bin/sh
# Runs for each new block: EVENT_HASH and EVENT_HEIGHT come from the event.
set -eu
echo "new block ${EVENT_HEIGHT:-?} ${EVENT_HASH}"
