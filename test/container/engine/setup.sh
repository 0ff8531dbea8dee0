#!/usr/bin/env bash
# Prepares this machine for the container suite (test/container): Debian's podman with runc, a compose
# front-end, mmdebstrap and docker-registry, configured for an unprivileged VM. Idempotent; run as root.
# Prints nothing on success; exits 1 with the reason when the machine cannot run containers.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
for cmd in podman runc catatonit mmdebstrap docker-registry docker-compose; do
  command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/libexec/podman/$cmd ]] || need+=("$cmd")
done
if ((${#need[@]} > 0)); then
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends podman runc catatonit mmdebstrap docker-registry \
    docker-compose uidmap slirp4netns iptables >&2
fi
# crun fails on this kind of VM; runc works. The nofile/nproc ulimits must fit inside the VM's own limits.
# No default sysctls: podman's default (net.ipv4.ping_group_range) cannot be set in the host's network
# namespace, which the suite's router joins (test/container/deployment.ts).
if [[ ! -f /etc/containers/containers.conf ]] || ! grep -q '^default_sysctls = \[\]' /etc/containers/containers.conf; then
  cat >/etc/containers/containers.conf <<'CONF'
[containers]
default_sysctls = []
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
fi
# The suite's registry on loopback speaks plain HTTP.
mkdir -p /etc/containers/registries.conf.d
cat >/etc/containers/registries.conf.d/50-router-ci-registry.conf <<'CONF'
[[registry]]
location = "127.0.0.1:5000"
insecure = true
CONF
podman info >/dev/null
