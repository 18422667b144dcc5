// SPDX-License-Identifier: Apache-2.0
/*
 * The process cache, against a fake procfs in a temporary directory: the
 * files the cache reads for processes older than the agent (<pid>/stat,
 * cmdline, cgroup and the exe link) are written by the test, so every value
 * and every mismatch is known.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "proctree.h"

static char procdir[64];
static uint64_t tick_ns; /* what one clock tick of /proc/<pid>/stat field 22 is in ns */

/* ---- fake procfs --------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL, "cannot create %s", path);
	if (!f)
		return;
	CHECK(fwrite(data, 1, len, f) == len, "short write to %s", path);
	fclose(f);
}

static void proc_path(char *out, size_t size, uint32_t pid, const char *file)
{
	snprintf(out, size, "%s/%u/%s", procdir, pid, file);
}

/* <pid>/stat with a comm that has spaces and ')' in it, as a process may name itself. */
static void fake_stat(uint32_t pid, uint32_t ppid, unsigned long long start_ticks)
{
	char path[128], line[512];
	int n;

	n = snprintf(line, sizeof(line),
		     "%u (a b) c) S %u %u %u 34816 %u 4194560 1523 0 2 0 12 7 0 0 20 0 1 0 %llu 8658944 401 "
		     "18446744073709551615 94384113491968 94384114094541 140722431212288 0 0 0 65536 4 "
		     "1 0 0 17 3 0 0 0 0 0\n",
		     pid, ppid, pid, pid, pid, start_ticks);
	proc_path(path, sizeof(path), pid, "stat");
	write_file(path, line, n);
}

/* A whole fake /proc/<pid>; cmdline is NUL-separated with its final NUL, like the kernel's. */
static void fake_proc(uint32_t pid, uint32_t ppid, unsigned long long start_ticks, const char *exe,
		      const char *cmdline, size_t cmdline_len, const char *cgroup)
{
	char path[128];

	proc_path(path, sizeof(path), pid, "");
	CHECK(mkdir(path, 0755) == 0, "mkdir %s", path);
	fake_stat(pid, ppid, start_ticks);
	proc_path(path, sizeof(path), pid, "cmdline");
	write_file(path, cmdline, cmdline_len);
	proc_path(path, sizeof(path), pid, "cgroup");
	write_file(path, cgroup, strlen(cgroup));
	proc_path(path, sizeof(path), pid, "exe");
	CHECK(symlink(exe, path) == 0, "symlink %s", path);
}

static void fake_cgroup(uint32_t pid, const char *cgroup)
{
	char path[128];

	proc_path(path, sizeof(path), pid, "cgroup");
	write_file(path, cgroup, strlen(cgroup));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void setup(void)
{
	snprintf(procdir, sizeof(procdir), "/tmp/bw-proctree-XXXXXX");
	if (!mkdtemp(procdir)) {
		perror("mkdtemp");
		exit(2);
	}
	tick_ns = 1000000000ull / sysconf(_SC_CLK_TCK);
}

static void teardown(void)
{
	if (nftw(procdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS))
		perror("cleaning the fake procfs");
}

/* ---- helpers ------------------------------------------------------------- */

static struct proc_info info(uint32_t pid, uint64_t start, const char *exe, const char *args, size_t args_len,
			     const char *cgroup)
{
	return (struct proc_info){ .pid = pid, .ppid = 1, .start_time = start, .exe = exe, .args = args,
				   .args_len = args_len, .cgroup = cgroup };
}

static struct proctree_stats stats(const struct proctree *pt)
{
	struct proctree_stats st;

	proctree__stats(pt, &st);
	return st;
}

#define CHECK_ARGS(pi, want)                                                                      \
	CHECK((pi)->args_len == sizeof(want) - 1 && memcmp((pi)->args, want, sizeof(want) - 1) == 0, \
	      "args differ (%zu bytes, want %zu)", (pi)->args_len, sizeof(want) - 1)

/* ---- tests --------------------------------------------------------------- */

static void test_exec_then_get(void)
{
	static const char args[] = "/bin/sh\0-c\0true";
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(100, 5000, "/bin/dash", args, sizeof(args) - 1, "/docker/abc");
	const struct proc_info *pi;
	char exe[16];

	/* the cache copies: the caller's buffers (a ring buffer record) are reused at once */
	strcpy(exe, "/bin/dash");
	in.exe = exe;
	proctree__exec(pt, &in);
	memset(exe, 'X', sizeof(exe) - 1);

	pi = proctree__get(pt, 100, 5000);
	CHECK(pi != NULL, "exec'd process not found");
	if (pi) {
		CHECK_INT(pi->pid, 100);
		CHECK_INT(pi->ppid, 1);
		CHECK_INT(pi->start_time, 5000);
		CHECK_STR(pi->exe, "/bin/dash");
		CHECK_ARGS(pi, args);
		CHECK_STR(pi->cgroup, "/docker/abc");
	}
	CHECK_INT(stats(pt).hits, 1);
	CHECK_INT(stats(pt).misses, 0);
	CHECK_INT(stats(pt).procfs_reads, 0);
	CHECK_INT(stats(pt).entries, 1);

	/* absent strings in the exec info become "" */
	in = info(101, 6000, NULL, NULL, 0, NULL);
	proctree__exec(pt, &in);
	pi = proctree__get(pt, 101, 6000);
	CHECK(pi != NULL, "exec'd process without strings not found");
	if (pi) {
		CHECK_STR(pi->exe, "");
		CHECK_STR(pi->cgroup, "");
		CHECK_INT(pi->args_len, 0);
	}
	proctree__free(pt);
}

/* A second exec of the same process replaces its image: one entry, the new strings. */
static void test_exec_replaces(void)
{
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(100, 5000, "/bin/sh", "sh", 2, "/a");
	const struct proc_info *pi;

	proctree__exec(pt, &in);
	in = info(100, 5000, "/usr/bin/python3", "python3\0x.py", 12, "/a");
	proctree__exec(pt, &in);
	CHECK_INT(stats(pt).entries, 1);
	pi = proctree__get(pt, 100, 5000);
	if (pi) {
		CHECK_STR(pi->exe, "/usr/bin/python3");
		CHECK_ARGS(pi, "python3\0x.py");
	}
	CHECK(pi != NULL, "not found");
	proctree__free(pt);
}

/* A pid reused by another process is never answered with the old process. */
static void test_pid_reuse(void)
{
	static const char cmd[] = "new\0--flag\0";
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(200, 1000 * tick_ns, "/old/exe", "old", 3, "/old");
	const struct proc_info *pi;

	proctree__exec(pt, &in);
	/* the new process of pid 200 is only known to procfs: started at tick 2000 */
	fake_proc(200, 1, 2000, "/new/exe", cmd, sizeof(cmd) - 1, "0::/new\n");

	pi = proctree__get(pt, 200, 2000 * tick_ns);
	CHECK(pi != NULL, "new process not loaded from procfs");
	if (pi) {
		CHECK_STR(pi->exe, "/new/exe");
		CHECK_INT(pi->start_time, 2000 * tick_ns);
		CHECK_ARGS(pi, "new\0--flag");
	}
	CHECK_INT(stats(pt).misses, 1);
	CHECK_INT(stats(pt).procfs_reads, 1);
	/* the old process is gone from the cache, and procfs has the new one: unknown */
	pi = proctree__get(pt, 200, 1000 * tick_ns);
	CHECK(pi == NULL, "old process answered with exe %s", pi ? pi->exe : "");
	CHECK_INT(stats(pt).procfs_failures, 1);
	/* a cached pid with no procfs entry, asked for with another start time: unknown, not the cached one */
	in = info(201, 1000 * tick_ns, "/cached", "", 0, "");
	proctree__exec(pt, &in);
	pi = proctree__get(pt, 201, 1001 * tick_ns);
	CHECK(pi == NULL, "pid 201 answered with exe %s", pi ? pi->exe : "");
	pi = proctree__get(pt, 201, 1000 * tick_ns);
	CHECK(pi && strcmp(pi->exe, "/cached") == 0, "pid 201 lost");
	proctree__free(pt);
}

/* An exit whose grace period is over. */
static void exit_and_reap(struct proctree *pt, uint32_t pid, uint64_t start)
{
	proctree__exit(pt, pid, start, 0);
	proctree__reap(pt, PROCTREE_EXIT_GRACE_MS);
}

/* An exited process stays known for the grace period (its last events may still be on their way). */
static void test_exit_grace_period(void)
{
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(800, 77, "/bin/late", "late", 4, "/c");
	const struct proc_info *pi;

	proctree__exec(pt, &in);
	proctree__exit(pt, 800, 77, 1000);
	proctree__reap(pt, 1000 + PROCTREE_EXIT_GRACE_MS - 1);
	pi = proctree__get(pt, 800, 77);
	CHECK(pi && strcmp(pi->exe, "/bin/late") == 0, "gone before its grace period ended");
	CHECK_INT(stats(pt).exited_pending, 1);
	proctree__reap(pt, 1000 + PROCTREE_EXIT_GRACE_MS);
	CHECK_INT(stats(pt).entries, 0);
	CHECK_INT(stats(pt).exited_pending, 0);
	/* a slot reused by another process before the reap is not removed */
	in = info(801, 5, "/bin/a", "a", 1, "/");
	proctree__exec(pt, &in);
	proctree__exit(pt, 801, 5, 0);
	in = info(801, 6, "/bin/b", "b", 1, "/");
	proctree__exec(pt, &in);
	proctree__reap(pt, PROCTREE_EXIT_GRACE_MS);
	pi = proctree__get(pt, 801, 6);
	CHECK(pi && strcmp(pi->exe, "/bin/b") == 0, "the new process of a reused pid was reaped");
	proctree__free(pt);
}

/* A fork record as the tracer hands it over. */
static void fork_child(struct proctree *pt, uint32_t pid, uint64_t start, uint32_t ppid, uint64_t parent_start)
{
	struct proc_info child = { .pid = pid, .start_time = start, .ppid = ppid, .parent_start_time = parent_start };

	proctree__fork(pt, &child);
}

static void test_fork_inherits(void)
{
	static const char args[] = "nginx\0-g\0daemon off;";
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(300, 7000, "/usr/sbin/nginx", args, sizeof(args) - 1, "/kubepods/pod1/c1");
	const struct proc_info *pi;

	proctree__exec(pt, &in);
	fork_child(pt, 301, 8000, 300, 7000);
	pi = proctree__get(pt, 301, 8000);
	CHECK(pi != NULL, "forked child not found");
	if (pi) {
		CHECK_INT(pi->pid, 301);
		CHECK_INT(pi->ppid, 300);
		CHECK_INT(pi->start_time, 8000);
		CHECK_INT(pi->parent_start_time, 7000);
		CHECK_STR(pi->exe, "/usr/sbin/nginx");
		CHECK_ARGS(pi, args);
		CHECK_STR(pi->cgroup, "/kubepods/pod1/c1");
	}
	/* the child owns copies: the parent's exit does not touch them */
	exit_and_reap(pt, 300, 7000);
	pi = proctree__get(pt, 301, 8000);
	CHECK(pi && strcmp(pi->exe, "/usr/sbin/nginx") == 0, "child lost its exe with the parent");
	CHECK_INT(stats(pt).misses, 0);

	/* the parent's pid now belongs to another process: nothing is inherited from the old one */
	in = info(310, 100, "/bin/old", "old", 3, "/old");
	proctree__exec(pt, &in);
	fork_child(pt, 311, 900, 310, 500);
	pi = proctree__get(pt, 311, 900);
	CHECK(pi != NULL, "child of an unknown parent not recorded");
	if (pi) {
		CHECK_STR(pi->exe, "");
		CHECK_INT(pi->args_len, 0);
		CHECK_STR(pi->cgroup, "");
		CHECK_INT(pi->ppid, 310);
	}
	/* a parent never seen */
	fork_child(pt, 321, 900, 320, 800);
	pi = proctree__get(pt, 321, 900);
	CHECK(pi && pi->exe[0] == '\0', "child of an unseen parent");
	proctree__free(pt);
}

/* With a full cache the child's insertion evicts the parent: the child still gets its strings. */
static void test_fork_evicts_parent(void)
{
	struct proctree *pt = proctree__new(1, procdir);
	struct proc_info in = info(400, 10, "/bin/parent", "parent\0x", 8, "/p");
	const struct proc_info *pi;

	proctree__exec(pt, &in);
	fork_child(pt, 401, 20, 400, 10);
	CHECK_INT(stats(pt).evictions, 1);
	CHECK_INT(stats(pt).entries, 1);
	pi = proctree__get(pt, 401, 20);
	CHECK(pi != NULL, "child not found");
	if (pi) {
		CHECK_STR(pi->exe, "/bin/parent");
		CHECK_ARGS(pi, "parent\0x");
		CHECK_STR(pi->cgroup, "/p");
	}
	proctree__free(pt);
}

static void test_exit_removes(void)
{
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(500, 42, "/bin/x", "x", 1, "/");
	int i;

	proctree__exec(pt, &in);
	/* another process's exit with the same pid (a stale event) leaves the entry */
	exit_and_reap(pt, 500, 41);
	CHECK_INT(stats(pt).entries, 1);
	CHECK(proctree__get(pt, 500, 42) != NULL, "removed by an exit with another start time");
	exit_and_reap(pt, 500, 42);
	CHECK_INT(stats(pt).entries, 0);
	CHECK(proctree__get(pt, 500, 42) == NULL, "still there after exit");
	CHECK_INT(stats(pt).misses, 1);
	/* exit of an unknown process is harmless */
	exit_and_reap(pt, 999, 1);
	CHECK_INT(stats(pt).entries, 0);
	/* freed slots are reused: fill the whole cache again without evicting */
	for (i = 0; i < 16; i++) {
		in = info(600 + i, 1, "/bin/y", "y", 1, "/");
		proctree__exec(pt, &in);
		if (i % 2)
			exit_and_reap(pt, 600 + i, 1);
	}
	for (i = 0; i < 8; i++) {
		in = info(700 + i, 1, "/bin/z", "z", 1, "/");
		proctree__exec(pt, &in);
	}
	CHECK_INT(stats(pt).entries, 16);
	CHECK_INT(stats(pt).evictions, 0);
	for (i = 0; i < 16; i += 2)
		CHECK(proctree__get(pt, 600 + i, 1) != NULL, "pid %d lost", 600 + i);
	for (i = 0; i < 8; i++)
		CHECK(proctree__get(pt, 700 + i, 1) != NULL, "pid %d lost", 700 + i);
	proctree__free(pt);
}

/* capacity + N insertions evict exactly N, the least recently used, and never exceed capacity. */
static void test_capacity_bound(void)
{
	enum { CAP = 8, EXTRA = 5 };
	struct proctree *pt = proctree__new(CAP, procdir);
	struct proctree_stats st;
	int i;

	st = stats(pt);
	CHECK_INT(st.capacity, CAP);
	for (i = 0; i < CAP + EXTRA; i++) {
		struct proc_info in = info(1000 + i, 1, "/bin/e", "e", 1, "/");

		proctree__exec(pt, &in);
		st = stats(pt);
		CHECK(st.entries <= CAP, "entries %llu over capacity", (unsigned long long)st.entries);
		CHECK_INT(st.evictions, i < CAP ? 0 : i - CAP + 1);
	}
	st = stats(pt);
	CHECK_INT(st.entries, CAP);
	CHECK_INT(st.evictions, EXTRA);
	/* the first EXTRA went (no procfs entry either), the rest stayed */
	for (i = 0; i < EXTRA; i++)
		CHECK(proctree__get(pt, 1000 + i, 1) == NULL, "pid %d not evicted", 1000 + i);
	for (i = EXTRA; i < CAP + EXTRA; i++)
		CHECK(proctree__get(pt, 1000 + i, 1) != NULL, "pid %d evicted", 1000 + i);
	CHECK_INT(stats(pt).evictions, EXTRA);
	proctree__free(pt);
}

/* A lookup makes an entry recent: the next eviction takes another one. */
static void test_lru_order(void)
{
	struct proctree *pt = proctree__new(2, procdir);
	struct proc_info a = info(1, 1, "/a", "a", 1, "/"), b = info(2, 1, "/b", "b", 1, "/"),
			 c = info(3, 1, "/c", "c", 1, "/");

	proctree__exec(pt, &a);
	proctree__exec(pt, &b);
	CHECK(proctree__get(pt, 1, 1) != NULL, "a missing");
	proctree__exec(pt, &c);
	CHECK_INT(stats(pt).evictions, 1);
	CHECK(proctree__get(pt, 1, 1) != NULL, "a, just used, was evicted");
	CHECK(proctree__get(pt, 3, 1) != NULL, "c missing");
	CHECK(proctree__get(pt, 2, 1) == NULL, "b, least recently used, was kept");
	proctree__free(pt);
}

/* Many pids sharing hash buckets: each stays reachable and removable. */
static void test_many_pids(void)
{
	enum { N = 1000 };
	struct proctree *pt = proctree__new(N, procdir);
	uint32_t i;

	for (i = 0; i < N; i++) {
		char exe[32];
		struct proc_info in;

		snprintf(exe, sizeof(exe), "/bin/p%u", i * 4096);
		in = info(i * 4096 + 7, i, exe, "", 0, "");
		proctree__exec(pt, &in);
	}
	for (i = 0; i < N; i += 3)
		exit_and_reap(pt, i * 4096 + 7, i);
	for (i = 0; i < N; i++) {
		const struct proc_info *pi = proctree__get(pt, i * 4096 + 7, i);
		char exe[32];

		snprintf(exe, sizeof(exe), "/bin/p%u", i * 4096);
		if (i % 3 == 0)
			CHECK(pi == NULL, "pid %u survived its exit", i * 4096 + 7);
		else
			CHECK(pi && strcmp(pi->exe, exe) == 0, "pid %u wrong or missing", i * 4096 + 7);
	}
	CHECK_INT(stats(pt).evictions, 0);
	proctree__free(pt);
}

/* A process older than the agent: everything comes from procfs. */
static void test_miss_loads_procfs(void)
{
	static const char cmd[] = "/usr/bin/containerd-shim\0-namespace\0moby\0";
	static const char status[] = "Name:\tshim\nUmask:\t0022\nState:\tS\nUid:\t33\t33\t33\t33\n"
				     "CapInh:\t0000000000000000\nCapPrm:\t00000000a82425fb\nCapEff:\t00000000a82425fb\n";
	struct proctree *pt = proctree__new(16, procdir);
	const struct proc_info *pi;
	char path[128];

	fake_proc(123, 77, 424242, "/usr/bin/containerd-shim (deleted)", cmd, sizeof(cmd) - 1,
		  "12:pids:/\n4:cpu:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n");
	/* what an exec record would have said: capabilities, login uid (tty: stat's 34816 is pts0) */
	proc_path(path, sizeof(path), 123, "status");
	write_file(path, status, sizeof(status) - 1);
	proc_path(path, sizeof(path), 123, "loginuid");
	write_file(path, "1000", 4);
	pi = proctree__get(pt, 123, 424242 * tick_ns);
	CHECK(pi != NULL, "not loaded from procfs");
	if (pi) {
		CHECK_INT(pi->pid, 123);
		CHECK_INT(pi->ppid, 77); /* parsed past the ')' inside comm */
		CHECK_INT(pi->start_time, 424242 * tick_ns);
		CHECK_STR(pi->exe, "/usr/bin/containerd-shim (deleted)");
		/* the trailing NUL of cmdline is not an empty last argument */
		CHECK_ARGS(pi, "/usr/bin/containerd-shim\0-namespace\0moby");
		/* the v2 line is "/" (a v1 host): the first v1 hierarchy not at "/" */
		CHECK_STR(pi->cgroup, "/docker/abc");
		CHECK(pi->exec_facts, "the exec facts were not read");
		CHECK_INT(pi->uid, 33);
		CHECK_INT(pi->cap_effective, 0xa82425fbull);
		CHECK_INT(pi->loginuid, 1000);
		CHECK_STR(pi->tty, "pts0");
	}
	CHECK_INT(stats(pt).misses, 1);
	CHECK_INT(stats(pt).procfs_reads, 1);
	CHECK_INT(stats(pt).procfs_failures, 0);
	CHECK_INT(stats(pt).entries, 1);
	/* now cached: no second read */
	pi = proctree__get(pt, 123, 424242 * tick_ns);
	CHECK(pi != NULL, "not cached");
	CHECK_INT(stats(pt).hits, 1);
	CHECK_INT(stats(pt).procfs_reads, 1);
	proctree__free(pt);
}

/* Which cgroup line is chosen, for the layouts hosts really have. */
static void test_procfs_cgroup_choice(void)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "0::/\n4:cpu:/docker/abc\n", "/docker/abc" },          /* hybrid host, v1 container */
		{ "0::/kubepods/pod1/ctr\n", "/kubepods/pod1/ctr" },   /* pure cgroup v2 */
		{ "12:memory:/\n0::/user.slice/session-1.scope\n", "/user.slice/session-1.scope" },
		{ "5:cpuset:/\n3:cpu,cpuacct:/\n", "" },                /* all v1 hierarchies at "/", no v2 */
		{ "0::/\n", "/" },                                      /* the root cgroup */
		{ "2:cpu:/a\n1:memory:/b\n0::/\n", "/a" },              /* the first v1 hierarchy */
		{ "0::/path:with:colons\n", "/path:with:colons" },
		{ "", "" },
	};
	struct proctree *pt = proctree__new(16, procdir);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t pid = 2000 + i;
		const struct proc_info *pi;

		fake_proc(pid, 1, 100, "/bin/x", "x", 2, cases[i].file);
		pi = proctree__get(pt, pid, 100 * tick_ns);
		CHECK(pi != NULL, "case %zu not loaded", i);
		if (pi)
			CHECK(strcmp(pi->cgroup, cases[i].want) == 0, "case %zu: cgroup \"%s\", want \"%s\"", i,
			      pi->cgroup, cases[i].want);
	}
	proctree__free(pt);
}

/* procfs says another process (or none) owns the pid: unknown, counted. */
static void test_procfs_start_mismatch(void)
{
	struct proctree *pt = proctree__new(16, procdir);
	struct proctree_stats st;

	fake_proc(130, 1, 5000, "/bin/x", "x", 2, "0::/\n");
	CHECK(proctree__get(pt, 130, 5005 * tick_ns) == NULL, "5 ticks off accepted");
	CHECK(proctree__get(pt, 130, 4990 * tick_ns) == NULL, "10 ticks early accepted");
	CHECK(proctree__get(pt, 131, 5000 * tick_ns) == NULL, "a pid without /proc entry answered");
	st = stats(pt);
	CHECK_INT(st.misses, 3);
	CHECK_INT(st.procfs_reads, 3);
	CHECK_INT(st.procfs_failures, 3);
	CHECK_INT(st.entries, 0);
	/* /proc has tick resolution: the kernel's ns start time within the same tick matches */
	CHECK(proctree__get(pt, 130, 5000 * tick_ns + tick_ns / 2) != NULL, "same tick rejected");
	CHECK_INT(stats(pt).procfs_failures, 3);
	proctree__free(pt);
}

/* A stat file that cannot be parsed is a failure, not garbage. */
static void test_procfs_bad_stat(void)
{
	struct proctree *pt = proctree__new(16, procdir);
	char path[128];

	fake_proc(140, 1, 100, "/bin/x", "x", 2, "0::/\n");
	proc_path(path, sizeof(path), 140, "stat");
	write_file(path, "140 (trunc", strlen("140 (trunc"));
	CHECK(proctree__get(pt, 140, 100 * tick_ns) == NULL, "unparseable stat accepted");
	write_file(path, "140 (x) S 1 2 3\n", strlen("140 (x) S 1 2 3\n"));
	CHECK(proctree__get(pt, 140, 100 * tick_ns) == NULL, "short stat accepted");
	CHECK_INT(stats(pt).procfs_failures, 2);
	proctree__free(pt);
}

/* After a cgroup move, the next lookup reads the cgroup file again, once. */
static void test_cgroup_changed(void)
{
	struct proctree *pt = proctree__new(16, procdir);
	struct proc_info in = info(150, 100 * tick_ns, "/bin/sh", "sh", 2, "/from/exec");
	const struct proc_info *pi;

	fake_proc(150, 1, 100, "/bin/sh", "sh", 3, "0::/moved/here\n");
	proctree__exec(pt, &in);
	pi = proctree__get(pt, 150, 100 * tick_ns);
	CHECK(pi && strcmp(pi->cgroup, "/from/exec") == 0, "the exec record's cgroup is not used");

	proctree__cgroup_changed(pt, 150);
	pi = proctree__get(pt, 150, 100 * tick_ns);
	CHECK(pi && strcmp(pi->cgroup, "/moved/here") == 0, "cgroup not re-read: \"%s\"", pi ? pi->cgroup : "");
	CHECK_INT(stats(pt).hits, 2);

	/* no further change announced: the file is not read on every lookup */
	fake_cgroup(150, "0::/again\n");
	pi = proctree__get(pt, 150, 100 * tick_ns);
	CHECK(pi && strcmp(pi->cgroup, "/moved/here") == 0, "cgroup re-read without a change");

	/* the file is gone (the process exited meanwhile): the last known cgroup stays */
	{
		char path[128];

		proc_path(path, sizeof(path), 150, "cgroup");
		CHECK(unlink(path) == 0, "unlink");
	}
	proctree__cgroup_changed(pt, 150);
	pi = proctree__get(pt, 150, 100 * tick_ns);
	CHECK(pi && strcmp(pi->cgroup, "/moved/here") == 0, "cgroup lost: \"%s\"", pi ? pi->cgroup : "");

	/* a change for an unknown pid is harmless */
	proctree__cgroup_changed(pt, 151);
	CHECK_INT(stats(pt).entries, 1);
	proctree__free(pt);
}

int main(void)
{
	setup();
	RUN(test_exec_then_get);
	RUN(test_exec_replaces);
	RUN(test_pid_reuse);
	RUN(test_fork_inherits);
	RUN(test_fork_evicts_parent);
	RUN(test_exit_removes);
	RUN(test_exit_grace_period);
	RUN(test_capacity_bound);
	RUN(test_lru_order);
	RUN(test_many_pids);
	RUN(test_miss_loads_procfs);
	RUN(test_procfs_cgroup_choice);
	RUN(test_procfs_start_mismatch);
	RUN(test_procfs_bad_stat);
	RUN(test_cgroup_changed);
	teardown();
	return check_summary();
}
