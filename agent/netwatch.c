// SPDX-License-Identifier: Apache-2.0
#include "netwatch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define WAYS 4 /* a process's window lives in one of 4 slots of its set */

struct dest {
	uint64_t ktime; /* 0: unused */
	uint32_t host;  /* hash of the address */
	uint16_t port;
	uint16_t _pad;
};

/* The initial pid namespace's inode number (PROC_PID_INIT_INO): a host process. */
#define HOST_PID_NS 0xeffffffcU

struct window {
	uint32_t pid;       /* 0: free; a container's window: its pid namespace */
	uint64_t start_time;/* a container's window: 0 (no process starts at 0) */
	uint64_t last;      /* ktime of the latest connect */
	unsigned int head;  /* next slot to overwrite */
	struct dest d[NETWATCH_SLOTS];
};

struct netwatch {
	struct window *w;
	unsigned int sets;
	uint64_t window_ns;
	struct netwatch_stats st;
};

struct netwatch *netwatch__new(unsigned int procs, uint64_t window_ns)
{
	struct netwatch *nw = calloc(1, sizeof(*nw));

	if (!nw)
		return NULL;
	nw->sets = procs < WAYS ? 1 : (procs + WAYS - 1) / WAYS;
	nw->window_ns = window_ns;
	nw->w = calloc((size_t)nw->sets * WAYS, sizeof(*nw->w));
	if (!nw->w) {
		free(nw);
		errno = ENOMEM;
		return NULL;
	}
	return nw;
}

void netwatch__free(struct netwatch *nw)
{
	if (!nw)
		return;
	free(nw->w);
	free(nw);
}

static uint32_t mix32(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static uint32_t addr_hash(const uint8_t *a, int n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	int i;

	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

/*
 * The window of the process, or of its container: a process in a pid namespace
 * other than the host's shares its namespace's window, so that a scan made of
 * many short processes (a shell loop of nc) adds up. A fresh window is taken
 * in the key's set when it has none (the least recently used is evicted).
 */
static struct window *window_of(struct netwatch *nw, const struct bw_proc *p)
{
	bool shared = p->pid_ns && p->pid_ns != HOST_PID_NS;
	uint32_t id = shared ? p->pid_ns : p->pid;
	uint64_t start = shared ? 0 : p->start_time;
	struct window *set = &nw->w[(size_t)(mix32(((uint64_t)id << 32) ^ start) % nw->sets) * WAYS];
	struct window *victim = NULL;
	int i;

	for (i = 0; i < WAYS; i++) {
		if (set[i].pid == id && set[i].start_time == start)
			return &set[i];
		if (!victim || (victim->pid && (!set[i].pid || set[i].last < victim->last)))
			victim = &set[i];
	}
	if (victim->pid)
		nw->st.evictions++;
	else
		nw->st.tracked++;
	memset(victim, 0, sizeof(*victim));
	victim->pid = id;
	victim->start_time = start;
	return victim;
}

/* Adds @key to an open-addressing set of 2 * NETWATCH_SLOTS; true if it was new. */
static bool set_add(uint32_t *set, bool *used, uint32_t key)
{
	unsigned int i = mix32(key) % (2 * NETWATCH_SLOTS);

	while (used[i]) {
		if (set[i] == key)
			return false;
		i = (i + 1) % (2 * NETWATCH_SLOTS);
	}
	used[i] = true;
	set[i] = key;
	return true;
}

void netwatch__observe(struct netwatch *nw, const struct event_view *v, uint64_t now_ns,
		       struct netwatch_counts *out)
{
	uint32_t ports[2 * NETWATCH_SLOTS], hosts[2 * NETWATCH_SLOTS];
	bool pused[2 * NETWATCH_SLOTS], hused[2 * NETWATCH_SLOTS];
	const struct bw_net *n;
	struct window *w;
	uint64_t now;
	int i;

	memset(out, 0, sizeof(*out));
	if (!nw || !v || v->ev->hdr.type != BW_EV_CONNECT || v->size < sizeof(*n))
		return;
	n = (const struct bw_net *)v->ev;
	if (n->family != AF_INET && n->family != AF_INET6)
		return;
	/* cleared only here: every event comes through, few are connects */
	memset(pused, 0, sizeof(pused));
	memset(hused, 0, sizeof(hused));
	now = now_ns ? now_ns : 1; /* 0 marks a free slot */
	w = window_of(nw, &n->ev.proc);
	w->d[w->head] = (struct dest){ .ktime = now, .port = n->port,
				       .host = addr_hash(n->addr, n->family == AF_INET ? 4 : 16) };
	w->head = (w->head + 1) % NETWATCH_SLOTS;
	w->last = now;
	nw->st.observed++;
	for (i = 0; i < NETWATCH_SLOTS; i++) {
		const struct dest *d = &w->d[i];

		/* a record from the future (rings merged out of order) counts as now */
		if (!d->ktime || (d->ktime < now && now - d->ktime > nw->window_ns))
			continue;
		out->ports += set_add(ports, pused, d->port);
		out->hosts += set_add(hosts, hused, d->host);
	}
}

void netwatch__stats(const struct netwatch *nw, struct netwatch_stats *st)
{
	*st = nw->st;
}
