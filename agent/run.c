// SPDX-License-Identifier: Apache-2.0
/*
 * `bulwark run`: the sensor, enrichment and the rules; alerts in Falco's JSON
 * schema. Rules are evaluated on the event loop (no queue between detection
 * and the sensor); delivery happens behind the alert sink.
 */
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "output/output.h"
#include "rules/rules.h"

#define MAX_RULE_PATHS 64
#define MAX_OUTPUTS 16
#define STOP_FLUSH_MS 5000 /* SIGTERM: queues go to their receivers or to the spool within this */

struct runner {
	struct rules *rules;
	const char *const *rule_paths; /* NULL: the embedded defaults */
	size_t n_rule_paths;
	struct rules_proc_access access;
	struct rules_host host;
	char hostname[256];
	struct outputs *outputs;
	struct strbuf alert;
	uint64_t alerts;
	uint64_t reloads, reload_failures;
};

static const struct proc_info *parent_of(void *ctx, const struct proc_info *p)
{
	return proctree__parent(ctx, p);
}

static const char *comm_of(void *ctx, const struct proc_info *p)
{
	(void)ctx;
	return p->comm[0] ? p->comm : NULL;
}

static struct rules *load_rules(const struct runner *r, struct rules_diags *diags)
{
	if (!r->rule_paths)
		return rules__load_default(diags);
	return rules__load_paths(r->rule_paths, r->n_rule_paths, diags);
}

static void log_diags(const struct rules_diags *d, enum log_level level)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		log_msg(d->v[i].warning ? LOG_WARN : level, "%s:%u:%u: %s%s", d->v[i].file, d->v[i].line, d->v[i].col,
			d->v[i].warning ? "warning: " : "", d->v[i].msg);
}

static int on_match(void *ctx, const struct rule *rule, const struct rule_input *in)
{
	struct runner *r = ctx;

	strbuf_reset(&r->alert);
	rules__alert_json(r->rules, &r->alert, rule, in, r->hostname);
	r->alerts++;
	/* never blocks: each output queues, batches, retries and spools on its own thread */
	outputs__publish(r->outputs, r->alert.buf, r->alert.len);
	return 0;
}

static void on_event(void *ctx, const struct pipeline_event *pe)
{
	struct runner *r = ctx;
	struct rule_input in = { .proc = pe->ec->proc, .container = pe->ec->container, .procs = &r->access,
				 .host = &r->host, .layer_container = pe->ec->layer_container };

	r->access.ctx = pe->procs;
	in.time_ns = (int64_t)pe->v->ev->hdr.ktime + pe->boot_to_real_ns;
	if (pe->container_announce && pe->ec->container) {
		/* the container's own event (evt.type = container), before its first process event */
		struct rule_input cin = in;

		cin.ev = NULL;
		rules__eval(r->rules, &cin, on_match, r);
	}
	in.ev = pe->v;
	/* a host process has no container: rules see container.id = host */
	if (in.container && in.container->ident.runtime == RUNTIME_NONE)
		in.container = NULL;
	rules__eval(r->rules, &in, on_match, r);
}

/* SIGHUP: a complete new ruleset, or the old one stays. */
static void on_hangup(void *ctx)
{
	struct runner *r = ctx;
	struct rules_diags diags = { 0 };
	struct rules *fresh = load_rules(r, &diags);

	outputs__reopen(r->outputs); /* logrotate moved the alert files */
	r->reloads++;
	if (!fresh) {
		r->reload_failures++;
		log_diags(&diags, LOG_ERROR);
		log_error("rules reload failed: %zu errors; the previous %zu rules stay active", diags.errors,
			  rules__count(r->rules));
	} else {
		log_diags(&diags, LOG_WARN);
		rules__free(r->rules);
		r->rules = fresh;
		log_info("rules reloaded: %zu rules", rules__count(fresh));
		/*
		 * The kernel's enabled types were set at start from the first set;
		 * a reload that needs a new event type takes effect at restart.
		 */
	}
	rules_diags_free(&diags);
}

static void on_stats(void *ctx, struct strbuf *sb)
{
	struct runner *r = ctx;
	struct rules_stats st;

	rules__stats(r->rules, &st);
	jw_kobj(sb, "rules");
	jw_kuint(sb, "loaded", rules__count(r->rules));
	jw_kuint(sb, "events", st.events);
	jw_kuint(sb, "evaluations", st.evaluations);
	jw_kuint(sb, "matches", st.matches);
	jw_kuint(sb, "suppressed", st.suppressed);
	jw_kuint(sb, "reloads", r->reloads);
	jw_kuint(sb, "reload_failures", r->reload_failures);
	jw_end(sb);
	jw_kuint(sb, "alerts", r->alerts);
}

/* Read-only opens the rules compare paths against (/etc/shadow, ...), plus those given with --ro-prefix. */
struct prefixes {
	const char *v[CLI_MAX_RO_PREFIXES];
	char *owned[CLI_MAX_RO_PREFIXES];
	size_t n, n_owned;
};

static void add_rule_prefix(void *ctx, const char *prefix)
{
	struct prefixes *p = ctx;
	size_t len = strlen(prefix);

	/* the kernel compares at most BW_PREFIX_MAX - 1 bytes: a longer prefix is cut, which only widens it */
	if (p->n == CLI_MAX_RO_PREFIXES || len == 0) {
		if (len)
			log_warn("read-only open prefix %s not watched: at most %d prefixes", prefix, CLI_MAX_RO_PREFIXES);
		return;
	}
	p->owned[p->n_owned] = strndup(prefix, BW_PREFIX_MAX - 1);
	if (p->owned[p->n_owned])
		p->v[p->n++] = p->owned[p->n_owned++];
}

/* The host's own namespaces, for rules that ask whether a process joined them. */
static void read_host_namespaces(struct rules_host *h, const char *procfs)
{
	static const struct {
		const char *name;
		size_t off;
	} ns[] = {
		{ "mnt", offsetof(struct rules_host, mnt) },   { "net", offsetof(struct rules_host, net) },
		{ "pid", offsetof(struct rules_host, pid) },   { "user", offsetof(struct rules_host, user) },
		{ "uts", offsetof(struct rules_host, uts) },   { "ipc", offsetof(struct rules_host, ipc) },
		{ "cgroup", offsetof(struct rules_host, cgroup) }, { "time", offsetof(struct rules_host, time) },
	};
	char path[PATH_MAX], link[64];
	size_t i;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		unsigned int inum = 0;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/1/ns/%s", procfs, ns[i].name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		/* "net:[4026531840]" */
		if (sscanf(strchr(link, '[') ? strchr(link, '[') + 1 : "", "%u", &inum) == 1)
			*(uint32_t *)((char *)h + ns[i].off) = inum;
	}
}

int run_main(const struct pipeline_opts *popts, const char *const *rule_paths, size_t n_rule_paths,
	     const char *const *output_specs, size_t n_outputs)
{
	struct runner r = { .rule_paths = rule_paths, .n_rule_paths = n_rule_paths, .alert = STRBUF_INIT,
			    .access = { .parent_of = parent_of, .comm_of = comm_of } };
	struct pipeline_sink sink = { .on_event = on_event, .on_hangup = on_hangup, .on_stats = on_stats, .ctx = &r };
	struct output_config cfgs[MAX_OUTPUTS];
	struct pipeline_opts o = *popts;
	struct rules_diags diags = { 0 };
	struct prefixes prefixes = { 0 };
	bool wanted[BW_EV_MAX];
	char err[512];
	size_t i;
	int t, status;

	for (i = 0; i < n_outputs; i++)
		if (output_config_parse(output_specs[i], &cfgs[i], err, sizeof(err)) ||
		    output_config_finish(&cfgs[i], err, sizeof(err))) {
			log_error("cannot start: --output %s: %s", output_specs[i], err);
			return 2;
		}

	r.rules = load_rules(&r, &diags);
	if (!r.rules) {
		rules_diags_print(&diags, stderr);
		log_error("cannot start: the rules have %zu errors", diags.errors);
		rules_diags_free(&diags);
		return 2;
	}
	log_diags(&diags, LOG_WARN);
	rules_diags_free(&diags);
	/* the kernel emits what the rules can match (within --events), plus what the caches need */
	rules__event_types(r.rules, wanted);
	for (t = 1; t < BW_EV_MAX; t++)
		o.events[t] = popts->events[t] && wanted[t];
	o.events[BW_EV_EXEC] = o.events[BW_EV_FORK] = o.events[BW_EV_EXIT] = o.events[BW_EV_CGROUP_ATTACH] = true;
	for (i = 0; i < popts->n_ro_prefixes; i++)
		prefixes.v[prefixes.n++] = popts->ro_prefixes[i];
	rules__read_prefixes(r.rules, add_rule_prefix, &prefixes);
	o.ro_prefixes = prefixes.v;
	o.n_ro_prefixes = prefixes.n;
	log_info("read-only opens watched under %zu path prefixes the rules name", prefixes.n);
	if (gethostname(r.hostname, sizeof(r.hostname) - 1))
		strcpy(r.hostname, "unknown");
	read_host_namespaces(&r.host, o.procfs);
	log_info("rules loaded: %zu rules%s", rules__count(r.rules), rule_paths ? "" : " (embedded defaults)");
	/* the output threads inherit the mask: the event loop alone takes the signals */
	pipeline_block_signals();
	r.outputs = outputs__new(cfgs, n_outputs, err, sizeof(err));
	if (!r.outputs) {
		log_error("cannot start: outputs: %s", err);
		rules__free(r.rules);
		for (i = 0; i < prefixes.n_owned; i++)
			free(prefixes.owned[i]);
		return 2;
	}
	status = pipeline_run(&o, &sink);
	outputs__stop(r.outputs, STOP_FLUSH_MS);
	outputs__log_stats(r.outputs);
	outputs__free(r.outputs);
	rules__free(r.rules);
	strbuf_free(&r.alert);
	for (i = 0; i < prefixes.n_owned; i++)
		free(prefixes.owned[i]);
	return status;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_PIPELINE_LONGOPTS,
						  { "rules", required_argument, NULL, 'r' },
						  { "output", required_argument, NULL, 'o' },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	const char *rule_paths[MAX_RULE_PATHS], *outputs[MAX_OUTPUTS] = { "stdout" };
	size_t n_rules = 0, n_outputs = 0;
	struct cli_pipeline c;
	int opt, rc;

	cli_pipeline_init(&c);
	while ((opt = getopt_long(argc, argv, CLI_PIPELINE_SHORTOPTS "r:o:h", longopts, NULL)) != -1) {
		rc = cli_pipeline_option(&c, opt, optarg);
		if (rc < 0)
			return 2;
		if (rc > 0)
			continue;
		switch (opt) {
		case 'r':
			if (n_rules == MAX_RULE_PATHS) {
				fprintf(stderr, "bulwark run: at most %d --rules paths\n", MAX_RULE_PATHS);
				return 2;
			}
			rule_paths[n_rules++] = optarg;
			break;
		case 'o':
			if (n_outputs == MAX_OUTPUTS) {
				fprintf(stderr, "bulwark run: at most %d --output specs\n", MAX_OUTPUTS);
				return 2;
			}
			outputs[n_outputs++] = optarg;
			break;
		case 'h':
			printf("usage: bulwark run [-r RULES_FILE_OR_DIR]... [-o OUTPUT_SPEC]... [options]\n"
			       "  -r, --rules PATH    rules file or directory, repeatable (default: the embedded rules)\n"
			       "  -o, --output SPEC   where alerts go, repeatable (default: stdout); see docs/outputs.md\n");
			cli_pipeline_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "usage: bulwark run [-r RULES_FILE_OR_DIR]... [options]\n");
			cli_pipeline_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulwark run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	cli_pipeline_finish(&c);
	return run_main(&c.o, n_rules ? rule_paths : NULL, n_rules, outputs, n_outputs ? n_outputs : 1);
}
