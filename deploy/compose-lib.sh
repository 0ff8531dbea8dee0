# Shared by deploy/reconcile.sh, deploy/ready.sh and deploy/routerctl.sh (sourced, not run).
# One way to call compose on this host and one readiness probe that needs nothing on the host but the
# compose engine: the probe runs `node` inside the router container (the image has no curl either).

DEPLOY_DIR=${ROUTER_DEPLOY_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
COMPOSE_FILE=${ROUTER_COMPOSE_FILE:-$DEPLOY_DIR/docker-compose.yml}
ENV_FILE=${ROUTER_ENV_FILE:-$DEPLOY_DIR/.env}
SERVICE=${ROUTER_SERVICE:-router}
# The router's HTTP address as seen from inside its container (compose sets ROUTER_HTTP_PORT=8080).
PROBE_URL=${ROUTER_PROBE_URL:-http://127.0.0.1:8080}

# `docker compose` (v2 plugin) when present, else the standalone `docker-compose`, else `podman-compose`;
# ROUTER_COMPOSE overrides (e.g. ROUTER_COMPOSE="podman compose").
if [[ -n ${ROUTER_COMPOSE:-} ]]; then
  read -ra COMPOSE_CMD <<<"$ROUTER_COMPOSE"
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  COMPOSE_CMD=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE_CMD=(docker-compose)
elif command -v podman-compose >/dev/null 2>&1; then
  COMPOSE_CMD=(podman-compose)
else
  COMPOSE_CMD=(docker compose)
fi

# The engine's own CLI, for what compose cannot answer (is this image really here?). ROUTER_ENGINE overrides.
if [[ -n ${ROUTER_ENGINE:-} ]]; then
  ENGINE_CMD=$ROUTER_ENGINE
elif [[ ${COMPOSE_CMD[0]} == podman* ]]; then
  ENGINE_CMD=podman
else
  ENGINE_CMD=docker
fi
LAST_PROBE=''

compose() {
  local args=(--project-directory "$DEPLOY_DIR")
  # COMPOSE_FILE in the env file (an override file next to the compose file) is left to compose to read.
  if [[ -n ${ROUTER_COMPOSE_FILE:-} ]] || ! grep -q '^COMPOSE_FILE=' "$ENV_FILE" 2>/dev/null; then args+=(-f "$COMPOSE_FILE"); fi
  [[ -f $ENV_FILE ]] && args+=(--env-file "$ENV_FILE")
  # 9>&-: the reconciler's lock stays with the reconciler, not with a compose process that outlives it.
  "${COMPOSE_CMD[@]}" "${args[@]}" "$@" 9>&-
}

# Prints `<digest> <ready-status>` as the running router reports them (GET /status, GET /ready), or fails.
# `exec` reaches the container compose runs now, so an old container that was not recreated cannot answer
# for the new release.
PROBE_JS='const b=process.argv[1];Promise.all([fetch(b+"/status").then(r=>r.json()),fetch(b+"/ready")]).then(([s,r])=>{console.log(String(s.digest)+" "+r.status);process.exit(0)},e=>{console.error(String(e&&e.cause&&e.cause.code||e));process.exit(1)})'
probe() {
  compose exec -T "$SERVICE" node -e "$PROBE_JS" "$PROBE_URL" 2>/dev/null | tail -n 1
}

# Waits at most $1 seconds (one probe every READY_INTERVAL) until /ready is 200 and, when $2 is given, /status
# reports that digest. Prints the last answer; returns 0 only on both.
wait_verified() {
  local timeout=$1 want=${2:-} deadline answer=''
  deadline=$((SECONDS + timeout))
  while :; do
    answer=$(probe || true)
    if [[ $answer == *" 200" && (-z $want || ${answer%% *} == "$want") ]]; then
      LAST_PROBE=$answer
      return 0
    fi
    LAST_PROBE=${answer:-no answer}
    ((SECONDS < deadline)) || return 1
    sleep "${READY_INTERVAL:-2}"
  done
}
