// SPDX-License-Identifier: Apache-2.0
/*
 * The default ruleset against recorded event sequences (the .jsonl files in tests/replay,
 * in the `bulwark trace` format). Each file lists the alerts it must raise:
 *
 *   # expect: <rule name>
 *   #   <output field> = <value>      (output_fields["<output field>"])
 *   #   @<key> = <value>              (a top-level key of the alert, e.g. @priority)
 *
 * and raises exactly those, in that order: a *.fires.jsonl file is a positive
 * sequence, its *.benign.jsonl twin (no expect lines) must raise nothing. Every
 * default rule has a positive case and every positive case a benign twin.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "replay.h"
#include "rules/rules.h"

#define CASES "tests/replay"
#define MAX_EXPECT 32
#define MAX_KV 12

struct expect {
	char rule[256];
	struct {
		char key[128];
		char val[512];
	} kv[MAX_KV];
	int nkv;
};

static struct rules *defaults;
static const char *cur_case;

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* A JSON value as the text an expectation compares with. */
static void value_text(json_t *v, char *out, size_t size)
{
	if (!v)
		snprintf(out, size, "(absent)");
	else if (json_is_string(v))
		snprintf(out, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_true(v) || json_is_false(v))
		snprintf(out, size, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_null(v))
		snprintf(out, size, "null");
	else {
		char *d = json_dumps(v, JSON_COMPACT);

		snprintf(out, size, "%s", d ? d : "?");
		free(d);
	}
}

/* The parts of Falco's schema every alert must have. */
static void check_schema(json_t *a, const char *where)
{
	static const char *const prios[] = { "Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
					      "Informational", "Debug", NULL };
	const char *prio = json_string_value(json_object_get(a, "priority"));
	const char *out = json_string_value(json_object_get(a, "output"));
	const char *uuid = json_string_value(json_object_get(a, "uuid"));
	json_t *tags = json_object_get(a, "tags");
	regex_t re;
	size_t i;
	bool technique = false;
	int k;

	CHECK(json_is_string(json_object_get(a, "time")), "%s: no time", where);
	CHECK(json_is_string(json_object_get(a, "rule")), "%s: no rule", where);
	for (k = 0; prios[k] && (!prio || strcmp(prios[k], prio) != 0); k++)
		;
	CHECK(prio && prios[k], "%s: priority '%s' is not one of Falco's", where, prio ? prio : "(null)");
	CHECK(json_is_object(json_object_get(a, "output_fields")), "%s: no output_fields", where);
	CHECK_STR(json_string_value(json_object_get(a, "hostname")), "test-host");
	CHECK_STR(json_string_value(json_object_get(a, "source")), "syscall");
	regcomp(&re, "^[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}: [A-Z][a-z]+ ", REG_EXTENDED | REG_NOSUB);
	CHECK(out && regexec(&re, out, 0, NULL, 0) == 0, "%s: output '%s' lacks Falco's time and priority prefix", where,
	      out ? out : "(null)");
	regfree(&re);
	regcomp(&re, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", REG_EXTENDED | REG_NOSUB);
	CHECK(uuid && regexec(&re, uuid, 0, NULL, 0) == 0, "%s: uuid '%s' is not a v4 uuid", where, uuid ? uuid : "(null)");
	regfree(&re);
	CHECK(json_is_array(tags) && json_array_size(tags) > 0, "%s: no tags", where);
	for (i = 0; i < json_array_size(tags); i++) {
		const char *t = json_string_value(json_array_get(tags, i));

		technique |= t && t[0] == 'T' && t[1] >= '0' && t[1] <= '9';
	}
	CHECK(technique, "%s: no MITRE ATT&CK technique tag", where);
	/* the fields every alert carries (issue 4) */
	{
		static const char *const always[] = { "container.id", "container.name", "container.image.repository",
						      "proc.pid", "proc.exepath", "proc.cmdline", "proc.pname",
						      "k8s.pod.name", "k8s.ns.name", NULL };
		json_t *of = json_object_get(a, "output_fields");

		for (k = 0; always[k]; k++)
			CHECK(json_object_get(of, always[k]) != NULL, "%s: output_fields lacks %s", where, always[k]);
	}
}

static void run_case(void)
{
	struct expect *exp = calloc(MAX_EXPECT, sizeof(*exp));
	struct strbuf alerts = STRBUF_INIT;
	struct replay *rp = replay__new(defaults, "test-host", false);
	char path[512], *line = NULL, err[256];
	size_t cap = 0, nexp = 0, lineno = 0, got = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", CASES, cur_case);
	f = fopen(path, "re");
	CHECK(f && rp && exp, "cannot open %s", path);
	if (!f || !rp || !exp)
		goto out;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *t;

		lineno++;
		if (strncmp(line, "# expect:", 9) == 0) {
			CHECK(nexp < MAX_EXPECT, "too many expectations");
			if (nexp < MAX_EXPECT)
				snprintf(exp[nexp++].rule, sizeof(exp[0].rule), "%s", trim(line + 9));
			continue;
		}
		if (strncmp(line, "#   ", 4) == 0 && nexp && (t = strstr(line, " = "))) {
			struct expect *e = &exp[nexp - 1];

			*t = '\0';
			if (e->nkv < MAX_KV) {
				snprintf(e->kv[e->nkv].key, sizeof(e->kv[0].key), "%s", trim(line + 1));
				snprintf(e->kv[e->nkv].val, sizeof(e->kv[0].val), "%s", trim(t + 3));
				e->nkv++;
			}
			continue;
		}
		strbuf_reset(&alerts);
		if (replay__line(rp, line, len, &alerts, err, sizeof(err)) < 0) {
			CHECK(0, "%s:%zu: %s", path, lineno, err);
			continue;
		}
		/* each alert line against the next expectation */
		for (t = alerts.buf; t && *t;) {
			char *nl = strchr(t, '\n'), where[600];
			json_error_t jerr;
			json_t *a = json_loadb(t, nl ? (size_t)(nl - t) : strlen(t), 0, &jerr);
			const char *rule = json_string_value(json_object_get(a, "rule"));
			int k;

			snprintf(where, sizeof(where), "%s:%zu alert %zu", path, lineno, got + 1);
			CHECK(a != NULL, "%s: alert is not JSON: %s", where, jerr.text);
			if (a) {
				check_schema(a, where);
				if (got >= nexp) {
					CHECK(0, "%s: unexpected alert '%s'", where, rule ? rule : "?");
				} else {
					CHECK(rule && strcmp(rule, exp[got].rule) == 0, "%s: rule '%s', want '%s'", where,
					      rule ? rule : "?", exp[got].rule);
					for (k = 0; k < exp[got].nkv; k++) {
						const char *key = exp[got].kv[k].key;
						char v[512];

						value_text(key[0] == '@' ? json_object_get(a, key + 1) :
						           json_object_get(json_object_get(a, "output_fields"), key), v, sizeof(v));
						CHECK(strcmp(v, exp[got].kv[k].val) == 0, "%s (%s): %s = '%s', want '%s'", where,
						      exp[got].rule, key, v, exp[got].kv[k].val);
					}
				}
				json_decref(a);
			}
			got++;
			t = nl ? nl + 1 : NULL;
		}
	}
	CHECK(got >= nexp, "%s: %zu alerts, want %zu (first missing: '%s')", path, got, nexp,
	      got < nexp ? exp[got].rule : "");
out:
	if (f)
		fclose(f);
	free(line);
	free(exp);
	strbuf_free(&alerts);
	replay__free(rp);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every default rule is expected by some positive case; every positive case has a benign twin. */
static void test_coverage(void)
{
	DIR *d = opendir(CASES);
	struct dirent *de;
	char path[512], line[512];
	size_t i, n = rules__count(defaults);
	bool *seen = calloc(n ? n : 1, sizeof(*seen));

	CHECK(d && seen, "cannot open %s", CASES);
	while (d && seen && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		FILE *f;

		if (len < 12 || strcmp(de->d_name + len - 12, ".fires.jsonl") != 0)
			continue;
		if (strncmp(de->d_name, "breakout_", 9) != 0) {
			snprintf(path, sizeof(path), "%s/%.*s.benign.jsonl", CASES, (int)(len - 12), de->d_name);
			f = fopen(path, "re");
			CHECK(f != NULL, "%s has no benign twin %s", de->d_name, path);
			if (f)
				fclose(f);
		}
		snprintf(path, sizeof(path), "%s/%s", CASES, de->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "# expect:", 9) != 0)
				continue;
			for (i = 0; i < n; i++)
				if (strcmp(trim(line + 9), rule_name(rules__rule(defaults, i))) == 0)
					seen[i] = true;
		}
		if (f)
			fclose(f);
	}
	for (i = 0; seen && i < n; i++)
		CHECK(seen[i], "default rule '%s' has no positive replay case", rule_name(rules__rule(defaults, i)));
	/* 20 named by issue 11, 14 added by issue 13 (reverse shells, dropped scripts, failed execs,
	 * injection, raw sockets, connect sweeps, links to sensitive files, persistence writes,
	 * executables written), 1 by issue 12 (usermode helper paths), 1 by issue 15 (image hygiene),
	 * 1 by issue 16 (the agent tampered) */
	CHECK(n == 37, "the default ruleset has 37 rules, it has %zu", n);
	if (d)
		closedir(d);
	free(seen);
}


/* ---- the process model: replay drives the live agent's process tree ---------------------- */

static const char anc_rules[] =
	"- rule: child of parentx\n"
	"  desc: t\n"
	"  condition: evt.type = openat and proc.pname = parentx\n"
	"  output: \"%proc.pname %proc.pexepath %proc.aname[2] %proc.cmdline\"\n"
	"  priority: WARNING\n";

#define PROC_LINE(t, type, sys, pid, ppid, start, pstart, comm, tail)                                              \
	"{\"time\":\"2026-11-22T00:00:" t "Z\",\"type\":\"" type "\"" sys ",\"res\":0,\"proc\":{\"pid\":" #pid         \
	",\"tid\":" #pid ",\"ppid\":" #ppid ",\"uid\":0,\"comm\":\"" comm "\",\"start_time\":" #start                    \
	",\"parent_start_time\":" #pstart "}" tail "}"

static int feed(struct replay *rp, const char *line, struct strbuf *alerts)
{
	char err[256] = "";
	int rc = replay__line(rp, line, strlen(line), alerts, err, sizeof(err));

	CHECK(rc >= 0, "line refused (%s): %s", err, line);
	return rc;
}

/*
 * Lines without "ancestors": the ancestry comes from exec and fork records
 * through agent/proctree, with its exit grace period (an exited parent is
 * still named for PROCTREE_EXIT_GRACE_MS, as in the live agent) and its
 * (pid, start time) identity (a reused pid is another process).
 */
static void test_process_tree_from_the_stream(void)
{
	struct rules_source src = { "anc.yaml", anc_rules, sizeof(anc_rules) - 1 };
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_sources(&src, 1, &d);
	struct strbuf alerts = STRBUF_INIT;
	struct replay *rp;
	static const char *const pre[] = {
		PROC_LINE("01.000", "exec", ",\"syscall\":\"execve\"", 10, 1, 1000, 1, "gp",
			  ",\"exec\":{\"filename\":\"/bin/gp\",\"exe\":\"/bin/gp\"}"),
		PROC_LINE("01.100", "fork", "", 11, 10, 2000, 1000, "gp", ",\"fork\":{\"parent_tid\":10}"),
		PROC_LINE("01.200", "exec", ",\"syscall\":\"execve\"", 11, 10, 2000, 1000, "parentx",
			  ",\"exec\":{\"filename\":\"/bin/parentx\",\"exe\":\"/usr/bin/parentx\"}"),
		PROC_LINE("01.300", "fork", "", 12, 11, 3000, 2000, "parentx", ",\"fork\":{\"parent_tid\":11}"),
		PROC_LINE("01.400", "exec", ",\"syscall\":\"execve\"", 12, 11, 3000, 2000, "child",
			  ",\"exec\":{\"filename\":\"/bin/child\",\"exe\":\"/bin/child\"}"),
	};
	size_t i;

	CHECK(rs != NULL, "rules do not load");
	if (!rs)
		return;
	rp = replay__new(rs, "h", false);
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		feed(rp, pre[i], NULL);
	CHECK_INT(feed(rp, PROC_LINE("01.500", "open", ",\"syscall\":\"openat\"", 12, 11, 3000, 2000, "child",
				     ",\"file\":{\"upath\":\"/tmp/x\",\"flags\":\"O_WRONLY\"}"), &alerts), 1);
	CHECK(strstr(alerts.buf ? alerts.buf : "", "parentx /usr/bin/parentx gp ") != NULL, "alert: %s",
	      alerts.buf ? alerts.buf : "(none)");
	/* the parent exits: still known during the grace period, forgotten after it */
	feed(rp, PROC_LINE("02.000", "exit", "", 11, 10, 2000, 1000, "parentx", ",\"exit\":{\"code\":0}"), NULL);
	CHECK_INT(feed(rp, PROC_LINE("03.000", "open", ",\"syscall\":\"openat\"", 12, 11, 3000, 2000, "child",
				     ",\"file\":{\"upath\":\"/tmp/x\",\"flags\":\"O_WRONLY\"}"), NULL), 1);
	CHECK_INT(feed(rp, PROC_LINE("05.000", "open", ",\"syscall\":\"openat\"", 12, 11, 3000, 2000, "child",
				     ",\"file\":{\"upath\":\"/tmp/x\",\"flags\":\"O_WRONLY\"}"), NULL), 0);
	/* pid 11 reused by another process: not the parent of a child of the old one */
	feed(rp, PROC_LINE("05.100", "exec", ",\"syscall\":\"execve\"", 11, 10, 9000, 1000, "parentx",
			   ",\"exec\":{\"filename\":\"/bin/parentx\",\"exe\":\"/usr/bin/parentx\"}"), NULL);
	CHECK_INT(feed(rp, PROC_LINE("05.200", "open", ",\"syscall\":\"openat\"", 12, 11, 3000, 2000, "child",
				     ",\"file\":{\"upath\":\"/tmp/x\",\"flags\":\"O_WRONLY\"}"), NULL), 0);
	replay__free(rp);
	rules__free(rs);
	rules_diags_free(&d);
	strbuf_free(&alerts);
}

int main(void)
{
	struct rules_diags diags = { 0 };
	char **names = NULL;
	size_t n = 0, i;
	DIR *d;
	struct dirent *de;

	defaults = rules__load_default(&diags);
	CHECK(defaults != NULL, "the default ruleset does not load");
	CHECK(diags.warnings == 0, "the default ruleset has %zu warnings", diags.warnings);
	rules_diags_print(&diags, stderr);
	rules_diags_free(&diags);
	if (!defaults)
		return check_summary() ? 1 : 1;
	d = opendir(CASES);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **nv;

		if (len < 7 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		nv = realloc(names, (n + 1) * sizeof(*nv));
		if (!nv)
			break;
		names = nv;
		names[n++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		cur_case = names[i];
		check_run(names[i], run_case);
		free(names[i]);
	}
	free(names);
	RUN(test_coverage);
	RUN(test_process_tree_from_the_stream);
	rules__free(defaults);
	return check_summary();
}
