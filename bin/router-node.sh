#!/bin/sh
# Starts node with the flags production runs the router with. The one place for them: the image's CMD,
# `npm run start:prod` and the bench's router child all start the router through this file, so what is
# measured is what is deployed. Usage: bin/router-node.sh [more node flags] <entry.js> [args]
#
# Why these settings (measured with `npm run bench`, see test/bench/RESULTS.md): the router's live heap is
# about 20-30 MB, but under a burst V8 grows the young generation to 16 MB semi-spaces and lets the old
# generation grow to four times the live heap before a full collection (its factor on a host with many GB),
# so the RSS went from 137 MB idle to 260-290 MB.
#   MALLOC_ARENA_MAX=2         glibc gives each thread that allocates (V8's compiler and GC helpers, libuv's
#                              pool) an arena of its own, up to 8 per core, and rarely hands their pages
#                              back: 14 MB of the peak RSS in a burst. Two arenas, kept if already set.
#   --max-semi-space-size=8    young generation at most 3 x 8 MB: a third less CPU per message in a burst
#                              than 4 MB (twice as many scavenges), within the 150 MB peak with the arenas
#                              capped; 16 MB, V8's own, is what took the RSS to 260 MB
#   --max-old-space-size=256   also makes V8 grow the old generation by a small factor; a live heap
#                              this large would be a leak: the process then exits, the container restarts
#                              and the inbox resumes every message that was not answered
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node --max-semi-space-size=8 --max-old-space-size=256 "$@"
