# syntax=docker/dockerfile:1
# The DingTalk ops router. Two stages: the build stage has the compilers better-sqlite3 may need; the
# runtime stage has only Node, the production node_modules and the sources.
#
# Why no `tsc` build: tsx is a runtime dependency and is how `npm start` and the routerctl bin run the
# sources, so the image runs exactly what the tests run. A compiled dist/ would need the migrations folder
# and package.json relocated next to it (they are found relative to the source files) for no gain at
# run time: tsx transpiles once per start, into its cache under /tmp (a tmpfs in docker-compose.yml).
#
# Pin the base by tag here, and by digest in your registry mirror if you have one
# (e.g. --build-arg NODE_IMAGE=node:20.19.5-bookworm-slim@sha256:…).
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary when one matches; otherwise it compiles, which needs these.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only: tsx is among them, vitest and typescript are not.
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ROUTER_DB=/data/router.db
WORKDIR /app
# Owned by root and read-only to the process: the app cannot rewrite its own code.
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY commands ./commands
COPY skills ./skills
COPY migrations ./migrations
COPY deploy/router.example.yaml ./deploy/router.example.yaml
# The data folder belongs to the unprivileged `node` user (uid 1000) that the image runs as.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
# docker-compose.yml declares the same check; this one serves plain `docker run`. No curl in the slim image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ROUTER_HTTP_PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node, not npm, as the process: signals reach the router directly and it drains in-flight messages.
CMD ["node", "--import", "tsx", "src/main.ts"]
