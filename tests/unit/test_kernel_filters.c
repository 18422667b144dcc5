// SPDX-License-Identifier: Apache-2.0
/*
 * What a reload changes in the kernel, without a kernel: the difference of
 * two filter sets (types switched on and off, read-only open prefixes added
 * and removed, duplicates counted once) and its one-line description; and
 * which rules need a hook the kernel lacks (named with file:line, the
 * syscalls and why), while rules the remaining hooks serve stay silent.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rules/rules.h"
#include "sensor.h"

static bool has(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void test_diff_types_and_prefixes(void)
{
	const char *a[] = { "/etc/shadow", "/tmp/x/", "/etc/shadow" };
	const char *b[] = { "/tmp/x/", "/root/.ssh/", "/root/.ssh/", "/var/secret" };
	struct sensor_filters old = { .ro_prefixes = a, .n_ro_prefixes = 3 };
	struct sensor_filters cur = { .ro_prefixes = b, .n_ro_prefixes = 4 };
	struct sensor_filters_diff d;
	char line[512];

	old.events[BW_EV_EXEC] = old.events[BW_EV_OPEN] = true;
	cur.events[BW_EV_EXEC] = cur.events[BW_EV_CHMOD] = true;
	sensor_filters_diff(&old, &cur, &d);
	CHECK(d.enabled[BW_EV_CHMOD] && !d.enabled[BW_EV_EXEC] && !d.enabled[BW_EV_OPEN], "enabled");
	CHECK(d.disabled[BW_EV_OPEN] && !d.disabled[BW_EV_EXEC] && !d.disabled[BW_EV_CHMOD], "disabled");
	CHECK_INT(d.n_added, 2);
	CHECK(has(d.added, d.n_added, "/root/.ssh/") && has(d.added, d.n_added, "/var/secret"), "added");
	CHECK_INT(d.n_removed, 1);
	CHECK(has(d.removed, d.n_removed, "/etc/shadow"), "removed");
	CHECK_INT(d.n_events, 2);
	CHECK_INT(d.n_prefixes, 3);
	sensor_filters_describe(&d, line, sizeof(line));
	CHECK_STR(line, "event types enabled: chmod; event types disabled: open; read-only open prefixes added: "
			"/root/.ssh/, /var/secret; read-only open prefixes removed: /etc/shadow "
			"(now 2 event types, 3 read-only open prefixes)");
}

static void test_diff_from_nothing_and_unchanged(void)
{
	const char *a[] = { "/etc/shadow" };
	struct sensor_filters f = { .ro_prefixes = a, .n_ro_prefixes = 1 };
	struct sensor_filters_diff d;
	char line[256];

	f.events[BW_EV_EXEC] = true;
	sensor_filters_diff(NULL, &f, &d);
	CHECK(d.enabled[BW_EV_EXEC] && d.n_added == 1 && d.n_removed == 0, "the start adds everything");
	sensor_filters_diff(&f, &f, &d);
	sensor_filters_describe(&d, line, sizeof(line));
	CHECK_STR(line, "unchanged (1 event types, 1 read-only open prefixes)");
	/* a short buffer is cut, never overrun */
	sensor_filters_diff(NULL, &f, &d);
	sensor_filters_describe(&d, line, 12);
	CHECK_INT(strlen(line), 11);
}

static const char hook_rules[] =
	"- rule: Needs Module\n  desc: d\n  condition: evt.type in (init_module, finit_module)\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: Chmod Any\n  desc: d\n  condition: evt.type in (chmod, fchmodat2)\n  output: o\n  priority: WARNING\n"
	"- rule: Only Fchmodat2\n  desc: d\n  condition: evt.type = fchmodat2 and proc.name = x\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: Module Or Exec\n  desc: d\n  condition: evt.type in (init_module, execve)\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: Not Chmod2\n  desc: d\n  condition: evt.type in (chmod, fchmodat, fchmodat2) and not evt.type = fchmodat2\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: Disabled Module\n  desc: d\n  condition: evt.type = init_module\n  output: o\n  priority: WARNING\n"
	"  enabled: false\n";

/* The warning about @rule, or NULL. */
static const struct rules_diag *warning_for(const struct rules_diags *d, const char *rule)
{
	char needle[128];
	size_t i;

	snprintf(needle, sizeof(needle), "rule '%s' needs hooks", rule);
	for (i = 0; i < d->n; i++)
		if (d->v[i].warning && strstr(d->v[i].msg, needle))
			return &d->v[i];
	return NULL;
}

static void test_rules_needing_missing_hooks(void)
{
	struct rules_source src = { "h.yaml", hook_rules, sizeof(hook_rules) - 1 };
	struct rules_missing_hooks m = { .n = 0 };
	struct rules_diags d = { 0 };
	struct rules *rs = rules__load_sources(&src, 1, NULL);
	const struct rules_diag *w;

	CHECK(rs, "the rules load");
	if (!rs)
		return;
	rules_missing_hooks_add(&m, "fchmodat2", "fchmodat2(2) exists since Linux 6.6");
	rules_missing_hooks_add(&m, "init_module", "no modules");
	rules_missing_hooks_add(&m, "finit_module", "no modules");
	CHECK_INT(rules__check_hooks(rs, &m, &d), 3);
	w = warning_for(&d, "Needs Module");
	CHECK(w && w->line == 1 && w->col == 3 && strcmp(w->file, "h.yaml") == 0, "Needs Module at h.yaml:1:3");
	CHECK(w && strstr(w->msg, "init_module, finit_module (no modules); it never fires"), "%s", w ? w->msg : "-");
	w = warning_for(&d, "Only Fchmodat2");
	CHECK(w && w->line == 11 && strstr(w->msg, "fchmodat2 (fchmodat2(2) exists since Linux 6.6)"), "%s",
	      w ? w->msg : "-");
	w = warning_for(&d, "Module Or Exec");
	CHECK(w && strstr(w->msg, ": init_module (no modules); it fires only for its other event types"), "%s",
	      w ? w->msg : "-");
	CHECK(!warning_for(&d, "Chmod Any"), "chmod is still seen");
	CHECK(!warning_for(&d, "Not Chmod2"), "the rule excludes the missing syscall itself");
	CHECK(!warning_for(&d, "Disabled Module"), "a disabled rule needs nothing");
	rules_diags_free(&d);
	m.n = 0;
	CHECK_INT(rules__check_hooks(rs, &m, &d), 0);
	rules_diags_free(&d);
	rules__free(rs);
}

int main(void)
{
	RUN(test_diff_types_and_prefixes);
	RUN(test_diff_from_nothing_and_unchanged);
	RUN(test_rules_needing_missing_hooks);
	return check_summary();
}
