// SPDX-License-Identifier: Apache-2.0
#include "proctree.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "util.h"

struct node {
	struct proc_info info; /* strings owned by the node; info.pid is the table's key */
	struct table_link link;
	bool cgroup_stale;
};

/* An exit waiting for its grace period to end. */
struct exited {
	int32_t idx; /* the node's slot (table__index) */
	uint32_t pid;
	uint64_t start_time;
	uint64_t at_ms;
};

struct proctree {
	struct table *nodes; /* one node per pid: a newer process of a pid replaces the older */
	struct exited *exits; /* FIFO ring of capacity entries, oldest at exit_head */
	size_t exit_head, exit_len, capacity;
	char procfs[PATH_MAX];
	long clk_tck;
	struct proctree_stats st;
};

static bool same_start(const struct proctree *pt, uint64_t a, uint64_t b);

/* Knuth's multiplicative hash: distinct low 16 bits of a pid land in distinct buckets of a 64 Ki table. */
static uint32_t pid_hash(uint32_t pid)
{
	return pid * 2654435761u;
}

static uint32_t node_hash(const void *e)
{
	return pid_hash(((const struct node *)e)->info.pid);
}

static bool node_match(const void *e, const void *pid)
{
	return ((const struct node *)e)->info.pid == *(const uint32_t *)pid;
}

static void node_clear(struct node *n)
{
	free((char *)n->info.exe);
	free((char *)n->info.args);
	free((char *)n->info.cgroup);
	memset(&n->info, 0, sizeof(n->info));
}

static void node_release(void *e, void *ctx)
{
	(void)ctx;
	node_clear(e);
}

static const struct table_ops node_ops = {
	.size = sizeof(struct node),
	.link = offsetof(struct node, link),
	.hash = node_hash,
	.match = node_match,
	.release = node_release,
};

struct proctree *proctree__new(size_t capacity, const char *procfs)
{
	struct proctree *pt = calloc(1, sizeof(*pt));

	if (!pt)
		return NULL;
	pt->capacity = capacity ? capacity : 1;
	/* the table touches a node only when it is first used: a large capacity costs no memory up front */
	pt->nodes = table__new(&node_ops, pt->capacity, NULL);
	pt->exits = malloc(pt->capacity * sizeof(*pt->exits));
	if (!pt->nodes || !pt->exits) {
		proctree__free(pt);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(pt->procfs, sizeof(pt->procfs), "%s", procfs ? procfs : "/proc");
	pt->clk_tck = sysconf(_SC_CLK_TCK);
	if (pt->clk_tck <= 0)
		pt->clk_tck = 100;
	return pt;
}

void proctree__free(struct proctree *pt)
{
	if (!pt)
		return;
	table__free(pt->nodes);
	free(pt->exits);
	free(pt);
}

/* The node for pid (any start time), or NULL. */
static struct node *find_pid(const struct proctree *pt, uint32_t pid)
{
	return table__find(pt->nodes, pid_hash(pid), &pid);
}

/* A fresh node for pid, replacing any older process with the same pid and evicting the LRU if full. */
static struct node *insert_node(struct proctree *pt, uint32_t pid)
{
	struct node *n = find_pid(pt, pid);

	if (n)
		table__remove(pt->nodes, n); /* pid reused, or image replaced: the old entry is gone */
	n = table__insert(pt->nodes, pid_hash(pid));
	n->info.pid = pid;
	return n;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void node_set(struct node *n, const struct proc_info *pi)
{
	n->info.pid = pi->pid;
	n->info.ppid = pi->ppid;
	n->info.uid = pi->uid;
	memcpy(n->info.comm, pi->comm, sizeof(n->info.comm));
	n->info.comm[sizeof(n->info.comm) - 1] = '\0';
	n->info.start_time = pi->start_time;
	n->info.parent_start_time = pi->parent_start_time;
	proc_info_copy_exec_facts(&n->info, pi);
	n->info.exe = dup_bytes(pi->exe ? pi->exe : "", pi->exe ? strlen(pi->exe) : 0);
	n->info.args = dup_bytes(pi->args ? pi->args : "", pi->args ? pi->args_len : 0);
	n->info.args_len = n->info.args && pi->args ? pi->args_len : 0;
	n->info.cgroup = dup_bytes(pi->cgroup ? pi->cgroup : "", pi->cgroup ? strlen(pi->cgroup) : 0);
}

void proctree__exec(struct proctree *pt, const struct proc_info *pi)
{
	node_set(insert_node(pt, pi->pid), pi);
}

void proctree__fork(struct proctree *pt, const struct proc_info *child)
{
	struct node *parent = find_pid(pt, child->ppid), *known = find_pid(pt, child->pid);
	struct proc_info pi = *child;
	struct node tmp = { 0 };

	/*
	 * Known already: its exec (delivered first, from the critical ring) or a
	 * /proc load got here before the fork record. That is newer; keep it.
	 */
	if (known && same_start(pt, known->info.start_time, child->start_time))
		return;

	pi.exe = pi.args = pi.cgroup = NULL;
	pi.args_len = 0;
	if (parent && same_start(pt, parent->info.start_time, child->parent_start_time)) {
		pi.exe = parent->info.exe;
		pi.args = parent->info.args;
		pi.args_len = parent->info.args_len;
		pi.cgroup = parent->info.cgroup;
		proc_info_copy_exec_facts(&pi, &parent->info);
	}
	/* copy first: making room for the child may evict the parent and free its strings */
	node_set(&tmp, &pi);
	insert_node(pt, child->pid)->info = tmp.info;
}

void proctree__exit(struct proctree *pt, uint32_t pid, uint64_t start_time, uint64_t now_ms)
{
	struct node *n = find_pid(pt, pid);

	if (!n || !same_start(pt, n->info.start_time, start_time))
		return;
	if (pt->exit_len == pt->capacity) {
		table__remove(pt->nodes, n); /* every slot holds an exited process: no grace left to give */
		return;
	}
	pt->exits[(pt->exit_head + pt->exit_len++) % pt->capacity] = (struct exited){
		.idx = table__index(pt->nodes, n), .pid = pid, .start_time = start_time, .at_ms = now_ms
	};
}

void proctree__reap(struct proctree *pt, uint64_t now_ms)
{
	while (pt->exit_len) {
		struct exited *x = &pt->exits[pt->exit_head];
		struct node *n = table__at(pt->nodes, x->idx);

		if (now_ms - x->at_ms < PROCTREE_EXIT_GRACE_MS)
			break;
		/* the slot may have been evicted or reused since: remove only the process that exited */
		if (n && n->info.pid == x->pid && same_start(pt, n->info.start_time, x->start_time))
			table__remove(pt->nodes, n);
		pt->exit_head = (pt->exit_head + 1) % pt->capacity;
		pt->exit_len--;
	}
}

void proctree__cgroup_changed(struct proctree *pt, uint32_t pid)
{
	struct node *n = find_pid(pt, pid);

	if (n)
		n->cgroup_stale = true;
}

/* Start time (ns since boot) and ppid of /proc/<pid>; 0 on success. */
/* From /proc/<pid>/stat: the start time, the parent and (tty_nr not NULL) the controlling tty's device number. */
static int procfs_stat(const struct proctree *pt, uint32_t pid, uint64_t *start_ns, uint32_t *ppid,
		       unsigned int *tty_nr)
{
	char path[PATH_MAX + 32], buf[1024], *p;
	unsigned long long ticks;
	unsigned int pp;
	int tty;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/stat", pt->procfs, pid);
	n = util_read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields resume after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %u %*d %*d %d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &pp, &tty, &ticks) != 3)
		return -1;
	*start_ns = ticks * (1000000000ull / pt->clk_tck);
	*ppid = pp;
	if (tty_nr)
		*tty_nr = (unsigned int)tty;
	return 0;
}

/*
 * Start times from the kernel are exact nanoseconds; those read from /proc are
 * whole clock ticks, truncated (a multiple of the tick, which a kernel value
 * is with a chance of 1 in 10^7). Equal values match; an exact value matches
 * the tick count it truncates to. Two processes with one pid inside one tick
 * would need the whole pid space to wrap in 10 ms.
 */
static bool same_start(const struct proctree *pt, uint64_t a, uint64_t b)
{
	uint64_t tick = 1000000000ull / pt->clk_tck, exact, rounded;
	bool a_rounded = a % tick == 0, b_rounded = b % tick == 0;

	if (a == b)
		return true;
	if (a_rounded == b_rounded)
		return false;
	exact = a_rounded ? b : a;
	rounded = a_rounded ? a : b;
	return exact >= rounded && exact - rounded < tick;
}

/*
 * The rank of a v1 line's controllers in the kernel's cgroup_subsys_id order
 * (cpuset, cpu, cpuacct, io, memory, devices, freezer, net_cls, ...), the
 * order in which the sensor looks for a non-root v1 cgroup; named
 * hierarchies (name=systemd) rank last.
 */
static int controller_rank(const char *ctrls, size_t len)
{
	static const char *const order[] = { "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer",
					     "net_cls" };
	size_t i, n;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *c = ctrls, *end = ctrls + len;

		n = strlen(order[i]);
		while (c < end) {
			const char *comma = memchr(c, ',', end - c);
			size_t clen = (comma ? comma : end) - c;

			if (clen == n && memcmp(c, order[i], n) == 0)
				return i;
			c += clen + 1;
		}
	}
	return 100;
}

/* The cgroup path as the sensor chooses it: cgroup2 unless "/", else the first non-root v1 cgroup in subsystem order. */
static char *procfs_cgroup(const struct proctree *pt, uint32_t pid)
{
	char path[PATH_MAX + 32], buf[8192], *line, *save = NULL, *v2 = NULL, *v1 = NULL;
	int v1_rank = 1000;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/cgroup", pt->procfs, pid);
	n = util_read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		int rank;

		if (!c2)
			continue;
		/* the cgroup2 line is "0::<path>": hierarchy id 0, no controllers */
		if (c1 == line + 1 && line[0] == '0' && c2 == c1 + 1) {
			v2 = c2 + 1;
			continue;
		}
		rank = controller_rank(c1 + 1, c2 - c1 - 1);
		if (c2 != c1 + 1 && strcmp(c2 + 1, "/") != 0 && rank < v1_rank) {
			v1 = c2 + 1;
			v1_rank = rank;
		}
	}
	if (v2 && strcmp(v2, "/") != 0)
		return strdup(v2);
	return strdup(v1 ? v1 : (v2 ? v2 : ""));
}

/*
 * From /proc/<pid>/status: the real uid ("Uid:\treal\teffective...", 0 if unreadable) and the
 * effective capabilities (CapEff); false when CapEff cannot be read.
 */
static bool procfs_status(const struct proctree *pt, uint32_t pid, uint32_t *uid, uint64_t *caps)
{
	char path[PATH_MAX + 32], buf[4096], *line;
	unsigned int u = 0;
	unsigned long long c = 0;
	bool caps_ok = false;
	ssize_t n;

	*uid = 0;
	snprintf(path, sizeof(path), "%s/%u/status", pt->procfs, pid);
	n = util_read_small(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	line = strstr(buf, "\nUid:");
	if (line && sscanf(line + 5, "%u", &u) == 1)
		*uid = u;
	line = strstr(buf, "\nCapEff:");
	caps_ok = line && sscanf(line + 8, "%llx", &c) == 1;
	*caps = c;
	return caps_ok;
}

/* The controlling tty's name from stat's tty_nr: ptsN (major 136..143), ttyN (major 4); else "". */
static void tty_name_of(unsigned int tty_nr, char *out, size_t size)
{
	unsigned int major = (tty_nr >> 8) & 0xfff, minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);

	if (major >= 136 && major <= 143)
		snprintf(out, size, "pts%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(out, size, "tty%u", minor);
	else
		out[0] = '\0';
}

static struct node *load_from_procfs(struct proctree *pt, uint32_t pid, uint64_t start_time)
{
	char path[PATH_MAX + 32], exe[PATH_MAX], args[4096];
	struct proc_info pi = { .pid = pid, .start_time = start_time };
	unsigned int tty_nr = 0;
	uint64_t st;
	ssize_t n;
	struct node *node;

	pt->st.procfs_reads++;
	if (procfs_stat(pt, pid, &st, &pi.ppid, &tty_nr) || !same_start(pt, st, start_time)) {
		pt->st.procfs_failures++;
		return NULL; /* gone, or the pid now belongs to another process */
	}
	snprintf(path, sizeof(path), "%s/%u/exe", pt->procfs, pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "%s/%u/comm", pt->procfs, pid);
	n = util_read_small(path, pi.comm, sizeof(pi.comm) - 1);
	pi.comm[n > 0 ? n - (pi.comm[n - 1] == '\n') : 0] = '\0';
	if (procfs_status(pt, pid, &pi.uid, &pi.cap_effective)) {
		char buf[32];

		pi.exec_facts = true;
		snprintf(path, sizeof(path), "%s/%u/loginuid", pt->procfs, pid);
		n = util_read_small(path, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		pi.loginuid = n > 0 ? (uint32_t)strtoul(buf, NULL, 10) : 0xffffffffu;
		tty_name_of(tty_nr, pi.tty, sizeof(pi.tty));
	}
	snprintf(path, sizeof(path), "%s/%u/cmdline", pt->procfs, pid);
	n = util_read_small(path, args, sizeof(args));
	/* the parent's identity, so that ancestry can be walked by (pid, start time) */
	if (pi.ppid && procfs_stat(pt, pi.ppid, &pi.parent_start_time, &(uint32_t){ 0 }, NULL) != 0)
		pi.parent_start_time = 0;
	pi.exe = exe;
	pi.args = args;
	pi.args_len = n > 0 ? (size_t)n - (args[n - 1] == '\0') : 0;
	pi.cgroup = "";
	node = insert_node(pt, pid);
	node_set(node, &pi);
	free((char *)node->info.cgroup);
	node->info.cgroup = procfs_cgroup(pt, pid);
	if (!node->info.cgroup)
		node->info.cgroup = strdup("");
	return node;
}

const struct proc_info *proctree__get(struct proctree *pt, uint32_t pid, uint64_t start_time)
{
	struct node *n = find_pid(pt, pid);

	if (n && same_start(pt, n->info.start_time, start_time)) {
		table__touch(pt->nodes, n);
		/* an entry from a /proc scan holds a tick-rounded time: keep the kernel's exact one */
		n->info.start_time = start_time;
	} else {
		table__miss(pt->nodes);
		n = load_from_procfs(pt, pid, start_time);
		if (!n)
			return NULL;
	}
	if (n->cgroup_stale) {
		char *cg = procfs_cgroup(pt, pid);

		if (cg) {
			free((char *)n->info.cgroup);
			n->info.cgroup = cg;
		}
		n->cgroup_stale = false;
	}
	return &n->info;
}

const struct proc_info *proctree__parent(struct proctree *pt, const struct proc_info *p)
{
	if (!p || p->ppid == 0 || p->ppid == p->pid)
		return NULL;
	return proctree__get(pt, p->ppid, p->parent_start_time);
}

size_t proctree__scan(struct proctree *pt)
{
	DIR *dir = opendir(pt->procfs);
	struct dirent *de;
	size_t n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		uint64_t start;
		uint32_t ppid;

		if (*end || pid == 0 || pid > UINT32_MAX || procfs_stat(pt, pid, &start, &ppid, NULL))
			continue;
		if (!find_pid(pt, pid) && load_from_procfs(pt, pid, start))
			n++;
	}
	closedir(dir);
	return n;
}

void proctree__stats(const struct proctree *pt, struct proctree_stats *st)
{
	struct table_stats ts;

	table__stats(pt->nodes, &ts);
	*st = pt->st;
	st->entries = ts.entries;
	st->capacity = ts.capacity;
	st->hits = ts.hits;
	st->misses = ts.misses;
	st->evictions = ts.evictions;
	st->exited_pending = pt->exit_len;
}
