#!/usr/bin/env bash
# Host-side release reconciler for the DingTalk ops router.
#
# `/rollback release` (or `routerctl rollback release`) writes data/desired-release.json. This script,
# run on the host by systemd (deploy/systemd/), applies it: it pins ROUTER_IMAGE=<repo>@<digest> in the
# compose env file, runs `docker compose pull` and `docker compose up -d`, and waits for /ready. If the
# new release is not ready in time it puts the previous env file back, runs `up -d` again, and remembers
# the digest as failed so the timer does not retry it until a different release is desired.
# The container itself never needs the Docker socket.
#
# Exit codes: 0 applied or nothing to do, 1 the desired release failed and the previous one was restored,
# 2 bad input or settings (nothing changed).
set -euo pipefail

DEPLOY_DIR=${ROUTER_DEPLOY_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
COMPOSE_FILE=${ROUTER_COMPOSE_FILE:-$DEPLOY_DIR/docker-compose.yml}
ENV_FILE=${ROUTER_ENV_FILE:-$DEPLOY_DIR/.env}
DESIRED_FILE=${ROUTER_DESIRED_FILE:-$DEPLOY_DIR/data/desired-release.json}
FAILED_FILE=${ROUTER_RECONCILE_FAILED_FILE:-$DEPLOY_DIR/.reconcile-failed}
READY_URL=${ROUTER_READY_URL:-http://127.0.0.1:8080/ready}
READY_TIMEOUT=${ROUTER_READY_TIMEOUT:-120}
READY_INTERVAL=${ROUTER_READY_INTERVAL:-2}
SERVICE=${ROUTER_SERVICE:-router}
IMAGE_REPO=${ROUTER_IMAGE_REPO:-}

log() { printf '%s reconcile: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

compose() {
  local args=(compose --project-directory "$DEPLOY_DIR" -f "$COMPOSE_FILE")
  [[ -f $ENV_FILE ]] && args+=(--env-file "$ENV_FILE")
  docker "${args[@]}" "$@"
}

# Bounded: at most READY_TIMEOUT seconds, one short request every READY_INTERVAL seconds.
wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    # /ready is loopback-only: never through a proxy.
    if curl -fs --noproxy "*" -o /dev/null --max-time 3 "$READY_URL"; then return 0; fi
    sleep "$READY_INTERVAL"
  done
  return 1
}

# `repo:tag` → `repo`, keeping a registry port (`host:5000/repo:tag` → `host:5000/repo`).
strip_tag() {
  local ref=${1%%@*}
  if [[ ${ref##*/} == *:* ]]; then printf '%s' "${ref%:*}"; else printf '%s' "$ref"; fi
}

# Rewrites the env file with the pin lines replaced and every other line kept; atomic (temp file + mv).
write_env() {
  local image=$1 digest=$2 by=$3 tmp
  tmp=$(mktemp "$ENV_FILE.XXXXXX")
  if [[ -f $ENV_FILE ]]; then grep -vE '^(ROUTER_IMAGE|ROUTER_IMAGE_DIGEST|DEPLOYED_BY)=' "$ENV_FILE" >"$tmp" || true; fi
  printf 'ROUTER_IMAGE=%s\nROUTER_IMAGE_DIGEST=%s\nDEPLOYED_BY=%s\n' "$image" "$digest" "$by" >>"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$DEPLOY_DIR/.reconcile.lock"
  flock -n 9 || { log "another reconcile is running"; exit 0; }
fi

if [[ ! -f $DESIRED_FILE ]]; then
  log "no desired release at $DESIRED_FILE: nothing to do"
  exit 0
fi
digest=$(sed -n 's/^[[:space:]]*"digest":[[:space:]]*"\([^"]*\)".*/\1/p' "$DESIRED_FILE" | head -n 1)
requested_by=$(sed -n 's/^[[:space:]]*"requestedBy":[[:space:]]*"\([^"]*\)".*/\1/p' "$DESIRED_FILE" | head -n 1)
status=$(sed -n 's/^[[:space:]]*"status":[[:space:]]*"\([^"]*\)".*/\1/p' "$DESIRED_FILE" | head -n 1)
# The router writes `awaiting-hook` while its rollback hook runs, and `ready` once the hook succeeded
# (or when there is no hook). A failed hook puts the previous file back.
if [[ $status != ready ]]; then
  log "desired release is '${status:-without a status}', not ready: nothing to do yet"
  exit 0
fi
if [[ ! $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  log "desired digest '${digest:0:80}' is not sha256:<64 hex>; only image digests can be pinned"
  exit 2
fi
[[ $requested_by =~ ^[A-Za-z0-9._@-]{1,64}$ ]] || requested_by=unknown

current=$( { [[ -f $ENV_FILE ]] && sed -n 's/^ROUTER_IMAGE=//p' "$ENV_FILE"; } | tail -n 1 || true)
repo=${IMAGE_REPO:-$(strip_tag "$current")}
if [[ ! $repo =~ ^[a-z0-9][a-z0-9._/:-]*$ ]]; then
  log "no image repository: set ROUTER_IMAGE_REPO (e.g. registry.example.com/ops/dingtalk-ops-router)"
  exit 2
fi
target="$repo@$digest"
if [[ $current == "$target" ]]; then
  log "already pinned to $target"
  exit 0
fi
if [[ -f $FAILED_FILE && $(cat "$FAILED_FILE") == "$digest" ]]; then
  log "$digest failed readiness before; not retrying until a different release is desired (remove $FAILED_FILE to force)"
  exit 0
fi

backup=""
if [[ -f $ENV_FILE ]]; then
  backup=$(mktemp "$ENV_FILE.prev.XXXXXX")
  cp -p "$ENV_FILE" "$backup"
fi
log "applying $target (asked by $requested_by; was ${current:-the compose default})"
write_env "$target" "$digest" "reconcile.sh/$requested_by"

if compose pull "$SERVICE" && compose up -d "$SERVICE" && wait_ready; then
  if [[ -n $backup ]]; then rm -f "$backup"; fi
  rm -f "$FAILED_FILE"
  log "$target is ready"
  exit 0
fi

log "$target did not become ready within ${READY_TIMEOUT}s; restoring ${current:-the compose default}"
if [[ -n $backup ]]; then mv -f "$backup" "$ENV_FILE"; else rm -f "$ENV_FILE"; fi
printf '%s\n' "$digest" >"$FAILED_FILE"
if compose up -d "$SERVICE" && wait_ready; then
  log "the previous release is ready again"
else
  log "the previous release is NOT ready either: check 'docker compose logs $SERVICE' and docs/RUNBOOK.md"
fi
exit 1
