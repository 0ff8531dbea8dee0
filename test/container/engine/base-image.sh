#!/usr/bin/env bash
# Builds the Node 20 base image the Dockerfile takes as NODE_IMAGE, with no public image registry: a minimal
# Debian rootfs from mmdebstrap with this machine's Node runtime, npm and Node headers (node-gyp compiles
# better-sqlite3 against them instead of downloading them) copied in, imported into podman.
# Prints the image name. Reuses an existing image built from the same Node binary unless BASE_REBUILD=1.
set -euo pipefail
node_bin=$(readlink -f "$(command -v node)")
version=$("$node_bin" --version)
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
headers=$(dirname "$node_bin")/../include/node
[[ -f $headers/node.h ]] || { echo "base-image: no Node headers at $headers" >&2; exit 1; }
image=localhost/router-node-base:${version#v}-$(sha256sum "$node_bin" | cut -c1-12)
if [[ ${BASE_REBUILD:-0} != 1 ]] && podman image exists "$image"; then
  echo "$image"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mmdebstrap --quiet --variant=minbase --include=ca-certificates \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" \"\$1/usr/local/include\"" \
  --customize-hook="copy-in $node_bin /usr/local/bin" \
  --customize-hook="copy-in $npm_dir /usr/local/lib/node_modules" \
  --customize-hook="copy-in $(readlink -f "$headers") /usr/local/include" \
  --customize-hook="chroot \"\$1\" ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm" \
  --customize-hook="chroot \"\$1\" ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx" \
  --customize-hook="rm -rf \"\$1\"/var/lib/apt/lists/* \"\$1\"/var/cache/apt/*.bin" \
  bookworm "$work/rootfs.tar" >&2
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV npm_config_nodedir=/usr/local' \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar" "$image" >&2
echo "$image"
