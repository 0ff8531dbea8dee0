#!/usr/bin/env bash
# Waits (bounded) until the router compose runs now answers GET /ready with 200, then prints its /status
# digest. Needs nothing on the host but the compose engine: the check runs `node` inside the container.
#   docker compose up -d && deploy/ready.sh          # at most 120 s
#   deploy/ready.sh 30 sha256:<digest>              # also require that digest on /status
# Exit codes: 0 ready, 1 not ready in time (the last answer is printed).
set -euo pipefail
# shellcheck source=deploy/compose-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/compose-lib.sh"
READY_INTERVAL=${ROUTER_READY_INTERVAL:-2}
if wait_verified "${1:-${ROUTER_READY_TIMEOUT:-120}}" "${2:-}"; then
  echo "ready: ${LAST_PROBE% *} (GET /ready 200)"
  exit 0
fi
echo "NOT ready${2:+ as $2}: ${LAST_PROBE} (check: docker compose logs ${SERVICE})" >&2
exit 1
