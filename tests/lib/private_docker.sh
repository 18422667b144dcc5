# SPDX-License-Identifier: Apache-2.0
# Sourced by the long load tests (tests/e2e/exhaust.sh, tests/e2e/soak.sh): a private Docker
# engine of their own (socket, data and exec roots under bw-hostile-docker): the shared one
# (tests/e2e/docker-env.sh) is started and stopped by other suites running at the same time,
# and a flood or a 30-minute soak must not lose it. The caller sets W (a scratch directory);
# private_docker_start exports DOCKER_HOST and imports $IMAGE; private_docker_stop ends it.
# Containers in it live under the cgroupfs driver's /docker/<id> like the shared engine's,
# and their layers under $PRIVATE_DOCKER_ROOT/overlay2 (add it to container_layer_path_patterns);
# an agent names them with --docker-socket $PRIVATE_DOCKER_EXEC.sock --docker-root $PRIVATE_DOCKER_ROOT.
PRIVATE_DOCKER_ROOT=/var/lib/bw-hostile-docker
PRIVATE_DOCKER_EXEC=/run/bw-hostile-docker
IMAGE=localhost/bw-hostile-busybox:test
export DOCKER_HOST=unix://$PRIVATE_DOCKER_EXEC.sock
PRIVATE_DOCKERD=""

private_docker_start() {
	local root
	mkdir -p "$PRIVATE_DOCKER_ROOT" "$PRIVATE_DOCKER_EXEC"
	# one engine per root: a test of ours still running (or killed) keeps it; reuse it then
	if ! docker info >/dev/null 2>&1; then
		dockerd --host "$DOCKER_HOST" --data-root "$PRIVATE_DOCKER_ROOT" --exec-root "$PRIVATE_DOCKER_EXEC" \
			--pidfile "$PRIVATE_DOCKER_EXEC.pid" --iptables=false --ip6tables=false --bridge=none \
			>"$W/dockerd.log" 2>&1 &
		PRIVATE_DOCKERD=$!
		for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	fi
	docker info >/dev/null 2>&1 || return 1
	docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
	root=$(mktemp -d)
	mkdir -p "$root/bin" "$root/tmp" "$root/etc"
	cp /bin/busybox "$root/bin/"
	for c in sh ls cat echo mount umount mkdir rmdir sed sleep chmod ps id head nc true; do
		ln -sf busybox "$root/bin/$c"
	done
	tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
	rm -rf "$root"
}

private_docker_stop() {
	[ -n "$PRIVATE_DOCKERD" ] || return 0
	kill "$PRIVATE_DOCKERD" 2>/dev/null
	for _ in $(seq 40); do kill -0 "$PRIVATE_DOCKERD" 2>/dev/null || break; sleep 0.5; done
	PRIVATE_DOCKERD=""
}

# The rules file that adds the private engine's layers to container_layer_path_patterns.
private_docker_rules() {
	printf -- '- list: container_layer_path_patterns\n  items: [%s/overlay2/*/diff/*]\n  override:\n    items: append\n' \
		"$PRIVATE_DOCKER_ROOT" >"$1"
}
