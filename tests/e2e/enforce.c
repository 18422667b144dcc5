// SPDX-License-Identifier: Apache-2.0
/*
 * E2E prevention on the host's tier: `bulwark run --enforce` with the
 * embedded default rules, a real Docker container with the breakout's
 * powers (CAP_SYS_ADMIN; CAP_DAC_READ_SEARCH for open_by_handle_at, the "shocker"),
 * and release_agent write-opens through every door (the plain
 * syscall, a relative path, a symlink, open_by_handle_at, io_uring) made by a
 * static helper (tests/kernels/opener.c) inside it. The host's kernel refuses
 * lsm and fentry programs: the tracepoint tier kills the writer as its open
 * returns, so nothing lands, and the alert says blocked. Then the seed's
 * breakout script: stopped at its first write, the host never runs the
 * payload. core_pattern from a container with a writable /proc/sys: the
 * writer dies, the host's setting stays. Twins: ordinary container work and the host's own release_agent
 * write are never refused. Monitor mode (the same breakout alerting and
 * running) is tests/e2e/attacks.c.
 *
 * Usage: enforce PATH/TO/bulwark PATH/TO/opener   (root)
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tracer.h"

#define TIMEOUT_MS 15000
/*
 * A private Docker engine (socket, data and exec roots under bw-lsm-docker):
 * the shared one (tests/e2e/docker-env.sh) is started and stopped by other
 * suites running at the same time.
 */
#define DOCKER_ROOT "/var/lib/bw-lsm-docker"
#define DOCKER_EXEC "/run/bw-lsm-docker"
#define IMAGE "localhost/bw-lsm-busybox:test"
#define CTR "bw-lsm-enforce"
#define BREAKOUT_FLAGS "--cap-add SYS_ADMIN --cap-add DAC_READ_SEARCH --security-opt seccomp=unconfined --security-opt apparmor=unconfined"
#define RULE "Container Escape via cgroup release_agent"

static char workdir[] = "/tmp/bulwark-enforce.XXXXXX";
static char errfile[PATH_MAX];
static char id[80];

static bool from_container(json_t *alert, const void *full_id)
{
	const char *cid = alert_field(alert, "container.id");

	return cid && strncmp(cid, full_id, 12) == 0 && strlen(cid) == 12;
}

static void test_tier(void)
{
	CHECK(file_contains(errfile, "sensor: tracepoints (io_uring via tp_btf) \xe2\x80\x94 enforcement by SIGKILL only"),
	      "no tracepoints tier line");
	CHECK(file_contains(errfile, "enforce mode"), "not in enforce mode");
	CHECK(file_contains(errfile, "blocking rules: 7 kernel facts (enforce mode)"), "blocking facts not loaded");
}

/* An alert of this container, with bulwark.blocked and evt.type as given (NULL: any type). */
struct blocked_as {
	const char *id;
	bool blocked;
	const char *evt_type;
};

static bool blocked_as(json_t *alert, const void *arg)
{
	const struct blocked_as *b = arg;
	json_t *v = json_object_get(json_object_get(alert, "output_fields"), "bulwark.blocked");
	const char *t = alert_field(alert, "evt.type");

	return from_container(alert, b->id) && json_is_boolean(v) && json_is_true(v) == b->blocked &&
	       (!b->evt_type || (t && !strcmp(t, b->evt_type)));
}

static void wait_alerts(const char *rule, const struct blocked_as *b, int want)
{
	long deadline = now_ms() + TIMEOUT_MS;

	while (tracer_count_alerts(rule, blocked_as, b) < want && now_ms() < deadline)
		tracer_pump(100);
}

/* Every door of a container's release_agent write-open: the writer dies, nothing lands, the alert says blocked. */
static void test_doors(void)
{
	static const char *const doors[] = { "syscall", "relative", "symlink", "handle", "uring" };
	char out[512];
	size_t i;

	CHECK(sh(id, sizeof(id), "docker run -d --name " CTR " " BREAKOUT_FLAGS " " IMAGE " sleep 300") == 0,
	      "docker run");
	CHECK(sh(NULL, 0, "docker cp %s " CTR ":/opener", getenv("OPENER")) == 0, "docker cp opener");
	CHECK(sh(NULL, 0,
		 "docker exec " CTR " sh -c 'mkdir -p /tmp/cgrp && mount -t cgroup -o none,name=bwlsm%d cgroup /tmp/cgrp'",
		 getpid()) == 0,
	      "mount a named cgroup v1 hierarchy in the container");
	for (i = 0; i < sizeof(doors) / sizeof(doors[0]); i++) {
		const char *evt = strcmp(doors[i], "handle") == 0 ? "open_by_handle_at" : "openat";
		struct blocked_as any = { id, true, NULL }, exact = { id, true, evt };
		int before = tracer_count_alerts(RULE, blocked_as, &any);

		sh(out, sizeof(out), "docker exec " CTR " sh -c '/opener %s /tmp/cgrp/release_agent /payload; echo status=$?'",
		   doors[i]);
		CHECK(strstr(out, "status=137") != NULL, "%s: the writer was not killed: %s", doors[i], out);
		sh(out, sizeof(out), "docker exec " CTR " cat /tmp/cgrp/release_agent");
		CHECK(out[0] == '\0', "%s: release_agent was written: '%s'", doors[i], out);
		wait_alerts(RULE, &any, before + 1);
		tracer_drain(300);
		CHECK(tracer_count_alerts(RULE, blocked_as, &any) == before + 1, "%s: %d blocked alerts, want 1", doors[i],
		      tracer_count_alerts(RULE, blocked_as, &any) - before);
		CHECK(tracer_count_alerts(RULE, blocked_as, &exact) >= 1, "%s: no blocked alert with evt.type %s", doors[i],
		      evt);
	}
	CHECK_INT(tracer_count_alerts(RULE, blocked_as, &(struct blocked_as){ id, false, NULL }), 0);
}

/* The seed's breakout script: stopped at its first write; the host never runs the payload. */
static void test_seed_breakout_stopped(void)
{
	char upper[PATH_MAX], out[256];
	struct blocked_as b = { id, true, NULL };
	long deadline;

	sh(out, sizeof(out),
	   "docker exec " CTR " sh -c '"
	   "mkdir -p /tmp/cgrp/x;"
	   "echo 1 > /tmp/cgrp/x/notify_on_release;"
	   "host_path=$(sed -n \"s/.*\\perdir=\\([^,]*\\).*/\\1/p\" /proc/mounts);"
	   "echo \"$host_path/cmd\" > /tmp/cgrp/release_agent;"
	   "printf \"#!/bin/sh\\nps > %%s/output\\n\" \"$host_path\" > /cmd; chmod a+x /cmd;"
	   "sh -c \"echo \\$\\$ > /tmp/cgrp/x/cgroup.procs\"'; echo status=$?");
	CHECK(strstr(out, "status=137") != NULL, "the breakout script was not killed: %s", out);
	sh(upper, sizeof(upper), "docker inspect -f '{{.GraphDriver.Data.UpperDir}}' " CTR);
	wait_alerts("cgroup notify_on_release Enabled in Container", &b, 1);
	CHECK_INT(tracer_count_alerts("cgroup notify_on_release Enabled in Container", blocked_as, &b), 1);
	/* what the host would run: nothing, in the time the monitor-mode e2e sees it run */
	deadline = now_ms() + 3000;
	do
		sh(out, sizeof(out), "cat '%s/output' 2>/dev/null; docker exec " CTR " cat /tmp/cgrp/release_agent", upper);
	while (!out[0] && now_ms() < deadline && (usleep(200000), 1));
	CHECK(out[0] == '\0', "the payload ran or release_agent was set: '%s'", out);
	sh(NULL, 0, "docker exec " CTR " sh -c 'rmdir /tmp/cgrp/x'");
}

/*
 * core_pattern from a container whose /proc/sys is writable: the writer dies,
 * the host's core_pattern is unchanged (restored whatever happened).
 */
static void test_core_pattern(void)
{
	char saved[512], out[512], now[512], cid[80];
	struct blocked_as b = { cid, true, "openat" };

	sh(saved, sizeof(saved), "cat /proc/sys/kernel/core_pattern");
	CHECK(sh(cid, sizeof(cid), "docker run -d --name bw-lsm-core --cap-add SYS_ADMIN --security-opt seccomp=unconfined"
				   " --security-opt apparmor=unconfined --security-opt systempaths=unconfined " IMAGE " sleep 300") == 0,
	      "docker run");
	CHECK(sh(NULL, 0, "docker cp %s bw-lsm-core:/opener", getenv("OPENER")) == 0, "docker cp opener");
	sh(out, sizeof(out), "docker exec bw-lsm-core sh -c '/opener syscall /proc/sys/kernel/core_pattern \"|/payload\"; echo status=$?'");
	sh(now, sizeof(now), "cat /proc/sys/kernel/core_pattern");
	if (strcmp(now, saved) != 0) {
		FILE *f = fopen("/proc/sys/kernel/core_pattern", "w");

		if (f) {
			fputs(saved, f);
			fclose(f);
		}
	}
	CHECK(strstr(out, "status=137") != NULL, "the core_pattern writer was not killed: %s", out);
	CHECK(strcmp(now, saved) == 0, "core_pattern was changed to '%s' (restored to '%s')", now, saved);
	wait_alerts("Kernel core_pattern Modified", &b, 1);
	CHECK_INT(tracer_count_alerts("Kernel core_pattern Modified", blocked_as, &b), 1);
}

/* Ordinary work under enforce: never refused, never blocked. */
static void test_benign_not_refused(void)
{
	char out[256], cg[PATH_MAX];

	sh(out, sizeof(out), "docker run --rm --name bw-lsm-plain " IMAGE " sh -c 'echo hi > /tmp/f && cat /tmp/f'");
	CHECK_STR(out, "hi");
	sh(out, sizeof(out), "docker run --rm --name bw-lsm-hardened --read-only --cap-drop ALL --tmpfs /tmp " IMAGE
			     " sh -c 'echo ok > /tmp/f && cat /tmp/f'");
	CHECK_STR(out, "ok");
	/* the container's own cgroup files (not the breakout's) */
	sh(out, sizeof(out), "docker exec " CTR " sh -c 'echo 1 > /tmp/cgrp/cgroup.clone_children; echo status=$?'");
	CHECK_STR(out, "status=0");
	/* the host's own release_agent write, on the same hierarchy mounted on the host */
	snprintf(cg, sizeof(cg), "%s/cg", workdir);
	CHECK(sh(NULL, 0, "mkdir -p %s && mount -t cgroup -o none,name=bwlsm%d cgroup %s", cg, getpid(), cg) == 0,
	      "mount the hierarchy on the host");
	sh(out, sizeof(out), "%s syscall %s/release_agent /host-agent", getenv("OPENER"), cg);
	CHECK(strstr(out, "write=OK") != NULL, "the host's write was refused: %s", out);
	sh(out, sizeof(out), "cat %s/release_agent", cg);
	CHECK_STR(out, "/host-agent");
	sh(NULL, 0, "echo > %s/release_agent; umount %s", cg, cg);
	tracer_drain(500);
	CHECK_INT(tracer_count_alerts(RULE, blocked_as, &(struct blocked_as){ id, false, NULL }), 0);
}

/* Starts the private engine unless it answers, and imports the busybox image into it. */
static int docker_start(void)
{
	setenv("DOCKER_HOST", "unix://" DOCKER_EXEC ".sock", 1);
	if (sh(NULL, 0, "docker info >/dev/null 2>&1") != 0 &&
	    sh(NULL, 0,
	       "mkdir -p " DOCKER_ROOT " " DOCKER_EXEC " && dockerd --host unix://" DOCKER_EXEC ".sock --data-root " DOCKER_ROOT
	       " --exec-root " DOCKER_EXEC " --pidfile " DOCKER_EXEC ".pid --iptables=false --ip6tables=false --bridge=none"
	       " >%s/dockerd.log 2>&1 & i=0; until docker info >/dev/null 2>&1; do i=$((i+1));"
	       " [ $i -lt 60 ] || exit 1; sleep 0.5; done",
	       workdir) != 0)
		return -1;
	return sh(NULL, 0,
		  "docker image inspect " IMAGE " >/dev/null 2>&1 && exit 0; r=$(mktemp -d) && mkdir -p $r/bin $r/tmp $r/etc"
		  " && cp /bin/busybox $r/bin/ && for c in sh ls cat echo mount umount mkdir rmdir sed sleep chmod ps;"
		  " do ln -sf busybox $r/bin/$c; done && tar -C $r -c . | docker import -c 'CMD [\"/bin/sh\"]' - " IMAGE
		  " >/dev/null; e=$?; rm -rf $r; exit $e");
}

static void cleanup(void)
{
	tracer_kill();
	sh(NULL, 0, "docker exec " CTR " umount /tmp/cgrp >/dev/null 2>&1");
	sh(NULL, 0, "docker rm -f " CTR " bw-lsm-plain bw-lsm-hardened bw-lsm-core >/dev/null 2>&1");
	sh(NULL, 0, "umount %s/cg 2>/dev/null", workdir);
	/* the private engine: ours alone */
	sh(NULL, 0, "p=$(cat " DOCKER_EXEC ".pid 2>/dev/null) && kill $p && i=0 && while kill -0 $p 2>/dev/null && [ $i -lt 40 ];"
		    " do sleep 0.5; i=$((i+1)); done");
	sh(NULL, 0, "rm -rf '%s'", workdir);
}

int main(int argc, char **argv)
{
	char *targv[] = { NULL, "run", "--enforce", "--metrics-listen", "", "--docker-socket", DOCKER_EXEC ".sock",
			  "--docker-root", DOCKER_ROOT, NULL };

	if (argc != 3 || geteuid() != 0) {
		fprintf(stderr, "usage (root): %s PATH/TO/bulwark PATH/TO/opener\n", argv[0]);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (!mkdtemp(workdir))
		return 1;
	setenv("OPENER", argv[2], 1);
	snprintf(errfile, sizeof(errfile), "%s/run.stderr", workdir);
	if (docker_start() != 0) {
		fprintf(stderr, "cannot start a private Docker engine; see %s/dockerd.log\n", workdir);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	targv[0] = argv[1];
	if (tracer_start(targv, errfile)) {
		cleanup();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_tier);
	RUN(test_doors);
	RUN(test_seed_breakout_stopped);
	RUN(test_core_pattern);
	RUN(test_benign_not_refused);
	cleanup();
	return check_summary();
}
