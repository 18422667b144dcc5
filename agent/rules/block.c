// SPDX-License-Identifier: Apache-2.0
/*
 * action: block, compiled to kernel facts (struct bw_block_key). The kernel
 * refuses an operation without asking the agent, so a blocking rule must be
 * one the kernel can decide exactly enough: every operation it refuses must
 * be one the rule alerts on. The kernel's own test is always "a write-open
 * (FMODE_WRITE), by a task in a container, of a file on a superblock with
 * this magic whose dentry (and parent, grandparent) has these names"
 * (bpf/lib/block.bpf.h). The condition, macros and lists expanded, is put in
 * disjunctive form; each conjunction must name the open, the write, the
 * filesystem and the file name, and may name nothing else the kernel cannot
 * check. A check the kernel does not need (evt.res >= 0, bulwark.blocked,
 * container.id != host, which the kernel applies anyway) is accepted.
 * Exceptions must only exempt the host (container.id = host): the kernel
 * never blocks the host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_SETS 32

/* A conjunction's facts so far. */
struct pfact {
	uint32_t magic;
	bool open, write;
	const char *comp[3]; /* name, parent, grandparent */
	uint32_t comp_len[3];
};

struct bc {
	struct pfact v[MAX_SETS];
	size_t n;
	char *msg;
	size_t len;
	bool failed;
};

static int bc_fail(char *msg, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bc_fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct {
	const char *fs;
	uint32_t magic;
} fs_magics[] = {
	{ "cgroup", 0x27e0eb },    /* CGROUP_SUPER_MAGIC: cgroup v1 */
	{ "proc", 0x9fa0 },        /* PROC_SUPER_MAGIC */
	{ "sysfs", 0x62656572 },   /* SYSFS_MAGIC */
	{ "cgroup2", 0x63677270 }, /* CGROUP2_SUPER_MAGIC */
};

/* The doors of a file open: a rule naming fewer would alert on less than the kernel refuses. */
static const char *const open_types[] = { "open", "openat", "openat2", "creat", "open_by_handle_at" };

static bool sv_eq(const struct cval *v, const char *s)
{
	return v->s.len == strlen(s) && memcmp(v->s.p, s, v->s.len) == 0;
}

/* Sets of one conjunction each (@n of them), from one comparison. */
typedef int (*leaf_fn)(const struct cnode *c, struct pfact *out, size_t *n, char *msg, size_t len);

static const char *fname(const struct cnode *c)
{
	return fields_table[c->field].name;
}

static bool eq_or_in(const struct cnode *c)
{
	return c->op == OP_EQ || c->op == OP_IN;
}

/* One comparison: the conjunctions it allows (several for "in"), or an error. */
static int leaf(const struct cnode *c, struct pfact *out, size_t *n, char *msg, size_t len)
{
	const char *f = fname(c);
	size_t i, j;

	*n = 0;
	memset(out, 0, sizeof(*out));
	if (c->mod != MOD_NONE || c->idx >= 0 || c->any)
		goto undecidable;
	if (!strcmp(f, "evt.type") && eq_or_in(c)) {
		for (j = 0; j < sizeof(open_types) / sizeof(open_types[0]); j++) {
			bool found = false;

			for (i = 0; i < c->n; i++)
				found |= sv_eq(&c->vals[i], open_types[j]);
			if (!found)
				return bc_fail(msg, len, "evt.type must name every open (open, openat, openat2, creat, "
					       "open_by_handle_at): the kernel refuses the file's open by any of them");
		}
		for (i = 0; i < c->n; i++) {
			bool known = false;

			for (j = 0; j < sizeof(open_types) / sizeof(open_types[0]); j++)
				known |= sv_eq(&c->vals[i], open_types[j]);
			if (!known)
				return bc_fail(msg, len, "evt.type '%.*s': only opens can be blocked", (int)c->vals[i].s.len,
					       c->vals[i].s.p);
		}
		out[0].open = true;
		*n = 1;
		return 0;
	}
	if (!strcmp(f, "evt.is_open_write") && c->op == OP_EQ && c->n == 1 && c->vals[0].b) {
		out[0].write = true;
		*n = 1;
		return 0;
	}
	/* decided after the kernel's decision, or by it: no fact to check */
	if ((!strcmp(f, "evt.res") && c->op == OP_GE && c->n == 1 && c->vals[0].i == 0) ||
	    (!strcmp(f, "bulwark.blocked") && c->op == OP_EQ && c->n == 1 && c->vals[0].b) ||
	    (!strcmp(f, "container.id") && c->op == OP_NE && c->n == 1 && sv_eq(&c->vals[0], "host"))) {
		*n = 1;
		return 0;
	}
	if (!strcmp(f, "fd.filename") && eq_or_in(c)) {
		for (i = 0; i < c->n && i < MAX_SETS; i++) {
			if (!c->vals[i].s.len || c->vals[i].s.len >= BW_BLOCK_NAME - 1 || memchr(c->vals[i].s.p, '/', c->vals[i].s.len))
				return bc_fail(msg, len, "fd.filename '%.*s': a file name of 1..%d bytes without '/'",
					       (int)c->vals[i].s.len, c->vals[i].s.p, BW_BLOCK_NAME - 2);
			memset(&out[i], 0, sizeof(out[i]));
			out[i].comp[0] = c->vals[i].s.p;
			out[i].comp_len[0] = c->vals[i].s.len;
		}
		*n = i;
		return 0;
	}
	if (!strcmp(f, "bulwark.fs.type") && eq_or_in(c)) {
		for (i = 0; i < c->n && i < MAX_SETS; i++) {
			for (j = 0; j < sizeof(fs_magics) / sizeof(fs_magics[0]) && !sv_eq(&c->vals[i], fs_magics[j].fs); j++)
				;
			if (j == sizeof(fs_magics) / sizeof(fs_magics[0]))
				return bc_fail(msg, len, "bulwark.fs.type '%.*s': the kernel knows cgroup, cgroup2, proc and sysfs by magic",
					       (int)c->vals[i].s.len, c->vals[i].s.p);
			memset(&out[i], 0, sizeof(out[i]));
			out[i].magic = fs_magics[j].magic;
		}
		*n = i;
		return 0;
	}
	if (!strcmp(f, "fd.name") && c->op == OP_ENDSWITH && c->n == 1) {
		/* "/a/b/c": c, its parent b, its grandparent a (a leading '/' makes each a whole name) */
		const char *p = c->vals[0].s.p, *end = p + c->vals[0].s.len;
		int k = 0;

		if (c->vals[0].s.len < 2 || p[0] != '/' || end[-1] == '/')
			goto endswith;
		while (end > p && k < 3) {
			const char *s = end;

			while (s > p && s[-1] != '/')
				s--;
			if (s == end || end - s >= BW_BLOCK_NAME - 1)
				goto endswith;
			out[0].comp[k] = s;
			out[0].comp_len[k] = end - s;
			k++;
			end = s - 1; /* the '/' */
		}
		if (end > p)
			goto endswith;
		*n = 1;
		return 0;
endswith:
		return bc_fail(msg, len, "fd.name endswith '%.*s': up to three whole components, '/a/b/c'",
			       (int)c->vals[0].s.len, c->vals[0].s.p);
	}
undecidable:
	return bc_fail(msg, len, "%s %s cannot be decided in the kernel (it knows the open, its write intent, "
		       "the filesystem, the file's name and its parents' names, and whether the task is in a container)",
		       f, cop_name(c->op));
}

/* a ∧ b into @out; false when they contradict (two magics, two names for one component). */
static bool merge(const struct pfact *a, const struct pfact *b, struct pfact *out)
{
	int k;

	*out = *a;
	if (b->magic && a->magic && a->magic != b->magic)
		return false;
	if (b->magic)
		out->magic = b->magic;
	out->open |= b->open;
	out->write |= b->write;
	for (k = 0; k < 3; k++) {
		if (!b->comp[k])
			continue;
		if (a->comp[k] && (a->comp_len[k] != b->comp_len[k] || memcmp(a->comp[k], b->comp[k], a->comp_len[k])))
			return false;
		out->comp[k] = b->comp[k];
		out->comp_len[k] = b->comp_len[k];
	}
	return true;
}

/* The disjunctive form of @c into @out (@n conjunctions). */
static int dnf(const struct cnode *c, struct pfact *out, size_t *n, char *msg, size_t len)
{
	struct pfact a[MAX_SETS], b[MAX_SETS];
	size_t na = 0, nb, i, j, k;
	int e;

	switch (c->kind) {
	case CN_CONST:
		memset(out, 0, sizeof(*out));
		*n = c->value ? 1 : 0;
		return 0;
	case CN_CMP:
		return leaf(c, out, n, msg, len);
	case CN_NOT:
		return bc_fail(msg, len, "'not' cannot be decided in the kernel");
	case CN_OR:
		*n = 0;
		for (i = 0; i < c->n; i++) {
			e = dnf(c->kids[i], a, &na, msg, len);
			if (e)
				return e;
			if (*n + na > MAX_SETS)
				return bc_fail(msg, len, "more than %d alternatives", MAX_SETS);
			memcpy(out + *n, a, na * sizeof(a[0]));
			*n += na;
		}
		return 0;
	case CN_AND:
		memset(&a[0], 0, sizeof(a[0]));
		na = 1;
		for (i = 0; i < c->n; i++) {
			e = dnf(c->kids[i], b, &nb, msg, len);
			if (e)
				return e;
			k = 0;
			for (j = 0; j < na; j++) {
				size_t m;

				for (m = 0; m < nb; m++) {
					if (k == MAX_SETS)
						return bc_fail(msg, len, "more than %d alternatives", MAX_SETS);
					if (merge(&a[j], &b[m], &out[k]))
						k++;
				}
			}
			memcpy(a, out, k * sizeof(a[0]));
			na = k;
		}
		memcpy(out, a, na * sizeof(a[0]));
		*n = na;
		return 0;
	}
	return bc_fail(msg, len, "unexpected condition node");
}

/* Does an exception's tuple only exempt the host (one of its checks is container.id = host)? */
static bool host_only(const struct cnode *m)
{
	size_t i;

	if (m->kind == CN_CMP)
		return !strcmp(fname(m), "container.id") && m->op == OP_EQ && m->n == 1 && sv_eq(&m->vals[0], "host");
	if (m->kind == CN_AND)
		for (i = 0; i < m->n; i++)
			if (host_only(m->kids[i]))
				return true;
	return false;
}

int block_compile(struct arena *ar, struct rule *r, char *msg, size_t len)
{
	struct pfact v[MAX_SETS];
	size_t n = 0, i, out = 0;
	int k, e;

	for (i = 0; i < r->nexc; i++)
		if (!host_only(r->exc[i].match))
			return bc_fail(msg, len, "exception '%s' cannot be decided in the kernel: with action: block, "
				       "exceptions may only exempt the host (container.id = host)",
				       r->exc[i].exc_name ? r->exc[i].exc_name : "?");
	e = dnf(r->cond, v, &n, msg, len);
	if (e)
		return e;
	if (n == 0)
		return bc_fail(msg, len, "the condition can never hold");
	r->block = arena_alloc(ar, n * sizeof(*r->block));
	if (!r->block)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct bw_block_key *b = &r->block[out];
		size_t j;
		bool dup = false;

		if (!v[i].open || !v[i].write)
			return bc_fail(msg, len, "only write-opens can be blocked: the condition must hold for opens "
				       "with write intent only (open_write)");
		if (!v[i].magic)
			return bc_fail(msg, len, "the kernel needs the filesystem: bulwark.fs.type = cgroup, proc or sysfs");
		if (!v[i].comp[0])
			return bc_fail(msg, len, "the kernel needs the file's name: fd.filename = NAME or fd.name endswith /a/b/c");
		memset(b, 0, sizeof(*b));
		b->fs_magic = v[i].magic;
		for (k = 0; k < 3 && v[i].comp[k]; k++)
			memcpy(k == 0 ? b->name : k == 1 ? b->parent : b->gparent, v[i].comp[k], v[i].comp_len[k]);
		b->depth = k;
		for (j = 0; j < out; j++)
			dup |= memcmp(&r->block[j], b, sizeof(*b)) == 0;
		if (!dup)
			out++;
	}
	r->nblock = out;
	return 0;
}

size_t rules__block_facts(const struct rules *rs, struct bw_block_key *out, size_t max)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (!r->enabled || !r->blocks)
			continue;
		for (j = 0; j < r->nblock; j++) {
			bool dup = false;

			for (k = 0; k < n && k < max; k++)
				dup |= memcmp(&out[k], &r->block[j], sizeof(out[k])) == 0;
			if (dup)
				continue;
			if (n < max)
				out[n] = r->block[j];
			n++;
		}
	}
	return n;
}

bool rule_blocks(const struct rule *r)
{
	return r->blocks;
}
