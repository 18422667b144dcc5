// SPDX-License-Identifier: Apache-2.0
/*
 * Validation: every class of error `bulwark rules check` reports, each with
 * its exact file:line:col (also inside folded, quoted and appended
 * conditions), warnings that do not fail a load, and loading from
 * directories in name order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rules/internal.h" /* RULES_FILE_MAX */
#include "rules/rules.h"

static const char rule_head[] = "- rule: r\n  desc: d\n";

/* Loads @yaml as t.yaml; the load must fail with an error at line:col whose message contains @msg. */
static void want_error_n(const struct rules_source *src, size_t n, const char *file, unsigned int line,
			 unsigned int col, const char *msg, bool strict)
{
	struct rules_diags d = { .strict = strict };
	struct rules *rs = rules__load_sources(src, n, &d);
	size_t i;
	bool found = false;

	CHECK(rs == NULL, "loaded although it should fail with %s:%u:%u: %s", file, line, col, msg);
	for (i = 0; i < d.n; i++)
		if (!d.v[i].warning && d.v[i].line == line && d.v[i].col == col && strcmp(d.v[i].file, file) == 0 &&
		    strstr(d.v[i].msg, msg))
			found = true;
	if (!found) {
		CHECK(0, "no error %s:%u:%u: ...%s...; got:", file, line, col, msg);
		rules_diags_print(&d, stderr);
	}
	rules__free(rs);
	rules_diags_free(&d);
}

static void want_error(const char *yaml, unsigned int line, unsigned int col, const char *msg)
{
	struct rules_source s = { "t.yaml", yaml, strlen(yaml) };

	want_error_n(&s, 1, "t.yaml", line, col, msg, false);
}

/*
 * What Falco accepts and `rules check --strict` refuses: by default the load
 * succeeds with a warning at line:col containing @msg; strict, it fails there.
 */
static void want_lax(const char *yaml, unsigned int line, unsigned int col, const char *msg)
{
	struct rules_source s = { "t.yaml", yaml, strlen(yaml) };
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_sources(&s, 1, &d);
	bool found = false;
	size_t i;

	CHECK(rs != NULL, "refused what Falco accepts (%s)", msg);
	for (i = 0; i < d.n; i++)
		if (d.v[i].warning && d.v[i].line == line && d.v[i].col == col && strstr(d.v[i].msg, msg))
			found = true;
	if (!found) {
		CHECK(0, "no warning t.yaml:%u:%u: ...%s...; got:", line, col, msg);
		rules_diags_print(&d, stderr);
	}
	rules__free(rs);
	rules_diags_free(&d);
	want_error_n(&s, 1, "t.yaml", line, col, msg, true);
}

/* A rule named r with @cond on line 3 (the condition value starts at column 14). */
static void want_cond_error(const char *cond, unsigned int col, const char *msg)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), "%s  condition: %s\n  output: o\n  priority: info\n", rule_head, cond);
	want_error(yaml, 3, col, msg);
}

static void test_yaml_errors(void)
{
	want_error("- rule: r\n  desc: [unclosed\n", 3, 1, "YAML error");
	want_error("- rule: r\n    desc: d\n", 2, 9, "YAML error: mapping values are not allowed");
	want_error("rule: r\n", 1, 1, "a rules file is a sequence of items");
	want_error("- just a string\n", 1, 3, "each item must be a mapping");
	want_error("- foo: bar\n", 1, 3, "unknown item: expected rule, macro or list");
}

static void test_unknown_keys(void)
{
	want_lax("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n  severity: high\n",
		 6, 3, "unknown key 'severity' in a rule");
	want_lax("- list: l\n  items: [a]\n  itemz: [b]\n", 3, 3, "unknown key 'itemz' in a list");
	want_lax("- macro: m\n  condition: evt.type = execve\n  cond: x\n", 3, 3, "unknown key 'cond' in a macro");
	want_error("- rule: r\n  desc: d\n  desc: e\n  condition: evt.type = execve\n  output: o\n  priority: info\n",
		   3, 3, "duplicate key 'desc'");
	want_lax("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
		 "  exceptions:\n    - name: e\n      field: [proc.name]\n      fields: [proc.name]\n", 8, 7,
		 "unknown key 'field' in an exception");
}

static void test_condition_positions(void)
{
	/* plain scalar: column 14 + offset */
	want_cond_error("evt.type = execve and proc.nam = x", 36, "rule 'r': unknown field 'proc.nam'");
	/* double-quoted: the quote is column 14 */
	{
		const char *y = "- rule: r\n  desc: d\n  condition: \"evt.type = execve and proc.nam = x\"\n  output: o\n  priority: info\n";

		want_error(y, 3, 37, "unknown field 'proc.nam'");
	}
	/* folded block: the line and column inside the block */
	want_error("- rule: r\n  desc: d\n  condition: >\n    evt.type = execve\n    and proc.nam = x\n  output: o\n  priority: info\n",
		   5, 9, "unknown field 'proc.nam'");
	/* literal block with deeper indentation and a blank line */
	want_error("- rule: r\n  desc: d\n  condition: |\n      evt.type = execve\n\n      and (proc.name = a or\n"
		   "           fd.nme = b)\n  output: o\n  priority: info\n", 7, 12, "unknown field 'fd.nme'");
	/* in a macro: the macro's own position */
	want_error("- macro: m\n  condition: proc.name = a and bogus.x = 1\n"
		   "- rule: r\n  desc: d\n  condition: evt.type = execve and m\n  output: o\n  priority: info\n",
		   2, 32, "macro 'm': unknown field 'bogus.x'");
}

static void test_condition_errors(void)
{
	want_cond_error("evt.type = execve and proc.name equals x", 46, "unknown operator 'equals'");
	want_cond_error("evt.type = execve and not_a_macro", 36, "undefined macro 'not_a_macro'");
	want_cond_error("evt.type = execve and proc.name in shells", 49, "'shells' is not a defined list");
	want_cond_error("evt.type = execve and proc.pid contains 1", 45,
			"operator 'contains' cannot be used with field proc.pid (int64)");
	want_cond_error("evt.type = execve and evt.res > abc", 46, "'abc' is not a valid int64 value for field evt.res");
	want_cond_error("evt.type = execve and user.uid = -1", 47, "'-1' is not a valid uint64 value for field user.uid");
	want_cond_error("evt.type = execve and container.privileged = yes", 59, "'yes' is not a valid bool value");
	want_cond_error("evt.type = connect and fd.sip = 10.0.0.300", 46, "'10.0.0.300' is not a valid ipaddr value");
	want_cond_error("evt.type = execve and proc.name[1] = x", 46, "field proc.name does not take an index");
	want_cond_error("evt.type = execve and proc.aname[x] = y", 47, "index of proc.aname must be a number");
	want_cond_error("evt.type = execve and proc.name < 5", 46, "operator '<' cannot be used with field proc.name");
	want_cond_error("evt.type = execve and proc.name in (a, b", 54, "expected ',' or ')'");
	want_cond_error("evt.type = execve and (proc.name = x", 50, "expected ')'");
	want_cond_error("evt.type = execve and proc.name = \"x", 48, "unterminated quoted string");
	want_cond_error("evt.type = execve and and proc.name = x", 36, "expected a field check, a macro name or '('");
	want_cond_error("evt.type = execve proc.name = x", 32, "unexpected 'proc.name = x'");
	want_cond_error("evt.type = execve and tolower(proc.name) = x", 36, "field transformers");
	want_cond_error("evt.type = execve and proc.name regex \"(\"", 52, "invalid regular expression");
}

static void test_unreachable(void)
{
	want_cond_error("evt.type = execve and fd.name = /x", 14, "rule 'r': can never match");
	want_cond_error("evt.type = openat and not evt.type in (open, openat, openat2, creat, open_by_handle_at)", 14, "can never match");
	want_cond_error("bulwark.event = exec and evt.type = connect", 14, "can never match");
}

static void test_duplicates(void)
{
	/* Falco: a later definition replaces the earlier one; --strict refuses it */
	want_lax("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
		 "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n",
		 6, 3, "rule 'r' is already defined at t.yaml:1:3");
	want_lax("- list: l\n  items: [a]\n- list: l\n  items: [b]\n", 3, 3, "list 'l' is already defined at t.yaml:1:3");
	want_lax("- macro: m\n  condition: proc.name = a\n- macro: m\n  condition: proc.name = b\n", 3, 3,
		 "macro 'm' is already defined at t.yaml:1:3");
}

static void test_item_errors(void)
{
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: severe\n", 5, 13,
		   "invalid priority 'severe'");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  priority: info\n", 1, 3, "rule 'r' has no output");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n  enabled: maybe\n", 6, 12,
		   "enabled must be true or false");
	want_error("- rule: nope\n  condition: and x\n  override:\n    condition: append\n", 1, 3,
		   "rule 'nope' has no earlier definition to override");
	want_error("- list: l\n  items: [a]\n  override:\n    items: append\n", 1, 3, "list 'l' has no earlier definition to append to");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
		   "- rule: r\n  priority: error\n  override:\n    priority: append\n", 9, 5, "'priority' cannot be appended");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
		   "- rule: r\n  priority: error\n  desc: x\n  override:\n    priority: replace\n", 8, 3,
		   "key 'desc' is not listed under override");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n"
		   "- rule: r\n  condition: and proc.name = x\n  append: true\n  override:\n    condition: append\n", 6, 3,
		   "'append' and 'override' cannot be used together");
	want_error("- rule: r\n  enabled: false\n", 1, 3, "no earlier definition to enable or disable");
	want_error("- list: l\n  items: [a, [b]]\n", 2, 14, "list 'l': items must be strings");
}

static void test_macro_recursion(void)
{
	want_error("- macro: a\n  condition: b\n- macro: b\n  condition: evt.type = execve and a\n"
		   "- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: info\n",
		   4, 36, "macro 'a' refers to itself (a -> b -> a)");
	want_error("- list: x\n  items: [y]\n- list: y\n  items: [x]\n"
		   "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (x)\n  output: o\n  priority: info\n",
		   1, 3, "contains itself");
}

static void test_append_positions(void)
{
	const char *a = "- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n";
	const char *b = "# appended\n- rule: r\n  condition: and proc.nam = x\n  override:\n    condition: append\n";
	struct rules_source s[2] = { { "a.yaml", a, strlen(a) }, { "b.yaml", b, strlen(b) } };

	/* the error is in the fragment b.yaml appended, not in a.yaml's text */
	want_error_n(s, 2, "b.yaml", 3, 18, "unknown field 'proc.nam'", false);
}

static void test_exception_errors(void)
{
	char y[1024];

#define EXC(x) (snprintf(y, sizeof(y), "%s  condition: evt.type = execve\n  output: o\n  priority: info\n  exceptions:\n%s", \
			 rule_head, (x)), y)
	want_error(EXC("    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, like]\n"), 9, 18,
		   "'like' is not a comparison operator");
	want_error(EXC("    - name: e\n      fields: [proc.name, proc.pid]\n      values:\n        - [a]\n"), 10, 11,
		   "exception 'e' has 2 fields but this value has 1 entries");
	want_error(EXC("    - name: e\n      fields: [proc.nam]\n      values:\n        - [a]\n"), 8, 16,
		   "unknown field 'proc.nam'");
	want_error(EXC("    - name: e\n      fields: [proc.pid]\n      values:\n        - [abc]\n"), 10, 12,
		   "'abc' is not a valid int64 value for field proc.pid");
	want_error(EXC("    - name: e\n      fields: [proc.name]\n      values:\n        - values: [a]\n          expires: soon\n"),
		   11, 20, "expires must be a date YYYY-MM-DD");
	want_error(EXC("    - name: e\n      fields: proc.name\n      comps: =\n      values: [a]\n"), 9, 14,
		   "with a single field, comps must be in, pmatch or intersects");
	want_error(EXC("    - fields: [proc.name]\n"), 7, 7, "exception has no name");
	want_lax(EXC("    - name: e\n      fields: [proc.name]\n      values:\n        - {values: [a], until: 2030-01-01}\n"), 10, 25,
		 "unknown key 'until' in an exception value");
#undef EXC
}

static void test_output_errors(void)
{
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: hello %proc.nam\n  priority: info\n", 4, 17,
		   "unknown field 'proc.nam' in output");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: >\n    a %proc.aname b\n  priority: info\n", 5, 7,
		   "field proc.aname needs an index in outputs");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: 'x %proc.name[2]'\n  priority: info\n", 4, 25,
		   "field proc.name does not take an index");
}

/* Macros that use a macro twice, 20 deep: a million checks per event; refused. */
static void test_exponential_macros(void)
{
	char y[4096];
	size_t n = 0;
	int i;

	n += snprintf(y + n, sizeof(y) - n, "- macro: m0\n  condition: proc.name = a\n");
	for (i = 1; i <= 20; i++)
		n += snprintf(y + n, sizeof(y) - n, "- macro: m%d\n  condition: m%d and m%d\n", i, i - 1, i - 1);
	snprintf(y + n, sizeof(y) - n, "- rule: r\n  desc: d\n  condition: evt.type = execve and m20\n  output: o\n"
				       "  priority: info\n");
	want_error(y, 45, 14, "condition too large");
}

/* Several errors in one file are all reported. */
static void test_many_errors(void)
{
	const char *y = "- rule: a\n  desc: d\n  condition: evt.type = execve and x.y = 1\n  output: o\n  priority: info\n"
			"- rule: b\n  desc: d\n  condition: evt.type = execve and proc.name contains\n  output: o\n  priority: info\n"
			"- rule: c\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: loud\n";
	struct rules_source s = { "t.yaml", y, strlen(y) };
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_sources(&s, 1, &d);

	CHECK(rs == NULL, "loaded");
	CHECK_INT(d.errors, 3);
	rules__free(rs);
	rules_diags_free(&d);
}

static void test_warnings(void)
{
	const char *y = "- macro: unused\n  condition: proc.name = x\n"
			"- list: unused_list\n  items: [a]\n"
			"- rule: everywhere\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: info\n"
			"- rule: k8s\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: info\n  source: k8s_audit\n"
			"- rule: skipped\n  desc: d\n  condition: evt.type = execve and some.plugin.field = 1\n  output: o\n"
			"  priority: info\n  skip-if-unknown-filter: true\n"
			"- rule: old\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n  exceptions:\n"
			"    - name: e\n      fields: proc.name\n      values:\n        - value: x\n          expires: 2001-01-01\n";
	struct rules_source s = { "t.yaml", y, strlen(y) };
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_sources(&s, 1, &d);
	static const struct {
		unsigned int line, col;
		const char *msg;
	} want[] = {
		{ 1, 3, "macro 'unused' is not used by any rule" },
		{ 3, 3, "list 'unused_list' is not used by any rule or macro" },
		{ 7, 14, "rule 'everywhere': no evt.type restriction" },
		{ 10, 3, "rule 'k8s' has source 'k8s_audit': skipped" },
		{ 18, 14, "rule 'skipped': skipped: unknown field 'some.plugin.field'" },
		{ 32, 20, "exception 'e' expired on 2001-01-01" },
	};
	size_t i, j;

	CHECK(rs != NULL, "warnings failed the load");
	CHECK_INT(d.errors, 0);
	CHECK_INT(d.warnings, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;

		for (j = 0; j < d.n; j++)
			found |= d.v[j].warning && d.v[j].line == want[i].line && d.v[j].col == want[i].col &&
				 strstr(d.v[j].msg, want[i].msg) != NULL;
		CHECK(found, "no warning %u:%u: %s", want[i].line, want[i].col, want[i].msg);
	}
	if (rs)
		CHECK_INT(rules__count(rs), 2); /* everywhere and old */
	rules__free(rs);
	rules_diags_free(&d);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL, "cannot write %s", path);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A directory contributes its .yaml/.yml files in name order; later files override earlier ones. */
static void test_directory(void)
{
	char dir[] = "/tmp/bulwark-rules-XXXXXX", p[256];
	const char *paths[2];
	struct rules_diags d = { 0 };
	struct rules *rs;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(p, sizeof(p), "%s/20-local.yml", dir);
	write_file(p, "- list: names\n  items: [b]\n  override:\n    items: append\n");
	snprintf(p, sizeof(p), "%s/10-base.yaml", dir);
	write_file(p, "- list: names\n  items: [a]\n"
		      "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (names)\n  output: o\n  priority: info\n");
	snprintf(p, sizeof(p), "%s/notes.txt", dir);
	write_file(p, "not rules");
	snprintf(p, sizeof(p), "%s/.hidden.yaml", dir);
	write_file(p, "- broken: [\n");
	paths[0] = dir;
	rs = rules__load_paths(paths, 1, &d);
	CHECK(rs != NULL, "the directory did not load");
	if (rs)
		CHECK_INT(rules__count(rs), 1);
	rules__free(rs);
	rules_diags_free(&d);

	/* a file given after the directory overrides it; its errors name its path */
	snprintf(p, sizeof(p), "%s/extra.yaml", dir);
	write_file(p, "- rule: r\n  condition: and proc.nam = x\n  override:\n    condition: append\n");
	paths[1] = p;
	rs = rules__load_paths(paths, 2, &d);
	CHECK(rs == NULL, "loaded");
	CHECK(d.n >= 1 && strcmp(d.v[0].file, p) == 0 && d.v[0].line == 2 && d.v[0].col == 18,
	      "first diagnostic %s:%u:%u", d.n ? d.v[0].file : "", d.n ? d.v[0].line : 0, d.n ? d.v[0].col : 0);
	rules__free(rs);
	rules_diags_free(&d);

	/* a missing file */
	snprintf(p, sizeof(p), "%s/missing.yaml", dir);
	paths[0] = p;
	rs = rules__load_paths(paths, 1, &d);
	CHECK(rs == NULL && d.n == 1 && strstr(d.v[0].msg, "cannot open") && d.v[0].line == 0, "missing file");
	rules__free(rs);
	rules_diags_free(&d);

	/* not a regular file, and a file larger than the limit: the same message */
	paths[0] = "/dev/null";
	rs = rules__load_paths(paths, 1, &d);
	CHECK(rs == NULL && d.n == 1 && strstr(d.v[0].msg, "not a regular file of at most"), "a device");
	rules__free(rs);
	rules_diags_free(&d);
	snprintf(p, sizeof(p), "%s/huge.yaml", dir);
	write_file(p, "");
	CHECK(truncate(p, RULES_FILE_MAX + 1) == 0, "truncate");
	paths[0] = p;
	rs = rules__load_paths(paths, 1, &d);
	CHECK(rs == NULL && d.n == 1 && strstr(d.v[0].msg, "not a regular file of at most") &&
	      strcmp(d.v[0].file, p) == 0, "a file over the limit");
	rules__free(rs);
	rules_diags_free(&d);

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	CHECK(system(p) == 0, "cleanup");
}

/* The shipped ruleset loads without errors or warnings. */
static void test_default_rules(void)
{
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_default(&d);

	CHECK(rs != NULL, "the default rules do not load");
	CHECK_INT(d.n, 0);
	rules_diags_print(&d, stderr);
	rules__free(rs);
	rules_diags_free(&d);
}

/* action: block compiles to kernel facts, or is refused at the action key with the reason */
#define OW "evt.type in (open, openat, openat2, creat, open_by_handle_at) and evt.is_open_write = true"
static void test_block(void)
{
	static const char good[] = "- rule: r\n  desc: d\n  condition: " OW " and container.id != host and "
				   "(fd.filename in (release_agent, notify_on_release) and bulwark.fs.type = cgroup or "
				   "fd.name endswith /sys/kernel/core_pattern and bulwark.fs.type = proc)\n"
				   "  output: o\n  priority: CRITICAL\n  action: block\n";
	struct rules_source s = { "t.yaml", good, strlen(good) };
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_sources(&s, 1, &d);
	struct bw_block_key k[8];
	size_t n;

	CHECK(rs != NULL, "blockable rule refused");
	if (rs) {
		n = rules__block_facts(rs, k, 8);
		CHECK_INT(n, 3);
		if (n == 3) {
			CHECK_INT(k[0].fs_magic, 0x27e0eb);
			CHECK_INT(k[0].depth, 1);
			CHECK_STR(k[0].name, "release_agent");
			CHECK_STR(k[1].name, "notify_on_release");
			CHECK_INT(k[2].fs_magic, 0x9fa0);
			CHECK_INT(k[2].depth, 3);
			CHECK_STR(k[2].name, "core_pattern");
			CHECK_STR(k[2].parent, "kernel");
			CHECK_STR(k[2].gparent, "sys");
		}
	}
	rules__free(rs);
	rules_diags_free(&d);

	want_error("- rule: r\n  desc: d\n  condition: " OW " and fd.filename = release_agent and bulwark.fs.type = cgroup "
		   "and proc.name = sh\n  output: o\n  priority: CRITICAL\n  action: block\n",
		   6, 11, "action: block: proc.name = cannot be decided in the kernel");
	want_error("- rule: r\n  desc: d\n  condition: " OW " and fd.filename = release_agent\n"
		   "  output: o\n  priority: CRITICAL\n  action: block\n",
		   6, 11, "the kernel needs the filesystem");
	want_error("- rule: r\n  desc: d\n  condition: evt.type = openat and evt.is_open_write = true and "
		   "fd.filename = release_agent and bulwark.fs.type = cgroup\n"
		   "  output: o\n  priority: CRITICAL\n  action: block\n",
		   6, 11, "evt.type must name every open");
	want_error("- rule: r\n  desc: d\n  condition: evt.type in (open, openat, openat2, creat, open_by_handle_at) "
		   "and fd.filename = release_agent and bulwark.fs.type = cgroup\n"
		   "  output: o\n  priority: CRITICAL\n  action: block\n",
		   6, 11, "only write-opens can be blocked");
	want_error("- rule: r\n  desc: d\n  condition: " OW " and not fd.filename = release_agent and bulwark.fs.type = cgroup\n"
		   "  output: o\n  priority: CRITICAL\n  action: block\n",
		   6, 11, "'not' cannot be decided");
	want_error("- rule: r\n  desc: d\n  condition: " OW " and fd.filename = release_agent and bulwark.fs.type = cgroup\n"
		   "  exceptions:\n    - name: shells\n      fields: [proc.name]\n      values: [[sh]]\n"
		   "  output: o\n  priority: CRITICAL\n  action: block\n",
		   10, 11, "exception 'shells' cannot be decided in the kernel");
	want_error("- rule: r\n  desc: d\n  condition: " OW "\n  output: o\n  priority: CRITICAL\n  action: stop\n",
		   6, 11, "action must be block or alert");
}

int main(void)
{
	RUN(test_yaml_errors);
	RUN(test_unknown_keys);
	RUN(test_condition_positions);
	RUN(test_condition_errors);
	RUN(test_unreachable);
	RUN(test_duplicates);
	RUN(test_item_errors);
	RUN(test_macro_recursion);
	RUN(test_append_positions);
	RUN(test_exception_errors);
	RUN(test_output_errors);
	RUN(test_exponential_macros);
	RUN(test_many_errors);
	RUN(test_warnings);
	RUN(test_directory);
	RUN(test_default_rules);
	RUN(test_block);
	return check_summary();
}
