#!/usr/bin/env bash
# routerctl on the Docker host: runs the break-glass CLI in a one-off container of the router image with
# the bot's data folder, config and secrets (docker-compose.yml), so it works while the bot is down or
# hung. The person at the keyboard (not the container's `node` user) is what the audit trail records.
#   deploy/routerctl.sh status
#   deploy/routerctl.sh disable-skill ping --reason "backend flapping"
set -euo pipefail
cd "${ROUTER_DEPLOY_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
who=${SUDO_USER:-${USER:-$(id -un)}}
exec docker compose run --rm --no-deps -T -e SUDO_USER="$who" router node bin/routerctl.mjs "$@"
