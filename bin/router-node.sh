#!/bin/sh
# Starts node with the flags production runs the router with. The one place for them: the image's CMD,
# `npm run start:prod` and the bench's router child all start the router through this file, so what is
# measured is what is deployed. Usage: bin/router-node.sh [more node flags] <entry.js> [args]
#
# Why these flags (measured with `npm run bench`, see test/bench/RESULTS.md): the router's live heap is
# about 20-30 MB, but under a burst V8 grows the young generation to 16 MB semi-spaces and lets the old
# generation grow to four times the live heap before a full collection (its factor on a host with many GB),
# so the RSS went from 137 MB idle to 260-290 MB.
#   --max-semi-space-size=4    young generation at most 3 x 4 MB: the peak stays under 150 MB; 8 MB costs a
#                              third less CPU per message but peaked at 145-154 MB on a quiet host
#   --max-old-space-size=256   also makes V8 grow the old generation by a small factor; a live heap
#                              this large would be a leak: the process then exits, the container restarts
#                              and the inbox resumes every message that was not answered
exec node --max-semi-space-size=4 --max-old-space-size=256 "$@"
