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
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "drop_alert.h"
#include "log.h"
#include "metrics.h"
#include "netwatch.h"
#include "output/output.h"
#include "rules/rules.h"
#include "sbom.h"
#include "stats.h"
#include "tamper.h"
#include "util.h"

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
	struct rules_alert_buf alert; /* the alert being published (its storage, reused) */
	uint64_t alerts;
	uint64_t reloads, reload_failures;
	struct metrics *metrics;
	const char *metrics_addr;    /* "" : not serving */
	const struct run_opts *opts;
	struct config *cfg;          /* the config last read (SIGHUP re-reads opts->config_path) */
	struct sensor *sensor;       /* the pipeline's, once loaded: its filters follow the rules */
	struct drop_watch drops;     /* kernel losses not yet reported as an alert */
	struct drop_alert_buf drop_alert;
	struct tamper_alert_buf tamper_alert;
	struct rules_agent self;     /* what the tamper rules guard (bulwark.agent.*) */
	char *self_paths[MAX_RULE_PATHS + MAX_OUTPUTS + 2];
	struct netwatch *net;        /* connect sweep windows (bulwark.net.sweep_*) */
	struct sbom *sbom;           /* per-image inventory and in-use evidence; NULL: off (--sbom-dir "") */
};

/* Read-only opens the rules compare paths against (/etc/shadow, ...), plus those given with --ro-prefix. */
struct prefixes {
	const char *v[CLI_MAX_RO_PREFIXES];
	char *owned[CLI_MAX_RO_PREFIXES];
	size_t n, n_owned;
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

	const struct alert *a = rules__alert(r->rules, &r->alert, rule, in, r->hostname);

	r->alerts++;
	metrics__rule_match(r->metrics, rule_name(rule));
	/* never blocks: each output queues, batches, retries and spools on its own thread */
	if (a)
		outputs__publish_alert(r->outputs, a);
	else
		log_error("rule %s: an alert LOST: out of memory", rule_name(rule));
	return 0;
}

/* The agent: its thread group, or one of its threads (a tracer attaches to a thread). */
static bool is_agent(const struct rules_agent *a, uint32_t pid)
{
	char path[64];

	if (pid == a->tgid)
		return true;
	snprintf(path, sizeof(path), "/proc/self/task/%u", pid);
	return access(path, F_OK) == 0;
}

static void self_add(struct runner *r, const char *path, bool dir)
{
	char real[PATH_MAX], *p;
	size_t n = r->self.n_paths;

	if (!path || !path[0] || n == sizeof(r->self_paths) / sizeof(r->self_paths[0]) || !realpath(path, real))
		return;
	if (asprintf(&p, "%s%s", real, dir && strcmp(real, "/") ? "/" : "") < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r->self_paths[i], p)) {
			free(p);
			return;
		}
	r->self_paths[n] = p;
	r->self.n_paths = n + 1;
}

static void self_free(struct runner *r)
{
	size_t i;

	for (i = 0; i < r->self.n_paths; i++)
		free(r->self_paths[i]);
	r->self.n_paths = 0;
}

/*
 * The agent's own files, as the kernel names them (resolved): the binary, the config, the rules
 * files and directories in use, the outputs' spool directories. Again after a reload (the rules
 * may have moved).
 */
static void self_paths(struct runner *r)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	self_free(r);
	r->self.tgid = getpid();
	r->self.is_agent = is_agent;
	r->self.paths = (const char *const *)r->self_paths;
	if (n > 0) {
		exe[n] = '\0';
		self_add(r, exe, false);
	}
	self_add(r, r->opts->config_path, false);
	for (i = 0; r->rule_paths && i < r->n_rule_paths; i++) {
		struct stat st;

		self_add(r, r->rule_paths[i], stat(r->rule_paths[i], &st) == 0 && S_ISDIR(st.st_mode));
	}
	/* each output's own spool (spool_dir/NAME), not the shared root: agents side by side on a
	 * test host share the default root, never an output's directory */
	for (i = 0; i < r->opts->n_outputs; i++) {
		const struct output_config *o = &r->opts->outputs[i];
		char spool[PATH_MAX + 80];

		if (!o->spool_dir[0])
			continue;
		snprintf(spool, sizeof(spool), "%s/%s", o->spool_dir, o->name);
		self_add(r, spool, true);
	}
	for (i = 0; i < r->self.n_paths; i++)
		log_debug("guarded by Bulwark Agent Tampered: %s", r->self_paths[i]);
}

/*
 * In-use evidence for the image inventories: a container's exec (its
 * executable) and file_map (a library mapped executable). Only posted: the
 * inventory worker does the rest.
 */
static void note_in_use(struct runner *r, const struct pipeline_event *pe)
{
	const struct container_info *ci = pe->ec->container;
	const struct bw_event *ev = pe->v->ev;
	struct str_view path = { NULL, 0 };

	if (!r->sbom || !ci || ci->ident.runtime == RUNTIME_NONE)
		return;
	if (pe->container_announce)
		sbom__container(r->sbom, ci);
	if (ev->flags & BW_F_TRUNC_PATH)
		return;
	if (ev->hdr.type == BW_EV_EXEC)
		path = event_str(pe->v, ((const struct bw_exec *)ev)->exe);
	else if (ev->hdr.type == BW_EV_FILE_MAP)
		path = event_str(pe->v, ((const struct bw_file_map *)ev)->file.path);
	if (path.len)
		sbom__used(r->sbom, ci, path.p);
}

static void on_event(void *ctx, const struct pipeline_event *pe)
{
	struct runner *r = ctx;
	struct rule_input in = { .proc = pe->ec->proc, .container = pe->ec->container, .procs = &r->access,
				 .host = &r->host, .layer_container = pe->ec->layer_container };
	struct netwatch_counts sweep;

	r->access.ctx = pe->procs;
	note_in_use(r, pe);
	in.time_ns = event_wall_ns(pe->v->ev->hdr.ktime, pe->boot_to_real_ns);
	if (pe->container_announce && pe->ec->container) {
		/* the container's own event (evt.type = container), before its first process event */
		struct rule_input cin = in;

		cin.ev = NULL;
		rules__eval(r->rules, &cin, on_match, r);
	}
	in.ev = pe->v;
	netwatch__observe(r->net, pe->v, pe->v->ev->hdr.ktime, &sweep);
	in.sweep_ports = sweep.ports;
	in.sweep_hosts = sweep.hosts;
	in.agent = &r->self;
	/* a host process has no container: rules see container.id = host */
	if (in.container && in.container->ident.runtime == RUNTIME_NONE)
		in.container = NULL;
	rules__eval(r->rules, &in, on_match, r);
}

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

static void prefixes_free(struct prefixes *p)
{
	size_t i;

	for (i = 0; i < p->n_owned; i++)
		free(p->owned[i]);
	p->n = p->n_owned = 0;
}

/*
 * The kernel filters a ruleset needs, at start and on every reload: the event
 * types it can match (within --events) plus what the caches need, and the
 * read-only opens of --ro-prefix and of the paths the rules name. @p owns
 * the prefix strings f points to.
 */
static void filters_for(const struct runner *r, const struct rules *rules, struct prefixes *p,
			struct sensor_filters *f)
{
	const struct pipeline_opts *popts = &r->opts->pipeline;
	bool wanted[BW_EV_MAX];
	size_t i;
	int t;

	rules__event_types(rules, wanted);
	memset(f, 0, sizeof(*f));
	for (t = 1; t < BW_EV_MAX; t++)
		f->events[t] = popts->events[t] && wanted[t];
	f->events[BW_EV_EXEC] = f->events[BW_EV_FORK] = f->events[BW_EV_EXIT] = f->events[BW_EV_CGROUP_ATTACH] = true;
	/* the inventory's in-use evidence (libraries mapped executable), whatever the rules ask */
	if (r->opts->sbom_dir && r->opts->sbom_dir[0])
		f->events[BW_EV_FILE_MAP] = true;
	for (i = 0; i < popts->n_ro_prefixes && p->n < CLI_MAX_RO_PREFIXES; i++)
		p->v[p->n++] = popts->ro_prefixes[i];
	rules__read_prefixes(rules, add_rule_prefix, p);
	f->ro_prefixes = p->v;
	f->n_ro_prefixes = p->n;
	f->exec_env = rules__uses_field(rules, "proc.env");
	f->exec_cwd = rules__uses_field(rules, "proc.cwd");
}

/* A warning per enabled rule that needs a hook the sensor had to skip on this kernel. */
static void warn_missing_hooks(const struct runner *r, const struct rules *rules)
{
	struct rules_missing_hooks m = { .n = 0 };
	struct rules_diags diags = { 0 };

	if (!r->sensor)
		return;
	sensor__missing_hooks(r->sensor, rules_missing_hooks_add, &m);
	rules__check_hooks(rules, &m, &diags);
	log_diags(&diags, LOG_WARN);
	rules_diags_free(&diags);
}

/*
 * The blocking rules' kernel facts (action: block), at start and on every
 * reload; the kernel uses them in enforce mode only. On failure the previous
 * facts stay.
 */
static int apply_blocks(struct runner *r, const struct rules *rules)
{
	struct bw_block_key facts[BW_BLOCK_FACTS_MAX];
	size_t n = rules__block_facts(rules, facts, BW_BLOCK_FACTS_MAX);
	char err[256];
	int e;

	if (n > BW_BLOCK_FACTS_MAX) {
		log_error("cannot load the blocking rules: %zu kernel facts, at most %d", n, BW_BLOCK_FACTS_MAX);
		return -E2BIG;
	}
	e = sensor__set_block_facts(r->sensor, facts, n, err, sizeof(err));
	if (e)
		log_error("cannot load the blocking rules: %s", err);
	else
		log_info("blocking rules: %zu kernel facts (%s mode)", n, r->opts->pipeline.enforce ? "enforce" : "monitor");
	return e;
}

/* The pipeline's sensor is loaded with the first ruleset's filters: keep it for reloads. */
static void on_sensor(void *ctx, struct sensor *s)
{
	struct runner *r = ctx;

	r->sensor = s;
	warn_missing_hooks(r, r->rules);
	apply_blocks(r, r->rules);
}

/* Points the kernel filters at a new ruleset's needs; on failure they stay as they were. */
static int apply_filters(struct runner *r, const struct rules *rules)
{
	struct prefixes p = { .n = 0 };
	struct sensor_filters f;
	char err[512];
	int e;

	filters_for(r, rules, &p, &f);
	e = sensor__set_filters(r->sensor, &f, err, sizeof(err));
	if (e)
		log_error("cannot update the kernel filters: %s", err);
	prefixes_free(&p); /* the sensor keeps its own copy */
	if (!e)
		e = apply_blocks(r, rules);
	return e;
}

/*
 * SIGHUP, the config part: a valid file replaces the settings that apply
 * while running (rules paths, log level, health thresholds); an invalid one
 * changes nothing. Sections that need a restart are named, not applied.
 */
static int reload_config(struct runner *r)
{
	struct config *fresh = calloc(1, sizeof(*fresh));
	struct config_errors errs = { 0 };
	unsigned changed;
	size_t i;
	int s;

	if (!fresh || config_load(fresh, r->opts->config_path, &errs)) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.v[i]);
		log_error("config reload failed: %zu errors in %s; the running configuration and rules stay",
			  errs.total, r->opts->config_path);
		config_errors_free(&errs);
		config_free(fresh);
		free(fresh);
		return -EINVAL;
	}
	changed = config_restart_changes(r->cfg, fresh);
	for (s = 0; s < CONF_SEC_MAX; s++)
		if (changed & (1u << s))
			log_warn("config: %s changed in %s: takes effect at restart", config_section_name(s),
				 r->opts->config_path);
	if (!r->opts->verbose)
		log_set_level(fresh->log_level);
	if (!r->opts->log_format_given)
		log_set_format(fresh->log_format);
	metrics__set_health(r->metrics, &fresh->health);
	if (!r->opts->rules_from_cli) {
		r->rule_paths = fresh->n_rules ? fresh->rules : NULL;
		r->n_rule_paths = fresh->n_rules;
	}
	/* the first config stays alive: the pipeline holds its strings */
	if (r->cfg != r->opts->config) {
		config_free(r->cfg);
		free(r->cfg);
	}
	r->cfg = fresh;
	log_info("config reloaded from %s", r->opts->config_path);
	return 0;
}

/* SIGHUP: the config file again (if any), then a complete new ruleset, or the old one stays. */
static void on_hangup(void *ctx)
{
	struct runner *r = ctx;
	struct rules_diags diags = { 0 };
	struct rules *fresh;

	outputs__reopen(r->outputs); /* logrotate moved the alert files */
	r->reloads++;
	/* an invalid config changes nothing, not even the rules it names */
	if (r->opts->config_path && reload_config(r)) {
		r->reload_failures++;
		return;
	}
	fresh = load_rules(r, &diags);
	if (!fresh) {
		r->reload_failures++;
		log_diags(&diags, LOG_ERROR);
		log_error("rules reload failed: %zu errors; the previous %zu rules stay active", diags.errors,
			  rules__count(r->rules));
	} else if (r->sensor && apply_filters(r, fresh)) {
		/* rules whose events the kernel would not send are no rules: keep the set that works */
		r->reload_failures++;
		log_diags(&diags, LOG_WARN);
		log_error("rules reload failed: the kernel filters could not follow; the previous %zu rules stay active",
			  rules__count(r->rules));
		rules__free(fresh);
	} else {
		log_diags(&diags, LOG_WARN);
		warn_missing_hooks(r, fresh);
		rules__free(r->rules);
		r->rules = fresh;
		self_paths(r);
		log_info("rules reloaded: %zu rules", rules__count(fresh));
	}
	rules_diags_free(&diags);
}

static void on_stats(void *ctx, struct strbuf *sb)
{
	struct runner *r = ctx;
	struct metrics_run mr = { .rules_loaded = rules__count(r->rules), .reloads = r->reloads,
				  .reload_failures = r->reload_failures, .alerts = r->alerts };

	rules__stats(r->rules, &mr.rules);
	stats_write_json(sb, NULL, &mr);
}

/* Every second, on the event loop: the counters for /metrics and the health verdict. */
static void on_pipeline_stats(void *ctx, const struct pipeline_stats *st)
{
	struct runner *r = ctx;
	struct metrics_run mr = { .rules_loaded = rules__count(r->rules), .reloads = r->reloads,
				  .reload_failures = r->reload_failures, .alerts = r->alerts, .outputs = r->outputs };

	struct drop_report dr;

	rules__stats(r->rules, &mr.rules);
	metrics__publish(r->metrics, st, &mr);
	/* a loss in the kernel is a blind spot: an alert of its own on every output */
	if (r->outputs && drop_watch__check(&r->drops, st->sensor.kernel[BW_CNT_DROP_CRITICAL],
					    st->sensor.kernel[BW_CNT_DROP_COMMON], st->sensor.drops,
					    util_clock_ns(CLOCK_REALTIME), &dr)) {
		outputs__publish_alert(r->outputs, drop_alert(&r->drop_alert, &dr, r->hostname));
		r->alerts++;
	}
	/*
	 * systemd's watchdog (WatchdogSec= in packaging/systemd/bulwark.service): pinged from the
	 * event loop, so a loop that stops (SIGSTOP, a tracer holding it, a hang) is killed and
	 * restarted; ignored outside systemd
	 */
	util_sd_notify("WATCHDOG=1");
	/* another root process rewriting the sensor's maps leaves no event: compare them every second */
	if (r->sensor) {
		char why[1024];
		int n = sensor__verify(r->sensor, why, sizeof(why));

		if (n > 0) {
			log_error("the sensor was tampered with, restored: %s", why);
			if (r->outputs) {
				outputs__publish_alert(r->outputs, tamper_alert(&r->tamper_alert, why,
										util_clock_ns(CLOCK_REALTIME), r->hostname));
				r->alerts++;
			}
		} else if (n < 0) {
			log_warn("cannot read the sensor's maps to check them: %s", strerror(-n));
		}
	}
}

/* The startup summary: one line with what runs and what does not. */
static void on_ready(void *ctx, const struct pipeline_stats *st)
{
	struct runner *r = ctx;
	struct output_stats os[MAX_OUTPUTS];
	struct strbuf outs = STRBUF_INIT;
	struct utsname u;
	size_t i, n = outputs__stats(r->outputs, os, MAX_OUTPUTS);

	for (i = 0; i < n && i < MAX_OUTPUTS; i++)
		strbuf_addf(&outs, "%s%s", i ? ", " : "", os[i].name);
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	log_info("bulwark running: kernel %s; hooks %d attached, %d skipped%s%s%s; rules %zu (%s); outputs %s; "
		 "metrics %s; config %s",
		 u.release, st->hooks_attached, st->hooks_skipped, st->skipped_why[0] ? " (" : "", st->skipped_why,
		 st->skipped_why[0] ? ")" : "", rules__count(r->rules), r->rule_paths ? "from files" : "embedded defaults",
		 outs.buf ? outs.buf : "none",
		 r->metrics_addr[0] ? r->metrics_addr : "off",
		 r->opts->config_path ? r->opts->config_path : "none (embedded defaults)");
	strbuf_free(&outs);
	util_sd_notify("READY=1"); /* Type=notify: started once the hooks run */
	on_pipeline_stats(ctx, st);
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

int run_main(const struct run_opts *ro)
{
	struct runner r = { .rule_paths = ro->rule_paths, .n_rule_paths = ro->n_rule_paths,
			    .access = { .parent_of = parent_of, .comm_of = comm_of }, .opts = ro, .cfg = ro->config };
	struct pipeline_sink sink = { .on_event = on_event, .on_hangup = on_hangup, .on_stats = on_stats,
				      .on_ready = on_ready, .on_pipeline_stats = on_pipeline_stats, .on_sensor = on_sensor,
				      .ctx = &r };
	const struct pipeline_opts *popts = &ro->pipeline;
	struct pipeline_opts o = *popts;
	struct rules_diags diags = { 0 };
	struct prefixes prefixes = { 0 };
	struct sensor_filters filters;
	char err[512];
	int status;

	r.rules = load_rules(&r, &diags);
	if (!r.rules) {
		rules_diags_print(&diags, stderr);
		log_error("cannot start: the rules have %zu errors", diags.errors);
		rules_diags_free(&diags);
		return 2;
	}
	log_diags(&diags, LOG_WARN);
	rules_diags_free(&diags);
	/* the kernel emits what the rules can match; the sensor loads with these filters */
	filters_for(&r, r.rules, &prefixes, &filters);
	memcpy(o.events, filters.events, sizeof(o.events));
	o.exec_env = filters.exec_env;
	o.exec_cwd = filters.exec_cwd;
	o.ro_prefixes = filters.ro_prefixes;
	o.n_ro_prefixes = filters.n_ro_prefixes;
	log_info("read-only opens watched under %zu path prefixes the rules name", prefixes.n);
	if (gethostname(r.hostname, sizeof(r.hostname) - 1))
		strcpy(r.hostname, "unknown");
	read_host_namespaces(&r.host, o.procfs);
	log_info("rules loaded: %zu rules%s", rules__count(r.rules), ro->rule_paths ? "" : " (embedded defaults)");
	/* the output and HTTP threads inherit the mask: the event loop alone takes the signals */
	pipeline_block_signals();
	r.metrics = metrics__new(ro->metrics_listen, &ro->health, err, sizeof(err));
	r.metrics_addr = r.metrics && ro->metrics_listen ? ro->metrics_listen : "";
	if (!r.metrics && ro->metrics_required) {
		log_error("cannot start: %s", err);
		status = 2;
		goto free_rules;
	}
	if (!r.metrics) {
		/* the address is only the built-in default: run as before, without the endpoint */
		log_warn("%s; running without /metrics and /healthz", err);
		r.metrics = metrics__new(NULL, &ro->health, err, sizeof(err));
	}
	r.outputs = outputs__new(ro->outputs, ro->n_outputs, err, sizeof(err));
	if (!r.outputs) {
		log_error("cannot start: outputs: %s", err);
		status = 2;
		goto free_metrics;
	}
	self_paths(&r); /* after the outputs: they create their spool directories */
	if (ro->rate_limit_set) {
		struct ratelimit_config rl = { .rate = ro->rate, .burst = ro->burst, .table_size = 4096,
					       .summary_ms = 10000 };

		outputs__set_ratelimit(r.outputs, &rl);
	}
	if (ro->sbom_dir && ro->sbom_dir[0]) {
		struct sbom_opts so = { .dir = ro->sbom_dir, .host_root = o.containers.host_root };

		r.sbom = sbom__new(&so);
		if (!r.sbom)
			log_errno(LOG_WARN, errno, "image inventories off: cannot use %s", ro->sbom_dir);
		else
			metrics__set_extra(r.metrics, sbom__render_metrics, r.sbom);
	}
	r.net = netwatch__new(NETWATCH_PROCS, NETWATCH_WINDOW_NS);
	if (!r.net)
		log_warn("connect sweep windows: out of memory; bulwark.net.sweep_* stay 0");
	status = pipeline_run(&o, &sink);
	netwatch__free(r.net);
	/* the metrics thread renders the tracker's gauges: it goes first */
	metrics__set_extra(r.metrics, NULL, NULL);
	sbom__free(r.sbom);
	outputs__stop(r.outputs, STOP_FLUSH_MS);
	outputs__log_stats(r.outputs);
	outputs__free(r.outputs);
free_metrics:
	metrics__free(r.metrics);
free_rules:
	rules__free(r.rules);
	rules_alert_buf_free(&r.alert);
	drop_alert_buf_free(&r.drop_alert);
	tamper_alert_buf_free(&r.tamper_alert);
	self_free(&r);
	prefixes_free(&prefixes);
	if (r.cfg != ro->config) {
		config_free(r.cfg);
		free(r.cfg);
	}
	return status;
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark run [-c CONFIG] [-r RULES_FILE_OR_DIR]... [-o OUTPUT_SPEC]... [options]\n"
		"  -c, --config FILE         config file (default %s if it exists); see docs/config.md\n"
		"  -r, --rules PATH          rules file or directory, repeatable (default: the embedded rules)\n"
		"  -o, --output SPEC         where alerts go, repeatable (default: stdout); see docs/outputs.md\n"
		"      --metrics-listen ADDR /metrics and /healthz on IP:PORT (default %s; \"\" disables)\n"
		"      --rate-limit R[/B]    fold repeats per rule and container beyond R/s, burst B (default 20/100;\n"
		"                            0: off, every alert delivered); see docs/outputs.md\n"
		"      --sbom-dir DIR        per-image inventories with packages in use, for bulwark sbom (default %s;\n"
		"                            \"\" disables)\n"
		"command-line options override the config file.\n",
		CONFIG_DEFAULT_PATH, CONFIG_DEFAULT_LISTEN, SBOM_DEFAULT_DIR);
	cli_pipeline_usage(out);
}

/* -o SPEC: parsed; the config file's spool_dir is the default spool of a spec that names none. */
static int parse_cli_output(const char *spec, const struct config *cfg, struct output_config *oc)
{
	char err[512];
	size_t pos;

	if (output_config_parse_spec(spec, oc, &pos, err, sizeof(err)) ||
	    (pos = 0, output_config_finish(oc, err, sizeof(err)))) {
		/* only the part before '?': a refused token=... must not reach the log */
		if (pos)
			log_error("cannot start: --output %.*s: %s (at character %zu)", (int)strcspn(spec, "?"), spec,
				  err, pos + 1);
		else
			log_error("cannot start: --output %.*s: %s", (int)strcspn(spec, "?"), spec, err);
		return -1;
	}
	if (cfg->path && !oc->spool_set && oc->kind != OUTPUT_STDOUT)
		snprintf(oc->spool_dir, sizeof(oc->spool_dir), "%s", cfg->spool_dir);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	enum { OPT_METRICS_LISTEN = 0x200, OPT_RATE_LIMIT, OPT_SBOM_DIR };
	static const struct option own[] = { { "config", required_argument, NULL, 'c' },
						  { "rules", required_argument, NULL, 'r' },
						  { "output", required_argument, NULL, 'o' },
						  { "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
						  { "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
						  { "sbom-dir", required_argument, NULL, OPT_SBOM_DIR },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	const char *rule_paths[MAX_RULE_PATHS], *specs[MAX_OUTPUTS], *config_path = NULL, *listen = NULL;
	const char *sbom_dir = SBOM_DEFAULT_DIR;
	size_t n_rules = 0, n_specs = 0, i;
	struct output_config outs[MAX_OUTPUTS], dflt;
	struct config cfg;
	struct config_errors errs = { 0 };
	struct run_opts ro = { 0 };
	struct cli_pipeline c;
	struct cli_getopt g;
	char host[64], err[256];
	unsigned port;
	int opt, rc, status = 2;

	config_defaults(&cfg);
	cli_pipeline_init(&c);
	if (cli_getopt_init(&g, "c:r:o:h", own))
		goto out;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		rc = cli_pipeline_option(&c, opt, optarg);
		if (rc < 0)
			goto out;
		if (rc > 0)
			continue;
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			if (n_rules == MAX_RULE_PATHS) {
				fprintf(stderr, "bulwark run: at most %d --rules paths\n", MAX_RULE_PATHS);
				goto out;
			}
			rule_paths[n_rules++] = optarg;
			break;
		case 'o':
			if (n_specs == MAX_OUTPUTS) {
				fprintf(stderr, "bulwark run: at most %d --output specs\n", MAX_OUTPUTS);
				goto out;
			}
			specs[n_specs++] = optarg;
			break;
		case OPT_METRICS_LISTEN:
			if (optarg[0] && config_parse_listen(optarg, host, sizeof(host), &port)) {
				fprintf(stderr, "bulwark run: --metrics-listen: expected IP:PORT, got '%s'\n", optarg);
				goto out;
			}
			listen = optarg;
			break;
		case OPT_RATE_LIMIT: {
			char *end;

			ro.rate = strtod(optarg, &end);
			ro.burst = ro.rate;
			if (*end == '/')
				ro.burst = strtod(end + 1, &end);
			if (*end || end == optarg || ro.rate < 0 || ro.burst < 0) {
				fprintf(stderr, "bulwark run: --rate-limit: expected RATE[/BURST], got '%s'\n", optarg);
				goto out;
			}
			ro.rate_limit_set = true;
			break;
		}
		case OPT_SBOM_DIR:
			sbom_dir = optarg;
			break;
		case 'h':
			run_usage(stdout);
			status = 0;
			goto out;
		default:
			run_usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bulwark run: unexpected argument '%s'\n", argv[optind]);
		goto out;
	}
	/* the config file: the one named, or the default one if it exists, or the embedded defaults */
	if (!config_path && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		config_path = CONFIG_DEFAULT_PATH;
	if (config_path)
		config_free(&cfg);
	if (config_path && config_load(&cfg, config_path, &errs)) {
		for (i = 0; i < errs.n; i++)
			log_error("%s", errs.v[i]);
		log_error("cannot start: %zu errors in the config file %s (bulwark config check shows them)", errs.total,
			  config_path);
		goto out;
	}
	if (!c.verbose)
		log_set_level(cfg.log_level);
	if (!c.log_format_given)
		log_set_format(cfg.log_format);
	config_apply_pipeline(&cfg, &c);
	cli_pipeline_finish(&c);
	if (n_specs) {
		for (i = 0; i < n_specs; i++)
			if (parse_cli_output(specs[i], &cfg, &outs[i]))
				goto out;
		ro.outputs = outs;
		ro.n_outputs = n_specs;
	} else if (cfg.n_outputs) {
		ro.outputs = cfg.outputs;
		ro.n_outputs = cfg.n_outputs;
	} else {
		if (output_config_parse("stdout", &dflt, err, sizeof(err)))
			goto out;
		ro.outputs = &dflt;
		ro.n_outputs = 1;
	}
	ro.pipeline = c.o;
	ro.rules_from_cli = n_rules > 0;
	ro.rule_paths = n_rules ? rule_paths : cfg.n_rules ? cfg.rules : NULL;
	ro.n_rule_paths = n_rules ? n_rules : cfg.n_rules;
	ro.metrics_listen = listen ? listen : cfg.metrics_listen;
	ro.metrics_required = listen || config_path; /* the built-in default alone may be taken: then run without */
	ro.health = cfg.health;
	ro.config_path = config_path;
	ro.sbom_dir = sbom_dir;
	ro.config = &cfg;
	ro.verbose = c.verbose;
	ro.log_format_given = c.log_format_given;
	status = run_main(&ro);
out:
	config_errors_free(&errs);
	config_free(&cfg);
	return status;
}
