#!/usr/bin/env bash
# routerctl on the container host: runs the break-glass CLI in a one-off container of the router image with
# the bot's data folder, config and secrets (the `routerctl` service of docker-compose.yml, no network), so it
# works while the bot is down or hung. The person at the keyboard (not the container's account) is what the audit trail records.
#   deploy/routerctl.sh status
#   deploy/routerctl.sh disable-skill ping --reason "backend flapping"
set -euo pipefail
# shellcheck source=deploy/compose-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/compose-lib.sh"
who=${SUDO_USER:-${USER:-$(id -un)}}
compose run --rm --no-deps -T -e SUDO_USER="$who" routerctl "$@"
