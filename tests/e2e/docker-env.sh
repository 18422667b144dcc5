#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A real Docker engine for the e2e tests (no service manager here starts one).
#   docker-env.sh start   starts dockerd unless one answers, imports localhost/busybox:test
#   docker-env.sh stop    stops dockerd if `start` started it
# See /work/shared/recipes/test-environment.md: no registry, no iptables, no bridge.
set -eu
STATE=/run/bulwark-test-dockerd.pid
IMAGE=localhost/bulwark-busybox:test

case ${1:-} in
start)
	if ! docker info >/dev/null 2>&1; then
		dockerd --iptables=false --bridge=none --data-root /var/lib/docker >/tmp/bulwark-test-dockerd.log 2>&1 &
		echo $! >"$STATE"
		i=0
		until docker info >/dev/null 2>&1; do
			i=$((i + 1))
			[ "$i" -lt 60 ] || { echo "dockerd did not start; see /tmp/bulwark-test-dockerd.log" >&2; exit 1; }
			sleep 0.5
		done
	fi
	if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
		root=$(mktemp -d)
		mkdir -p "$root/bin" "$root/tmp" "$root/etc"
		cp /bin/busybox "$root/bin/"
		for c in sh ls cat echo mount mkdir sed sleep chmod ps id head nc true; do ln -sf busybox "$root/bin/$c"; done
		tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
		rm -rf "$root"
	fi
	;;
stop)
	if [ -f "$STATE" ]; then
		kill "$(cat "$STATE")" 2>/dev/null || true
		i=0
		while kill -0 "$(cat "$STATE")" 2>/dev/null && [ "$i" -lt 40 ]; do sleep 0.5; i=$((i + 1)); done
		rm -f "$STATE"
	fi
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
