/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process cache keyed by (pid, start time), so that a reused pid never mixes
 * two processes. Filled from exec and fork events and, for processes older
 * than the agent, from /proc on first sight. Bounded: when full, the least
 * recently used entry is evicted (counted).
 */
#ifndef BULWARK_PROCTREE_H
#define BULWARK_PROCTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proctree;

struct proc_info {
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;
	char comm[16];              /* the kernel's task name (Falco's proc.name) */
	uint64_t start_time;        /* ns since boot */
	uint64_t parent_start_time;
	const char *exe;            /* "" when unknown (kernel threads, vanished processes) */
	const char *args;           /* argv, NUL-separated, args_len bytes */
	size_t args_len;
	const char *cgroup;         /* "" when unknown */
	/*
	 * What an exec record says of the process beyond its image, kept so that events other
	 * than the exec can name them (Falco has thread.cap_effective, proc.tty, user.loginuid
	 * on every event): the effective capabilities at exec (a later capset or setuid is not
	 * seen), the audit login uid, the controlling tty's name. Inherited on fork; read from
	 * /proc for processes older than the agent.
	 */
	bool exec_facts;            /* false: the three below are unknown */
	uint32_t loginuid;          /* 4294967295 when unset */
	uint64_t cap_effective;
	char tty[16];               /* "pts0", "" without one */
};

/* The exec facts (exec_facts, loginuid, cap_effective, tty) of @src into @dst. */
static inline void proc_info_copy_exec_facts(struct proc_info *dst, const struct proc_info *src)
{
	dst->exec_facts = src->exec_facts;
	dst->loginuid = src->loginuid;
	dst->cap_effective = src->cap_effective;
	__builtin_memcpy(dst->tty, src->tty, sizeof(dst->tty));
	dst->tty[sizeof(dst->tty) - 1] = '\0';
}

struct proctree_stats {
	uint64_t entries, capacity;
	uint64_t hits, misses, procfs_reads, procfs_failures, evictions, exited_pending;
};

/* procfs: the /proc to read for processes older than the agent (a DaemonSet sees the host's as /host/proc). */
struct proctree *proctree__new(size_t capacity, const char *procfs);
void proctree__free(struct proctree *pt);

/* A process image replaced by exec: what the exec event says. Strings are copied. */
void proctree__exec(struct proctree *pt, const struct proc_info *pi);
/*
 * A new process (pid, start_time, ppid, parent_start_time, uid, comm of
 * @child): inherits exe, args and cgroup of its parent if the parent is known.
 */
void proctree__fork(struct proctree *pt, const struct proc_info *child);
/* Loads every process in procfs, so that processes older than the agent have ancestry; returns how many. */
size_t proctree__scan(struct proctree *pt);
/*
 * The parent of @p (NULL if unknown or gone). Like proctree__get, it may load
 * from procfs; with a capacity above the ancestry depth walked, the pointers
 * of the walk stay valid (LRU never evicts what was just touched).
 */
const struct proc_info *proctree__parent(struct proctree *pt, const struct proc_info *p);
/*
 * The process exited at @now_ms (any monotonic clock in ms). It stays known
 * for PROCTREE_EXIT_GRACE_MS more: its last opens and connects travel on the
 * common ring and may be read after its exit record, which travels on the
 * critical one. proctree__reap drops it afterwards.
 */
#define PROCTREE_EXIT_GRACE_MS 2000
void proctree__exit(struct proctree *pt, uint32_t pid, uint64_t start_time, uint64_t now_ms);
/* Drops processes whose exit is older than the grace period. */
void proctree__reap(struct proctree *pt, uint64_t now_ms);
/* The process moved to another cgroup: its cgroup path is read again when next asked for. */
void proctree__cgroup_changed(struct proctree *pt, uint32_t pid);
/*
 * The process, from the cache or /proc; NULL if unknown. The pointer stays
 * valid until the next call that modifies the tree.
 */
const struct proc_info *proctree__get(struct proctree *pt, uint32_t pid, uint64_t start_time);
void proctree__stats(const struct proctree *pt, struct proctree_stats *st);

#endif
