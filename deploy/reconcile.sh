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
# A request is applied once: after it verified, the request is remembered in .reconcile-applied and never
# applied again, so a release deployed by hand later (README "A host, step by step") is not undone by a
# desired-release.json that still says `ready`. Each outcome is also written to data/reconcile-result.json
# ({id, digest, outcome: applied | failed | retrying, at, detail}), where the router reads it for /runbook.
#
# Exit codes: 0 applied and verified, or nothing to do and the running release verified; 1 the desired
# release failed and the previous one was restored (or the running release is not ready: the unit stays
# failed and the timer retries); 2 bad input or settings (nothing changed); 3 the pull failed after every
# retry (env restored, release not blacklisted: the timer retries); 4 the desired release failed readiness
# in an earlier run and is still desired (not retried; the running release verified): the unit stays failed
# until a different release is desired, the request is dropped, or .reconcile-failed is removed to retry.
set -euo pipefail
# shellcheck source=deploy/compose-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/compose-lib.sh"

DESIRED_FILE=${ROUTER_DESIRED_FILE:-$DEPLOY_DIR/data/desired-release.json}
FAILED_FILE=${ROUTER_RECONCILE_FAILED_FILE:-$DEPLOY_DIR/.reconcile-failed}
APPLIED_FILE=${ROUTER_RECONCILE_APPLIED_FILE:-$DEPLOY_DIR/.reconcile-applied}
RESULT_FILE=${ROUTER_RECONCILE_RESULT_FILE:-$(dirname "$DESIRED_FILE")/reconcile-result.json}
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

# A JSON string: backslashes and quotes escaped, control characters dropped, at most 600 characters.
json_string() {
  local s=${1:0:600}
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\037\177')"
}

# Tells the router how the desired request ended: data/reconcile-result.json, 0600, temp file + rename. data/
# belongs to the router's account, so the file is written as that account (setpriv), never by root into a
# folder another account controls, where a planted symlink would turn a root write into one on the host. An
# unchanged outcome is not rewritten (its `at` stays the first time it was seen). Never fails the run.
report() {
  local outcome=$1 detail=$2 json dir uid gid
  json=$(printf '{\n  "id": %s,\n  "digest": %s,\n  "outcome": "%s",\n  "at": "%s",\n  "detail": %s\n}' \
    "${request_id:-null}" "$(json_string "$digest")" "$outcome" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(json_string "$detail")")
  if [[ -f $RESULT_FILE && $(grep -v '^  "at": ' "$RESULT_FILE" 2>/dev/null) == "$(grep -v '^  "at": ' <<<"$json")" ]]; then
    return 0
  fi
  dir=$(dirname "$RESULT_FILE")
  local write=(sh -c 'umask 077 && t=$(mktemp "$1.tmp.XXXXXX") && printf "%s\n" "$2" >"$t" && mv -f "$t" "$1"' sh "$RESULT_FILE" "$json")
  if ! uid=$(stat -c %u "$dir" 2>/dev/null) || ! gid=$(stat -c %g "$dir" 2>/dev/null); then
    log "could not write $RESULT_FILE (no folder $dir): the router does not learn that this request $outcome"
    return 0
  fi
  if ((EUID == 0 && uid != 0)); then
    if ! command -v setpriv >/dev/null 2>&1; then
      log "could not write $RESULT_FILE: setpriv (util-linux) is needed to write as its owner uid $uid; the router does not learn that this request $outcome"
      return 0
    fi
    write=(setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "${write[@]}")
  fi
  "${write[@]}" 9>&- || log "could not write $RESULT_FILE: the router does not learn that this request $outcome"
}

# Applied requests, one a line: `<sha256 of desired-release.json> id=<id> digest=<digest> at=<time>`. Kept by
# this script alone, outside data/. Marking desired-release.json itself applied was the other way, but the
# router replaces that file whenever a rollback is asked for (and a failed hook puts an older one back): a
# rewrite here could race with it and drop a new request. The key is the file's hash rather than its id
# alone, because ids start again with a fresh database and a file written by hand carries none; the same
# request always has the same bytes, including the older one a failed hook restores.
request_applied() { [[ -f $APPLIED_FILE ]] && grep -q "^$request_key " "$APPLIED_FILE"; }
remember_applied() {
  request_applied && return 0
  { tail -n 49 "$APPLIED_FILE" 2>/dev/null || true
    printf '%s id=%s digest=%s at=%s\n' "$request_key" "${request_id:-none}" "$digest" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$APPLIED_FILE.tmp"
  mv -f "$APPLIED_FILE.tmp" "$APPLIED_FILE"
}

# Verifies (recreating if needed) what the env file pins; exits 1 when it is not ready, else returns.
verify_running_or_exit() {
  if converge_current; then
    log "running release verified: /status digest and /ready (${LAST_PROBE})"
    return 0
  fi
  log "the running release is NOT ready (${LAST_PROBE}): check '${COMPOSE_CMD[*]} logs $SERVICE' and docs/RUNBOOK.md; the timer retries"
  exit 1
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$DEPLOY_DIR/.reconcile.lock"
  flock -n 9 || { log "another reconcile is running"; exit 0; }
fi

# Temp files of a run killed between mktemp and rename.
rm -f "$ENV_FILE".reconcile-tmp.* "$PREV.tmp" "$APPLIED_FILE.tmp" "$RESULT_FILE".tmp.*

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
# One read: the fields and the request's key come from the same bytes, whenever the router replaces the file.
desired=$(head -c 65536 "$DESIRED_FILE")
field() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" <<<"$desired" | head -n 1; }
digest=$(field digest)
requested_by=$(field requestedBy)
status=$(field status)
request_id=$(sed -n 's/^[[:space:]]*"id":[[:space:]]*\([0-9]\{1,15\}\)[[:space:]]*,\{0,1\}[[:space:]]*$/\1/p' <<<"$desired" | head -n 1)
request_key=$(printf '%s\n' "$desired" | sha256sum | cut -d ' ' -f 1)
request="request ${request_id:+#$request_id }for ${digest:0:80}"
# The router writes `awaiting-hook` while its rollback hook runs, and `ready` once the hook succeeded
# (or when there is no hook). A failed hook puts the previous file back.
if [[ $status != ready ]]; then
  log "desired release is '${status:-without a status}', not ready: nothing to do yet"
  exit 0
fi
# Applied once: whatever was deployed since (the pin may say something else now) is what must run.
if request_applied; then
  pinned=$(env_value ROUTER_IMAGE_DIGEST)
  if [[ $pinned == "$digest" ]]; then
    log "$request was applied and verified before: already pinned"
  else
    log "$request was applied and verified before; ${ENV_FILE##*/} pins ${pinned:-the compose default} since, and that is left as it is"
  fi
  verify_running_or_exit
  exit 0
fi
if [[ ! $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  log "desired digest '${digest:0:80}' is not sha256:<64 hex>; only image digests can be pinned"
  report failed "not applied: '${digest:0:80}' is not an image digest (sha256:<64 hex>); only image digests can be pinned"
  exit 2
fi
[[ $requested_by =~ ^[A-Za-z0-9._@-]{1,64}$ ]] || requested_by=unknown

current=$(env_value ROUTER_IMAGE)
repo=${IMAGE_REPO:-$(strip_tag "$current")}
if [[ ! $repo =~ ^[a-z0-9][a-z0-9._/:-]*$ ]]; then
  log "no image repository: set ROUTER_IMAGE_REPO (e.g. registry.example.com/ops/dingtalk-ops-router)"
  report failed "not applied: the host has no image repository to pin it in (ROUTER_IMAGE_REPO is not set)"
  exit 2
fi
target="$repo@$digest"

# Already pinned, or a release that failed readiness before: nothing new to apply, but the running release
# must still verify, or the unit fails (loudly, every timer run) until someone fixes it.
if [[ $current == "$target" ]]; then
  log "already pinned to $target"
  verify_running_or_exit
  # What was asked for is what runs: the request is done, and a later deploy must not bring it back.
  remember_applied
  report applied "$target is pinned, running and verified (${LAST_PROBE})"
  exit 0
fi
# .reconcile-failed: the digest, then what happened to it. A failure stays loud (exit 4, the unit failed,
# the router's /runbook says FAILED) for as long as the release is still desired; it is not retried.
if [[ -f $FAILED_FILE && $(head -n 1 "$FAILED_FILE") == "$digest" ]]; then
  why=$(sed -n 2p "$FAILED_FILE")
  log "$digest failed readiness before${why:+ ($why)}; not retrying while it is still desired (remove $FAILED_FILE to retry, or $DESIRED_FILE to drop the request)"
  verify_running_or_exit
  # After the check: a running release that is not ready keeps the report of the run that failed.
  report failed "not retried: it failed readiness before${why:+ ($why)}; the running release verified"
  log "exit 4: the unit stays failed until a different release is desired or the request is dropped"
  exit 4
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
  report retrying "could not pull it after $PULL_ATTEMPTS attempts (registry unreachable?); the previous release stays, the timer retries"
  exit 3
fi

# --force-recreate: an `up -d` that leaves the old container running must not pass for a deploy.
if recreate && wait_verified "$READY_TIMEOUT" "$digest"; then
  verified=true
  # The env file is committed first: a run killed after this line finds the pin in place and records it then.
  rm -f "$PREV" "$ABSENT" "$FAILED_FILE"
  remember_applied
  report applied "$target is running and verified (${LAST_PROBE})"
  log "$target is running and verified: /status digest and /ready (${LAST_PROBE})"
  exit 0
fi

log "$target did not verify within ${READY_TIMEOUT}s (last answer: ${LAST_PROBE}); restoring ${current:-the compose default}"
why="did not verify within ${READY_TIMEOUT}s, last answer: ${LAST_PROBE}"
restore_saved_env || true
verified=true
printf '%s\n%s\n' "$digest" "$why" >"$FAILED_FILE"
previous=$(env_value ROUTER_IMAGE_DIGEST)
if recreate && wait_verified "$READY_TIMEOUT" "$previous"; then
  log "the previous release is running and verified again (${LAST_PROBE})"
  report failed "$why; ${previous:-the compose default} was restored and verified again"
else
  log "the previous release is NOT ready either (${LAST_PROBE}): check '${COMPOSE_CMD[*]} logs $SERVICE' and docs/RUNBOOK.md; the unit stays failed and the timer retries"
  report failed "$why; ${previous:-the compose default} was restored but is NOT ready either (${LAST_PROBE})"
fi
exit 1
