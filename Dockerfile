# syntax=docker/dockerfile:1
# The DingTalk ops router. The build stage installs every dependency, compiles the TypeScript (`npm run build`
# → dist/) and prunes to the production dependencies; the runtime stage has only Node, that node_modules,
# the compiled JavaScript, the migrations and package.json (the package root, where migrations are found).
#
# Base image: any Node 20 on Debian bookworm with apt and npm. Pin it by digest in your registry mirror
# (e.g. --build-arg NODE_IMAGE=node:20.19.5-bookworm-slim@sha256:…). Without access to a public registry,
# test/container/engine/base-image.sh builds one from a Debian rootfs and the host's Node.
#
# Behind a TLS-intercepting proxy, hand its CA to npm as a build secret (used by `npm ci`, never stored in a
# layer): podman build --secret id=npm_ca,src=/etc/ssl/certs/ca-certificates.crt …
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched; that needs these.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca \
  if [ -s /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
  && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY skills ./skills
# Compile, then drop typescript, vitest and the other development dependencies.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# NODE_ENV=production also means: no DingTalk credentials is a configuration error, never the simulator.
ENV NODE_ENV=production \
    ROUTER_DB=/data/router.db
# A dedicated system account with a high uid, no home and no login shell: on the host uid 10001 is nobody's
# login, so no person's account can read the AppSecret or the audit key by owning the files.
RUN groupadd --system --gid 10001 router \
  && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin router \
  && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
WORKDIR /app
# Owned by root and read-only to the process: the app cannot rewrite its own code.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY deploy/router.example.yaml ./deploy/router.example.yaml
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# docker-compose.yml declares the same check; this one serves plain `docker run`. No curl in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ROUTER_HTTP_PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node, not npm, as the process: signals reach the router directly and it drains in-flight messages.
# bin/router-node.sh execs node with production's heap flags (the one place they are set; see that file).
CMD ["bin/router-node.sh", "dist/src/main.js"]
