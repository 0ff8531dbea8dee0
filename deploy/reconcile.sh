#!/usr/bin/env bash
# Host-side release reconciler for the DingTalk ops router.
#
# `/rollback release` (or `routerctl rollback release`) writes data/desired-release.json. This script, run on
# the host by systemd (deploy/systemd/), applies it: it pins ROUTER_IMAGE=<repo>@<digest> in the compose env
# file, pulls (retrying with backoff: a registry blip is not a verdict on the release), recreates the
# container, and counts the release applied only when the running router reports that digest on /status
# and /ready passes, within ROUTER_READY_TIMEOUT. Otherwise it restores the previous env file and verifies
# the previous release the same way. The container itself never needs the engine's socket.
#
# Crash safety: before the env file changes, a copy is kept as <env>.reconcile-prev (or the marker
# <env>.reconcile-absent when there was none). An interrupted run puts it back in its EXIT trap; a run that
# could not (SIGKILL, power loss) is recovered at the next start, before anything else.
#
# Exit codes: 0 applied and verified, or nothing to do and the running release verified; 1 the desired
# release failed and the previous one was restored (or the running release is not ready: the unit stays
# failed and the timer retries); 2 bad input or settings (nothing changed); 3 the pull failed after every
# retry (env restored, release not blacklisted: the timer retries).
set -euo pipefail
# shellcheck source=deploy/compose-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/compose-lib.sh"

DESIRED_FILE=${ROUTER_DESIRED_FILE:-$DEPLOY_DIR/data/desired-release.json}
FAILED_FILE=${ROUTER_RECONCILE_FAILED_FILE:-$DEPLOY_DIR/.reconcile-failed}
READY_TIMEOUT=${ROUTER_READY_TIMEOUT:-120}
READY_INTERVAL=${ROUTER_READY_INTERVAL:-2}
PULL_ATTEMPTS=${ROUTER_PULL_ATTEMPTS:-5}
PULL_BACKOFF=${ROUTER_PULL_BACKOFF:-2}
PULL_BACKOFF_MAX=${ROUTER_PULL_BACKOFF_MAX:-60}
IMAGE_REPO=${ROUTER_IMAGE_REPO:-}
PREV=$ENV_FILE.reconcile-prev
ABSENT=$ENV_FILE.reconcile-absent

log() { printf '%s reconcile: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

# `repo:tag` → `repo`, keeping a registry port (`host:5000/repo:tag` → `host:5000/repo`).
strip_tag() {
  local ref=${1%%@*}
  if [[ ${ref##*/} == *:* ]]; then printf '%s' "${ref%:*}"; else printf '%s' "$ref"; fi
}

env_value() { { [[ -f $ENV_FILE ]] && sed -n "s/^$1=//p" "$ENV_FILE"; } | tail -n 1 || true; }

# Puts back the env file saved before an unverified change; true when there was something to restore.
restore_saved_env() {
  if [[ -f $PREV ]]; then
    mv -f "$PREV" "$ENV_FILE"
  elif [[ -f $ABSENT ]]; then
    rm -f "$ENV_FILE" "$ABSENT"
  else
    return 1
  fi
}

# Keeps the current env file (content, mode, owner) before it changes: copy to a temp file, then rename.
save_env() {
  if [[ -f $ENV_FILE ]]; then
    cp -p "$ENV_FILE" "$PREV.tmp"
    mv -f "$PREV.tmp" "$PREV"
  else
    : >"$ABSENT"
  fi
}

# Rewrites the env file with the pin lines replaced and every other line kept; atomic (temp file + rename)
# and with the mode and owner of the file it replaces (0600 for a new one: it may hold settings worth hiding).
write_env() {
  local image=$1 digest=$2 by=$3 tmp
  tmp=$(mktemp "$ENV_FILE.reconcile-tmp.XXXXXX")
  if [[ -f $ENV_FILE ]]; then
    grep -vE '^(ROUTER_IMAGE|ROUTER_IMAGE_DIGEST|DEPLOYED_BY)=' "$ENV_FILE" >"$tmp" || true
    chmod --reference="$ENV_FILE" "$tmp"
    chown --reference="$ENV_FILE" "$tmp" 2>/dev/null || true
  else
    chmod 0600 "$tmp"
  fi
  printf 'ROUTER_IMAGE=%s\nROUTER_IMAGE_DIGEST=%s\nDEPLOYED_BY=%s\n' "$image" "$digest" "$by" >>"$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

# A pull counts only when the image is then in the engine's storage: some compose front-ends report a pull
# whose registry was unreachable as done.
pull_with_retry() {
  local image=$1 attempt=1 delay=$PULL_BACKOFF
  while :; do
    if compose pull "$SERVICE" && "$ENGINE_CMD" image inspect "$image" >/dev/null 2>&1; then return 0; fi
    if ((attempt >= PULL_ATTEMPTS)); then return 1; fi
    log "pull failed (attempt $attempt of $PULL_ATTEMPTS); retrying in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2 > PULL_BACKOFF_MAX ? PULL_BACKOFF_MAX : delay * 2))
  done
}

# `up -d --force-recreate`, retried: a crash-looping container that its restart policy brings back between
# compose's stop and remove makes one attempt fail ("cannot remove a running container").
recreate() {
  local attempt
  for attempt in 1 2 3; do
    if compose up -d --force-recreate "$SERVICE"; then return 0; fi
    log "recreating $SERVICE failed (attempt $attempt of 3); removing the old container first"
    compose rm -f -s "$SERVICE" || true
  done
  return 1
}

# Brings up whatever the env file pins and verifies it; a container that `up -d` left alone is recreated.
converge_current() {
  local want
  want=$(env_value ROUTER_IMAGE_DIGEST)
  if wait_verified 0 "$want"; then return 0; fi
  log "the running router does not verify (${LAST_PROBE}); recreating it from $ENV_FILE"
  recreate || true
  wait_verified "$READY_TIMEOUT" "$want"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$DEPLOY_DIR/.reconcile.lock"
  flock -n 9 || { log "another reconcile is running"; exit 0; }
fi

# Temp files of a run killed between mktemp and rename.
rm -f "$ENV_FILE".reconcile-tmp.* "$PREV.tmp"

# Recovery first: a run killed before verification (SIGKILL, power loss) left its pin in the env file. Put the
# previous one back and make sure that is what runs, before anything else is considered.
if restore_saved_env; then
  log "an earlier run was interrupted before its release was verified: restored $ENV_FILE"
  if ! converge_current; then
    log "the restored release is NOT ready (${LAST_PROBE}): check '${COMPOSE_CMD[*]} logs $SERVICE'; the timer retries"
    exit 1
  fi
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

current=$(env_value ROUTER_IMAGE)
repo=${IMAGE_REPO:-$(strip_tag "$current")}
if [[ ! $repo =~ ^[a-z0-9][a-z0-9._/:-]*$ ]]; then
  log "no image repository: set ROUTER_IMAGE_REPO (e.g. registry.example.com/ops/dingtalk-ops-router)"
  exit 2
fi
target="$repo@$digest"

# Already pinned, or a release that failed readiness before: nothing new to apply, but the running release
# must still verify, or the unit fails (loudly, every timer run) until someone fixes it.
skip=""
if [[ $current == "$target" ]]; then
  skip="already pinned to $target"
elif [[ -f $FAILED_FILE && $(cat "$FAILED_FILE") == "$digest" ]]; then
  skip="$digest failed readiness before; not retrying until a different release is desired (remove $FAILED_FILE to force)"
fi
if [[ -n $skip ]]; then
  log "$skip"
  if converge_current; then
    log "running release verified: /status digest and /ready (${LAST_PROBE})"
    exit 0
  fi
  log "the running release is NOT ready (${LAST_PROBE}): check '${COMPOSE_CMD[*]} logs $SERVICE' and docs/RUNBOOK.md; the timer retries"
  exit 1
fi

save_env
verified=false
# Interrupted (SIGTERM from systemd's timeout, Ctrl-C, an error) before verification: put the env back.
on_exit() {
  if ! $verified && restore_saved_env; then log "interrupted before $target was verified: restored $ENV_FILE"; fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "applying $target (asked by $requested_by; was ${current:-the compose default})"
write_env "$target" "$digest" "reconcile.sh/$requested_by"

if ! pull_with_retry "$target"; then
  log "could not pull $target after $PULL_ATTEMPTS attempts (registry unreachable?): not a verdict on the release; restoring ${current:-the compose default}, the timer retries"
  exit 3
fi

# --force-recreate: an `up -d` that leaves the old container running must not pass for a deploy.
if recreate && wait_verified "$READY_TIMEOUT" "$digest"; then
  verified=true
  rm -f "$PREV" "$ABSENT" "$FAILED_FILE"
  log "$target is running and verified: /status digest and /ready (${LAST_PROBE})"
  exit 0
fi

log "$target did not verify within ${READY_TIMEOUT}s (last answer: ${LAST_PROBE}); restoring ${current:-the compose default}"
restore_saved_env || true
verified=true
printf '%s\n' "$digest" >"$FAILED_FILE"
if recreate && wait_verified "$READY_TIMEOUT" "$(env_value ROUTER_IMAGE_DIGEST)"; then
  log "the previous release is running and verified again (${LAST_PROBE})"
else
  log "the previous release is NOT ready either (${LAST_PROBE}): check '${COMPOSE_CMD[*]} logs $SERVICE' and docs/RUNBOOK.md; the unit stays failed and the timer retries"
fi
exit 1
