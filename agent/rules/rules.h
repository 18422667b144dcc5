/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule engine: rules files in Falco's syntax (list, macro, rule items,
 * exceptions, overrides), compiled once into condition trees whose field
 * lookups are resolved to extractors, indexed by event kind, evaluated per
 * event without parsing or allocating, and rendered as Falco-schema alerts.
 *
 * Life cycle: rules__load_* builds a complete new ruleset or fails leaving
 * nothing behind (a SIGHUP reload keeps the old set on failure); rules__eval
 * runs the rules that can match one event; rules__free drops a set.
 *
 * Threading: a ruleset keeps its per-event field cache and scratch inside, so
 * rules__eval and the rendering functions must not run concurrently on one
 * ruleset (the agent evaluates on its single event loop).
 */
#ifndef BULWARK_RULES_H
#define BULWARK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h" /* first: linux/types.h for abi.h */
#include "abi.h"
#include "container.h"
#include "jsonw.h"
#include "output/alert.h"
#include "proctree.h"

/*
 * Event kinds the rules see: the kernel's event types (enum bw_event_type)
 * plus one synthetic kind, "container" (evt.type = container), raised once
 * per container when its metadata and posture are known. It has no kernel
 * record: a rule_input with ev == NULL and container != NULL is that event.
 */
#define RULES_EV_CONTAINER BW_EV_MAX
#define RULES_KIND_MAX (BW_EV_MAX + 1)

/*
 * Ancestry without depending on the process cache's internals: the live
 * agent plugs proctree in, replay its own map of the processes in a stream.
 * Pointers returned must stay valid while one event is evaluated.
 */
struct rules_proc_access {
	const struct proc_info *(*parent_of)(void *ctx, const struct proc_info *p); /* NULL: unknown */
	/* The kernel task name of @p (proc.name, proc.pname, proc.aname); NULL: derived from argv[0]/exe. */
	const char *(*comm_of)(void *ctx, const struct proc_info *p);
	void *ctx;
};

/* The host's namespace inode numbers (0 = unknown), for bulwark.ns.host; read from /proc/1/ns. */
struct rules_host {
	uint32_t mnt, net, pid, user, uts, ipc, cgroup, time;
};

/*
 * The running agent, for the rules that guard it (bulwark.agent.*, rules/tamper.yaml): its
 * process and its own files. NULL where there is no agent (replay, rules check).
 */
struct rules_agent {
	/* whether a pid (as an event names it: host pid namespace) is the agent or one of its threads */
	bool (*is_agent)(const struct rules_agent *a, uint32_t pid);
	uint32_t tgid;
	const char *const *paths; /* its binary, config, rules and spool; one ending in '/' covers a directory */
	size_t n_paths;
};

/* Everything one evaluation may look at. */
struct rule_input {
	const struct event_view *ev;            /* a validated record; NULL for a container event */
	const struct proc_info *proc;           /* the event's process (exe, args, cgroup); NULL if unknown */
	const struct container_info *container; /* NULL = the host */
	int64_t time_ns;                        /* wall-clock time of the event (ns since the epoch) */
	const struct rules_proc_access *procs;  /* NULL: no ancestry */
	const struct rules_host *host;          /* NULL: unknown */
	/* exec on the host of a file in a container's overlay upper layer: that container (NULL otherwise) */
	const struct container_info *layer_container;
	/* connect: distinct destination ports / addresses of the process in the sweep window (agent/netwatch.c) */
	uint32_t sweep_ports, sweep_hosts;
	const struct rules_agent *agent;        /* NULL: no agent to guard */
};

/* Falco's priorities, most severe first (the same values as enum alert_priority of agent/output). */
enum rule_priority {
	RULE_PRIO_EMERGENCY = 0,
	RULE_PRIO_ALERT,
	RULE_PRIO_CRITICAL,
	RULE_PRIO_ERROR,
	RULE_PRIO_WARNING,
	RULE_PRIO_NOTICE,
	RULE_PRIO_INFORMATIONAL,
	RULE_PRIO_DEBUG,
	RULE_PRIO_MAX,
};

const char *rules_priority_name(enum rule_priority p); /* "Critical", as Falco prints it */

/* One diagnostic, "file:line:col: message" (line and col from 1; 0 = unknown). */
struct rules_diag {
	char *file;
	unsigned int line, col;
	bool warning;
	char *msg;
};

struct rules_diags {
	struct rules_diag *v;
	size_t n, cap;
	size_t errors, warnings;
	/*
	 * Input: refuse what Falco accepts with a warning (a repeated definition,
	 * which Falco lets replace the earlier one; an unknown key). `rules check --strict`.
	 */
	bool strict;
};

void rules_diags_free(struct rules_diags *d);
/* One line per diagnostic; warnings carry "warning: " before the message. */
void rules_diags_print(const struct rules_diags *d, FILE *out);

/* A rules file already in memory (the embedded defaults, tests). */
struct rules_source {
	const char *name; /* shown in diagnostics, e.g. "rules/breakout.yaml" */
	const char *text;
	size_t len;
};

/* The default ruleset, embedded from the YAML files in rules/ at build time. */
extern const struct rules_source rules_default_sources[];
extern const size_t rules_default_count;

struct rules;
struct rule;

/*
 * Loads and compiles sources in order (later ones may override earlier
 * ones). On any error returns NULL with errno EINVAL and every problem in
 * @diags (which also receives warnings on success; may be NULL).
 */
struct rules *rules__load_sources(const struct rules_source *src, size_t n, struct rules_diags *diags);
/* Files and directories (a directory contributes its *.yaml and *.yml files, sorted by name). */
struct rules *rules__load_paths(const char *const *paths, size_t n, struct rules_diags *diags);
/* The embedded default ruleset. */
struct rules *rules__load_default(struct rules_diags *diags);
void rules__free(struct rules *rs);

/* Called for each matching rule, in load order; return non-zero to stop (Falco's rule_matching: first). */
typedef int (*rules_match_fn)(void *ctx, const struct rule *r, const struct rule_input *in);

/* Runs the enabled rules that can match @in's kind; returns the number of matches. */
int rules__eval(struct rules *rs, const struct rule_input *in, rules_match_fn cb, void *ctx);

/*
 * The kernel event types the enabled rules can match (types[t] for t in
 * 1..BW_EV_MAX-1), to push into the sensor's enabled-type map. The agent adds
 * what it needs for itself (exec, fork, exit for the process cache).
 */
void rules__event_types(const struct rules *rs, bool types[BW_EV_MAX]);
/* Whether any enabled rule matches container events (evt.type = container). */
bool rules__wants_container_events(const struct rules *rs);
/* Does a rule that can fire read @field (its condition, output or exceptions' output_fields)? */
bool rules__uses_field(const struct rules *rs, const char *field);

struct rules_stats {
	uint64_t events;           /* rules__eval calls */
	uint64_t evaluations;      /* rule conditions evaluated */
	uint64_t matches;          /* alerts (after exceptions) */
	uint64_t suppressed;       /* condition matched, an exception suppressed it */
	uint64_t expired_skipped;  /* an expired exception value was skipped */
	uint64_t scratch_overflow; /* a derived string did not fit the per-event scratch (field treated as absent) */
};
void rules__stats(const struct rules *rs, struct rules_stats *st);

size_t rules__count(const struct rules *rs); /* every loaded rule, enabled or not */

/*
 * The kernel facts of the enabled rules with action: block, distinct, into
 * @out (at most @max); returns how many there are (may exceed @max).
 */
size_t rules__block_facts(const struct rules *rs, struct bw_block_key *out, size_t max);
/* Whether @r carries action: block. */
bool rule_blocks(const struct rule *r);
const struct rule *rules__rule(const struct rules *rs, size_t i);

/*
 * The priority of a match: the rule's, unless a priority_when entry
 * (bulwark's extension) matches the same event. Call it on the input just
 * evaluated (from the match callback).
 */
enum rule_priority rules__priority(struct rules *rs, const struct rule *r, const struct rule_input *in);

/*
 * Path prefixes the enabled rules compare fd.name, fd.directory or
 * bulwark.file.upath against (=, in, startswith, pmatch, glob up to its
 * first wildcard), for the sensor's read-only open filter: @cb is called
 * once per distinct prefix. An over-approximation; a rule that reads opens
 * without any path condition needs the prefixes configured by hand.
 */
void rules__read_prefixes(const struct rules *rs, void (*cb)(void *ctx, const char *prefix), void *ctx);

/* Hooks this kernel lacks: the evt.type (syscall name) each would have reported, and why it is missing. */
struct rules_missing_hooks {
	struct {
		const char *evt_type;
		const char *why;
	} v[16];
	size_t n;
};
/* Adds one (a sensor_hook_fn for sensor__missing_hooks); keeps the pointers, which must outlive @ctx's use. */
void rules_missing_hooks_add(void *ctx, const char *evt_type, const char *why);

/*
 * A warning in @diags, at the rule's file:line, for each enabled rule that
 * can match some event kind only through the missing hooks: on this kernel
 * it never fires for that kind (a rule on evt.type = fchmodat2 before Linux
 * 6.6, on init_module without module support). Returns the warnings added.
 */
size_t rules__check_hooks(const struct rules *rs, const struct rules_missing_hooks *missing, struct rules_diags *diags);

const char *rule_name(const struct rule *r);
const char *rule_desc(const struct rule *r);
enum rule_priority rule_priority(const struct rule *r);
bool rule_enabled(const struct rule *r);
size_t rule_ntags(const struct rule *r);
const char *rule_tag(const struct rule *r, size_t i);
/* The event kinds the rule can match (bit k = kind k; RULES_EV_CONTAINER included). */
uint64_t rule_kinds(const struct rule *r);
/* Where the rule is defined: file name and line (from 1). */
const char *rule_file(const struct rule *r);
unsigned int rule_line(const struct rule *r);
/*
 * Why a loaded rule can never fire on bulwark (it needs an evt.type the
 * sensor does not capture, or fields without data), or NULL: it can.
 */
const char *rule_cannot_fire(const struct rule *r);

/* Falco's rendering of the output template: "%proc.name" → value, missing → <NA>. No newline. */
void rules__render_output(struct rules *rs, struct strbuf *sb, const struct rule *r, const struct rule_input *in);

/*
 * Storage of the alert rules__alert renders, reused from one alert to the
 * next: zero-initialise it, free it with rules_alert_buf_free.
 */
struct rules_alert_buf {
	struct strbuf output;     /* the rendered output line */
	struct strbuf text;       /* field values that need text (addresses) */
	struct alert_kv *fields;
	size_t fields_cap;
	struct alert_str *tags;
	size_t tags_cap;
	char time[48];
	char uuid[37];
	struct alert a;
};

/*
 * One alert (alert.h: Falco's schema, time, rule, priority, output,
 * output_fields, hostname, source, tags, plus a random v4 uuid) of the event
 * just evaluated. Borrowed: valid until the next event is evaluated or buf
 * is used again; NULL when out of memory.
 */
const struct alert *rules__alert(struct rules *rs, struct rules_alert_buf *buf, const struct rule *r,
				 const struct rule_input *in, const char *hostname);
void rules_alert_buf_free(struct rules_alert_buf *buf);
/* The same alert as one JSON line with its newline, appended to @sb (replay's output). */
void rules__alert_json(struct rules *rs, struct strbuf *sb, const struct rule *r, const struct rule_input *in,
		       const char *hostname);

/* Kind names: "exec", ..., "container"; NULL if out of range. */
const char *rules_kind_name(unsigned int kind);
/* evt.type of a record ("openat", "clone", "procexit", ...); "container" for ev == NULL. */
const char *rules_evt_type(const struct event_view *ev);

/* docs/fields.md: every field with its type, events and description. */
void rules_fields_markdown(struct strbuf *sb);
/* One line per field: name, type, events. */
void rules_fields_text(struct strbuf *sb);

/*
 * Where user.name comes from (default /etc/passwd; /host/etc/passwd in a pod); group.name reads the
 * group file beside it. Reloaded on the next lookup.
 */
void rules_set_passwd_path(const char *path);

#endif
