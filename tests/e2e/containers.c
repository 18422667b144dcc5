// SPDX-License-Identifier: Apache-2.0
/*
 * E2E: real containers (a real Docker engine and runc bundles), the real
 * kernel, `bulwark trace`. Every event from inside a container must carry the
 * container's id, name and image from its first line on; the posture of a
 * risky container lists exactly its risks and a hardened one none of them.
 *
 * Usage: containers PATH/TO/bulwark   (root)
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tracer.h"

#define TIMEOUT_MS 15000
#define IMAGE "localhost/bulwark-busybox:test" /* made by tests/e2e/docker-env.sh */

static char workdir[] = "/tmp/bulwark-e2e.XXXXXX";
static char errfile[PATH_MAX];

static bool container_is(json_t *ev, const void *id)
{
	const char *c = jstr(ev, "container.id");

	return c && strcmp(c, id) == 0;
}

struct match {
	const char *id;
	const char *upath;
};

static bool container_and_upath(json_t *ev, const void *arg)
{
	const struct match *m = arg;
	const char *u = jstr(ev, "file.upath");

	return container_is(ev, m->id) && u && strcmp(u, m->upath) == 0;
}

static bool container_and_comm(json_t *ev, const void *arg)
{
	const struct match *m = arg;
	const char *c = jstr(ev, "proc.comm");

	return container_is(ev, m->id) && c && strcmp(c, m->upath) == 0;
}

static void check_identity(json_t *ev, const char *what, const char *id, const char *name)
{
	CHECK(ev, "no %s event from container %s", what, name);
	if (!ev)
		return;
	CHECK_STR(jstr(ev, "container.id"), id);
	CHECK_STR(jstr(ev, "container.runtime"), "docker");
	CHECK_STR(jstr(ev, "container.name"), name);
	CHECK_STR(jstr(ev, "container.image"), IMAGE);
}

/* ---- a container started before the agent --------------------------------------------- */

static char early_id[80];

static void start_early_container(void)
{
	sh(NULL, 0, "docker rm -f bw-e2e-early >/dev/null 2>&1");
	CHECK(sh(early_id, sizeof(early_id), "docker run -d --name bw-e2e-early %s sleep 120", IMAGE) == 0,
	      "docker run bw-e2e-early");
}

static void test_container_started_before_agent(void)
{
	struct match m = { early_id, "/tmp/early" };
	json_t *ev;

	CHECK(sh(NULL, 0, "docker exec bw-e2e-early sh -c 'echo x > /tmp/early'") == 0, "docker exec");
	ev = tracer_find("open", 0, container_and_upath, &m, TIMEOUT_MS);
	check_identity(ev, "open", early_id, "bw-e2e-early");
	ev = tracer_find("container_start", 0, container_is, early_id, 0);
	CHECK(ev, "no container_start for a container first seen after the agent started");
	if (ev)
		CHECK(jbool(ev, "container.metadata"), "posture unknown");
}

/* ---- a risky and a hardened container ------------------------------------------------------ */

static void test_risky_container(void)
{
	char id[80];
	struct match sh_exec = { id, "sh" }, file = { id, "/tmp/dropped" };
	json_t *ev;

	sh(NULL, 0, "docker rm -f bw-e2e-risky >/dev/null 2>&1");
	CHECK(sh(id, sizeof(id),
		 "docker run -d --name bw-e2e-risky --cap-add SYS_ADMIN --security-opt seccomp=unconfined "
		 "--security-opt apparmor=unconfined -v /:/host %s sleep 120",
		 IMAGE) == 0,
	      "docker run bw-e2e-risky");
	ev = tracer_find("container_start", 0, container_is, id, TIMEOUT_MS);
	CHECK(ev, "no container_start for bw-e2e-risky");
	if (ev) {
		CHECK_STR(jstr(ev, "container.name"), "bw-e2e-risky");
		CHECK_STR(jstr(ev, "container.image"), IMAGE);
		CHECK(jbool(ev, "container.metadata"), "metadata");
		CHECK(jarray_has(ev, "container.risks", "root_user"), "root_user");
		CHECK(jarray_has(ev, "container.risks", "dangerous_caps"), "dangerous_caps");
		CHECK(jarray_has(ev, "container.risks", "no_seccomp"), "no_seccomp");
		CHECK(jarray_has(ev, "container.risks", "sensitive_mount"), "sensitive_mount");
		CHECK(jarray_has(ev, "container.risks", "writable_rootfs"), "writable_rootfs");
		CHECK(!jarray_has(ev, "container.risks", "host_pid") && !jarray_has(ev, "container.risks", "privileged"),
		      "risks it does not have");
		CHECK(strstr(jstr(ev, "container.dangerous_caps") ?: "", "CAP_SYS_ADMIN") != NULL, "CAP_SYS_ADMIN named");
		CHECK_STR(jstr(ev, "container.sensitive_mounts"), "/");
	}

	CHECK(sh(NULL, 0, "docker exec bw-e2e-risky sh -c 'echo x > /tmp/dropped; nc 127.0.0.1 1 </dev/null; true'") == 0,
	      "docker exec");
	check_identity(tracer_find("exec", 0, container_and_comm, &sh_exec, TIMEOUT_MS), "exec", id, "bw-e2e-risky");
	ev = tracer_find("open", 0, container_and_upath, &file, TIMEOUT_MS);
	check_identity(ev, "open", id, "bw-e2e-risky");
	if (ev)
		CHECK_STR(jstr(ev, "file.layer"), "upper");
	ev = tracer_find("connect", 0, container_is, id, TIMEOUT_MS);
	check_identity(ev, "connect", id, "bw-e2e-risky");
	if (ev) {
		CHECK_STR(jstr(ev, "net.addr"), "127.0.0.1");
		CHECK_INT(jint(ev, "net.port"), 1);
	}
	sh(NULL, 0, "docker rm -f bw-e2e-risky >/dev/null 2>&1");
}

static void test_hardened_container(void)
{
	char id[80];
	json_t *ev, *risks;

	sh(NULL, 0, "docker rm -f bw-e2e-hardened >/dev/null 2>&1");
	CHECK(sh(id, sizeof(id), "docker run -d --name bw-e2e-hardened --user 1000 --read-only --cap-drop ALL %s sleep 120",
		 IMAGE) == 0,
	      "docker run bw-e2e-hardened");
	ev = tracer_find("container_start", 0, container_is, id, TIMEOUT_MS);
	CHECK(ev, "no container_start for bw-e2e-hardened");
	if (ev) {
		CHECK_STR(jstr(ev, "container.name"), "bw-e2e-hardened");
		CHECK_STR(jstr(ev, "container.user"), "1000");
		risks = jget(ev, "container.risks");
		/* only no-new-privileges was not asked for */
		CHECK(json_array_size(risks) == 1 && jarray_has(ev, "container.risks", "priv_escalation"),
		      "risks of a hardened container: %s", json_dumps(risks, JSON_COMPACT));
		CHECK_STR(jstr(ev, "container.dangerous_caps"), "");
		CHECK_STR(jstr(ev, "container.sensitive_mounts"), "");
	}
	sh(NULL, 0, "docker rm -f bw-e2e-hardened >/dev/null 2>&1");
}

/* ---- podman (rootful): libpod-<id> cgroups; names and image from containers/storage ---------- */

static void test_podman_container(void)
{
	char id[80], load[64];
	struct match sh_exec = { id, "sh" };
	json_t *ev;

	/* podman has its own image store: the test image goes over from Docker's */
	if (sh(load, sizeof(load), "podman image exists %s || (docker save %s | podman load -q >/dev/null); echo ok", IMAGE,
	       IMAGE) != 0 || strcmp(load, "ok") != 0) {
		CHECK(0, "podman: cannot load %s", IMAGE);
		return;
	}
	sh(NULL, 0, "podman rm -f bw-e2e-podman >/dev/null 2>&1");
	/* runc cannot apply podman's default rlimits here (test-environment.md) */
	CHECK(sh(id, sizeof(id),
		 "podman run -d --name bw-e2e-podman --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "
		 "--cap-add SYS_ADMIN -v /:/host %s sleep 120",
		 IMAGE) == 0,
	      "podman run bw-e2e-podman");
	ev = tracer_find("container_start", 0, container_is, id, TIMEOUT_MS);
	CHECK(ev, "no container_start for bw-e2e-podman");
	if (ev) {
		CHECK_STR(jstr(ev, "container.runtime"), "podman");
		CHECK_STR(jstr(ev, "container.name"), "bw-e2e-podman");
		CHECK_STR(jstr(ev, "container.image"), IMAGE);
		CHECK(jbool(ev, "container.metadata"), "metadata");
		CHECK(jarray_has(ev, "container.risks", "dangerous_caps"), "dangerous_caps");
		CHECK(jarray_has(ev, "container.risks", "sensitive_mount"), "sensitive_mount");
		CHECK_STR(jstr(ev, "container.sensitive_mounts"), "/");
	}
	CHECK(sh(NULL, 0, "podman exec bw-e2e-podman sh -c 'true'") == 0, "podman exec");
	ev = tracer_find("exec", 0, container_and_comm, &sh_exec, TIMEOUT_MS);
	CHECK(ev, "no exec event from the podman container");
	if (ev) {
		CHECK_STR(jstr(ev, "container.runtime"), "podman");
		CHECK_STR(jstr(ev, "container.name"), "bw-e2e-podman");
		CHECK_STR(jstr(ev, "container.image"), IMAGE);
	}
	sh(NULL, 0, "podman rm -f -t 0 bw-e2e-podman >/dev/null 2>&1");
}

/* ---- runc with a kubelet-style cgroup path and CRI annotations ------------------------------- */

#define POD_UID "5d7c3a52-8d2e-4f4e-9a55-0a1b2c3d4e5f"
#define K8S_ID "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

static bool runc_bundle_ready;

static int write_bundle(const char *bundle)
{
	char cfg[PATH_MAX + 32];

	if (sh(NULL, 0,
	       "set -e; mkdir -p %s/rootfs/bin %s/rootfs/tmp %s/rootfs/proc %s/rootfs/dev %s/rootfs/sys; "
	       "cp /bin/busybox %s/rootfs/bin/; for c in sh echo sleep cat; do ln -sf busybox %s/rootfs/bin/$c; done",
	       bundle, bundle, bundle, bundle, bundle, bundle, bundle) != 0)
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/config.json", bundle);
	if (sh(NULL, 0, "cd %s && runc spec", bundle) != 0)
		return -1;
	/* edit the generated spec: no terminal, our process, kubelet's cgroup path, the CRI annotations */
	{
		json_error_t jerr;
		json_t *spec = json_load_file(cfg, 0, &jerr), *process, *ann;

		if (!spec)
			return -1;
		process = json_object_get(spec, "process");
		json_object_set_new(process, "terminal", json_false());
		json_object_set_new(process, "args",
				    json_pack("[sss]", "sh", "-c", "echo hi > /tmp/k8s-file; sleep 60"));
		json_object_set_new(json_object_get(spec, "linux"), "cgroupsPath",
				    json_string("/kubepods/besteffort/pod" POD_UID "/" K8S_ID));
		ann = json_pack("{ss ss ss ss ss}", "io.kubernetes.cri.container-name", "app",
				"io.kubernetes.cri.sandbox-name", "web-7d4b9c-x2x4z", "io.kubernetes.cri.sandbox-namespace",
				"shop", "io.kubernetes.cri.sandbox-uid", POD_UID, "io.kubernetes.cri.image-name",
				"docker.io/library/busybox:1.36");
		json_object_set_new(spec, "annotations", ann);
		if (json_dump_file(spec, cfg, JSON_INDENT(1))) {
			json_decref(spec);
			return -1;
		}
		json_decref(spec);
	}
	return 0;
}

static void test_runc_kubernetes_pod(void)
{
	char bundle[PATH_MAX];
	struct match m = { K8S_ID, "/tmp/k8s-file" };
	json_t *ev;

	snprintf(bundle, sizeof(bundle), "%s/bundle", workdir);
	CHECK(write_bundle(bundle) == 0, "bundle");
	sh(NULL, 0, "runc delete -f %s >/dev/null 2>&1", K8S_ID);
	CHECK(sh(NULL, 0, "runc run -d --bundle %s %s </dev/null >/dev/null 2>&1", bundle, K8S_ID) == 0, "runc run");
	runc_bundle_ready = true;
	ev = tracer_find("open", 0, container_and_upath, &m, TIMEOUT_MS);
	CHECK(ev, "no open event from the runc pod container");
	if (ev) {
		CHECK_STR(jstr(ev, "container.id"), K8S_ID);
		CHECK_STR(jstr(ev, "container.name"), "app");
		CHECK_STR(jstr(ev, "container.image"), "docker.io/library/busybox:1.36");
		CHECK_STR(jstr(ev, "k8s.pod"), "web-7d4b9c-x2x4z");
		CHECK_STR(jstr(ev, "k8s.namespace"), "shop");
		CHECK_STR(jstr(ev, "k8s.pod_uid"), POD_UID);
		CHECK(strstr(jstr(ev, "proc.cgroup") ?: "", "/kubepods/besteffort/pod" POD_UID) != NULL, "cgroup %s",
		      jstr(ev, "proc.cgroup"));
	}
	ev = tracer_find("container_start", 0, container_is, K8S_ID, 0);
	CHECK(ev, "no container_start for the runc container");
	if (ev)
		CHECK(jarray_has(ev, "container.risks", "root_user"), "runc spec runs as root");
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	tracer_kill();
	sh(NULL, 0, "docker rm -f bw-e2e-early bw-e2e-risky bw-e2e-hardened >/dev/null 2>&1");
	sh(NULL, 0, "podman rm -f -t 0 bw-e2e-podman >/dev/null 2>&1");
	if (runc_bundle_ready)
		sh(NULL, 0, "runc delete -f %s >/dev/null 2>&1", K8S_ID);
	/* runc leaves the cgroup directories it created (the cgroupfs driver) */
	sh(NULL, 0, "for c in /sys/fs/cgroup/*/kubepods/besteffort/pod%s/%s /sys/fs/cgroup/*/kubepods/besteffort/pod%s "
		    "/sys/fs/cgroup/*/kubepods/besteffort /sys/fs/cgroup/*/kubepods; do rmdir $c 2>/dev/null; done; true",
	   POD_UID, K8S_ID, POD_UID);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	sh(NULL, 0, "%s", cmd);
}

int main(int argc, char **argv)
{
	char *targv[] = { NULL, "trace", NULL };

	if (argc != 2 || geteuid() != 0) {
		fprintf(stderr, "usage (root): %s PATH/TO/bulwark\n", argv[0]);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (!mkdtemp(workdir))
		return 1;
	snprintf(errfile, sizeof(errfile), "%s/trace.stderr", workdir);
	if (sh(NULL, 0, "tests/e2e/docker-env.sh start") != 0) {
		fprintf(stderr, "cannot start a Docker engine\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	start_early_container();
	targv[0] = argv[1];
	if (tracer_start(targv, errfile)) {
		cleanup();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_container_started_before_agent);
	RUN(test_risky_container);
	RUN(test_hardened_container);
	RUN(test_runc_kubernetes_pod);
	RUN(test_podman_container);
	CHECK_INT(tracer_bad_lines(), 0);
	cleanup();
	sh(NULL, 0, "tests/e2e/docker-env.sh stop");
	return check_summary();
}
