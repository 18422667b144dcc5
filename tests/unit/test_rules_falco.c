// SPDX-License-Identifier: Apache-2.0
/*
 * Falco compatibility of the rules loader (issue 14): the verdicts of
 * Falco's rule loader on the cases its own test files check (empty names,
 * appends with nothing to append, exceptions with unknown fields and no
 * values, override, enabled-only items, engine and plugin version gates,
 * repeated definitions), and Falco's three published rule files loading
 * unmodified, alone and together.
 *
 * The rule files are test data outside the repository: read from
 * ../shared/falco-rules/ relative to the project root (the test runs from
 * there); the test is skipped when the folder is absent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "rules/internal.h"
#include "rules/rules.h"

#define FALCO_DIR "../shared/falco-rules"

static const char rule_ok[] = "- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n";

/* Loads @yaml as t.yaml; returns whether it loaded (and the set in *out when out != NULL). */
static bool loads(const char *yaml, bool strict, struct rules **out, struct rules_diags *dout)
{
	struct rules_source s = { "t.yaml", yaml, strlen(yaml) };
	struct rules_diags d = { .strict = strict };
	struct rules *rs = rules__load_sources(&s, 1, dout ? dout : &d);

	if (out)
		*out = rs;
	else
		rules__free(rs);
	rules_diags_free(&d);
	return rs != NULL;
}

/* The verdict Falco gives: accepted (true) or refused; on a mismatch the diagnostics are shown. */
static void verdict(const char *what, const char *yaml, bool accept)
{
	struct rules_diags d = { 0 };
	struct rules *rs = NULL;
	bool ok = loads(yaml, false, &rs, &d);

	CHECK(ok == accept, "%s: Falco %s it, bulwark %s it", what, accept ? "accepts" : "refuses",
	      ok ? "accepts" : "refuses");
	if (ok != accept)
		rules_diags_print(&d, stderr);
	rules__free(rs);
	rules_diags_free(&d);
}

static bool has_diag(const struct rules_diags *d, bool warning, const char *msg)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].warning == warning && strstr(d->v[i].msg, msg))
			return true;
	return false;
}

static void test_empty_names(void)
{
	verdict("empty rule name", "- rule:\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n",
		false);
	verdict("empty list name", "- list:\n  items: [foo]\n", false);
	verdict("empty macro name", "- macro:\n  condition: evt.type = openat\n", false);
	verdict("rule name with spaces and regex characters",
		"- rule: 'Open [x] (y) * ?'\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n",
		true);
}

static void test_appends(void)
{
	char y[1024];

	/* an appended rule with neither condition nor exceptions: nothing to append */
	snprintf(y, sizeof(y), "%s- rule: R\n  append: true\n", rule_ok);
	verdict("append: true with nothing to append", y, false);
	snprintf(y, sizeof(y), "%s- rule: R\n  condition: and proc.name = cat\n  append: true\n", rule_ok);
	verdict("append: true of a condition", y, true);
	verdict("append to an undefined rule", "- rule: R\n  condition: and proc.name = cat\n  append: true\n", false);
	verdict("append to an undefined list", "- list: l\n  items: [a]\n  append: true\n", false);
	verdict("append to an undefined macro", "- macro: m\n  condition: and proc.name = a\n  append: true\n", false);
	/* an empty list appended is nothing, and fine */
	snprintf(y, sizeof(y), "- list: l\n  items: [cat]\n- list: l\n  items: []\n  append: true\n"
			       "- rule: R\n  desc: d\n  condition: evt.type = openat and proc.name in (l)\n  output: o\n"
			       "  priority: info\n");
	verdict("append of an empty list", y, true);
}

static void test_exceptions(void)
{
	char y[1024];

	snprintf(y, sizeof(y), "%s  exceptions:\n    - name: ex1\n      fields: [not.exist]\n", rule_ok);
	verdict("exception with an unknown field and no values", y, false);
	snprintf(y, sizeof(y), "%s  exceptions:\n    - name: a\n      fields: [proc.name]\n"
			       "    - name: b\n      fields: [proc.name, proc.cmdline]\n",
		 rule_ok);
	verdict("exceptions without values", y, true);
	snprintf(y, sizeof(y), "%s  exceptions:\n    - name: ex1\n", rule_ok);
	verdict("exception without fields", y, false);
	snprintf(y, sizeof(y), "%s  exceptions:\n    - fields: [proc.name]\n", rule_ok);
	verdict("exception without a name", y, false);
	snprintf(y, sizeof(y), "%s  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, no-comp]\n",
		 rule_ok);
	verdict("exception with an unknown comparison", y, false);
	snprintf(y, sizeof(y), "%s  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
			       "      values:\n        - [cat]\n",
		 rule_ok);
	verdict("exception value with fewer items than fields", y, false);
}

static void test_override_enabled(void)
{
	struct rules *rs = NULL;
	char y[1024];

	snprintf(y, sizeof(y), "%s- rule: R\n  condition: evt.type = connect\n  override:\n    condition: replace\n", rule_ok);
	verdict("override: condition replace", y, true);
	verdict("override of an undefined rule",
		"- rule: R\n  condition: evt.type = connect\n  override:\n    condition: replace\n", false);
	snprintf(y, sizeof(y), "%s- rule: R\n  condition: evt.type = connect\n  override:\n    condition: prepend\n", rule_ok);
	verdict("override with an unknown verb", y, false);
	/* enabled: false alone switches an earlier rule off */
	snprintf(y, sizeof(y), "%s- rule: R\n  enabled: false\n", rule_ok);
	CHECK(loads(y, false, &rs, NULL), "enabled-only item refused");
	if (rs)
		CHECK(!rule_enabled(rules__rule(rs, 0)), "enabled: false did not disable the rule");
	rules__free(rs);
	snprintf(y, sizeof(y), "%s  enabled: false\n", rule_ok);
	verdict("a disabled rule", y, true);
}

static void test_versions(void)
{
	char y[1024];

	snprintf(y, sizeof(y), "- required_engine_version: 0.57.0\n%s", rule_ok);
	verdict("required_engine_version of the pinned Falco files", y, true);
	snprintf(y, sizeof(y), "- required_engine_version: 26\n%s", rule_ok);
	verdict("required_engine_version as an old integer", y, true);
	snprintf(y, sizeof(y), "- required_engine_version: 9999999\n%s", rule_ok);
	verdict("required_engine_version newer than the engine", y, false);
	snprintf(y, sizeof(y), "- required_engine_version: 0.99.0\n%s", rule_ok);
	verdict("required_engine_version 0.99.0", y, false);
	snprintf(y, sizeof(y), "- required_engine_version: not-a-number\n%s", rule_ok);
	verdict("required_engine_version not a version", y, false);
	snprintf(y, sizeof(y), "- required_plugin_versions:\n    - name: container\n      version: 0.4.0\n%s", rule_ok);
	verdict("required_plugin_versions: container (built in)", y, true);
	snprintf(y, sizeof(y), "- required_plugin_versions: container\n%s", rule_ok);
	verdict("required_plugin_versions not a list", y, false);
}

/* Repeated definitions: the later replaces the earlier in its place, with a warning naming both; --strict refuses. */
static void test_redefinitions(void)
{
	const char *y = "- macro: m\n  condition: proc.name = a\n"
			"- rule: R\n  desc: first\n  condition: evt.type = openat and m\n  output: o\n  priority: info\n"
			"- rule: S\n  desc: s\n  condition: evt.type = openat\n  output: o\n  priority: info\n"
			"- macro: m\n  condition: proc.name = b\n"
			"- rule: R\n  desc: second\n  condition: evt.type = connect and m\n  output: o\n  priority: info\n";
	struct rules_diags d = { 0 };
	struct rules *rs = NULL;

	CHECK(loads(y, false, &rs, &d), "repeated definitions refused");
	if (rs) {
		CHECK_INT(rules__count(rs), 2);
		CHECK_STR(rule_name(rules__rule(rs, 0)), "R");
		CHECK_STR(rule_desc(rules__rule(rs, 0)), "second");
		CHECK_STR(rule_name(rules__rule(rs, 1)), "S");
	}
	CHECK(has_diag(&d, true, "rule 'R' is already defined at t.yaml:3:3: this definition replaces it"),
	      "no warning naming both places of R");
	CHECK(has_diag(&d, true, "macro 'm' is already defined at t.yaml:1:3"), "no warning naming both places of m");
	rules__free(rs);
	rules_diags_free(&d);
	CHECK(!loads(y, true, NULL, NULL), "--strict accepted repeated definitions");
	CHECK(!loads("- rule: R\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: info\n  colour: red\n",
		     true, NULL, NULL),
	      "--strict accepted an unknown key");
}

/* A rule needing a syscall bulwark does not capture loads, says why it cannot fire, and is in no index. */
static void test_cannot_fire(void)
{
	struct rules_diags d = { 0 };
	struct rules *rs = NULL;
	bool types[BW_EV_MAX] = { false };
	unsigned int t;

	/* (symlink, then dup2 and dup3, were the example until issues 13 and 14 captured them) */
	CHECK(loads("- rule: R\n  desc: d\n  condition: evt.type in (sendto, recvfrom) and evt.args = /etc/x\n"
		    "  output: '%evt.args'\n  priority: info\n",
		    false, &rs, &d),
	      "rule on uncaptured syscalls refused");
	if (rs) {
		const char *why = rule_cannot_fire(rules__rule(rs, 0));

		CHECK(why && strstr(why, "needs evt.type sendto, recvfrom which bulwark does not capture"),
		      "reason: %s", why ? why : "(none)");
		rules__event_types(rs, types);
		for (t = 0; t < BW_EV_MAX; t++)
			CHECK(!types[t], "a rule that cannot fire asks for event type %u", t);
	}
	CHECK(has_diag(&d, true, "field evt.args has no data on bulwark yet: rule 'R' can never match on it"),
	      "no warning for the field without data");
	CHECK(has_diag(&d, true, "field evt.args has no data on bulwark yet: rule 'R' prints <NA> for it"),
	      "no warning for the output field without data");
	rules__free(rs);
	rules_diags_free(&d);
	/* process state Falco has on every event: the process tree keeps what the exec record said */
	CHECK(loads("- rule: R\n  desc: d\n  condition: evt.type = init_module and thread.cap_effective icontains sys_module\n"
		    "  output: o\n  priority: info\n",
		    false, &rs, NULL),
	      "rule on process state refused");
	if (rs)
		CHECK(!rule_cannot_fire(rules__rule(rs, 0)), "reason: %s", rule_cannot_fire(rules__rule(rs, 0)));
	rules__free(rs);
	/* a contradiction is still refused */
	CHECK(!loads("- rule: R\n  desc: d\n  condition: evt.type = execve and fd.name = /x\n  output: o\n  priority: info\n",
		     false, NULL, NULL),
	      "a contradiction loaded");
}

/* ---- Falco's published rule files ------------------------------------------------------------ */

struct falco_file {
	const char *name;
	size_t rules, cannot_fire;
};

/* Measured when the files first loaded (issue 14); a change is a change in what bulwark can run. */
static const struct falco_file falco_files[] = {
	{ "falco_rules.yaml", 25, 1 },   /* 4 until link and symlink (issue 13) and dup (issue 14) were captured */
	{ "falco-incubating_rules.yaml", 31, 0 },
	{ "falco-sandbox_rules.yaml", 37, 2 }, /* 6 until rename, mkdir, userfaultfd and the exec facts were captured */
};
#define NFALCO (sizeof(falco_files) / sizeof(falco_files[0]))

static void check_set(const char *what, const char *const *paths, size_t n, size_t want_rules, size_t want_cannot)
{
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_paths(paths, n, &d);
	size_t i, cannot = 0;

	CHECK(rs != NULL, "%s: refused (%zu errors)", what, d.errors);
	if (!rs) {
		rules_diags_print(&d, stderr);
		rules_diags_free(&d);
		return;
	}
	for (i = 0; i < rules__count(rs); i++)
		cannot += rule_cannot_fire(rules__rule(rs, i)) != NULL;
	CHECK(rules__count(rs) == want_rules, "%s: %zu rules loaded, want %zu", what, rules__count(rs), want_rules);
	CHECK(cannot == want_cannot, "%s: %zu rules cannot fire, want %zu", what, cannot, want_cannot);
	CHECK_INT(d.errors, 0);
	rules__free(rs);
	rules_diags_free(&d);
}

static void test_falco_files(void)
{
	char paths[NFALCO][256];
	const char *all[NFALCO];
	size_t i, rules = 0, cannot = 0;
	struct stat st;

	if (stat(FALCO_DIR, &st) != 0)
		SKIP(FALCO_DIR " is absent (Falco's rule files are test data outside the repository)");
	for (i = 0; i < NFALCO; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", FALCO_DIR, falco_files[i].name);
		all[i] = paths[i];
		check_set(falco_files[i].name, &all[i], 1, falco_files[i].rules, falco_files[i].cannot_fire);
		rules += falco_files[i].rules;
		cannot += falco_files[i].cannot_fire;
	}
	/* together, as Falco users load them: later definitions replace earlier ones; no rule is repeated */
	check_set("all three", all, NFALCO, rules, cannot);
}

int main(void)
{
	rules_set_passwd_path("/etc/passwd");
	RUN(test_empty_names);
	RUN(test_appends);
	RUN(test_exceptions);
	RUN(test_override_enabled);
	RUN(test_versions);
	RUN(test_redefinitions);
	RUN(test_cannot_fire);
	RUN(test_falco_files);
	return check_summary();
}
