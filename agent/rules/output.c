// SPDX-License-Identifier: Apache-2.0
/*
 * Output templates and alerts. A template is compiled once into literal and
 * field segments; rendering extracts each field (from the event's cache) and
 * prints "<NA>" for absent ones, as Falco does. The alert object follows
 * Falco's JSON output schema, plus a random v4 uuid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int output_compile(struct arena *a, const char *text, size_t len, struct out_seg **segs, size_t *nsegs,
		   uint32_t *err_off, char *msg, size_t msg_size)
{
	struct out_seg *v = NULL;
	size_t n = 0, cap = 0, i = 0, lit = 0;
	const char *copy = arena_strndup(a, text, len);
	int rc = -1;

	if (!copy) {
		snprintf(msg, msg_size, "out of memory");
		*err_off = 0;
		return -1;
	}
	while (i <= len) {
		size_t run = 0, best = 0, k;
		int field = -1, idx = -1;
		const struct field *f;

		if (i < len && copy[i] != '%') {
			i++;
			continue;
		}
		if (i < len) {
			while (i + 1 + run < len && (name_char(copy[i + 1 + run]) || copy[i + 1 + run] == '.'))
				run++;
			/* Falco takes the longest field name that is a prefix ending at a name boundary */
			for (k = run; k > 0; k--) {
				if (k < run && name_char(copy[i + 1 + k]))
					continue;
				if ((field = fields_lookup(copy + i + 1, k)) >= 0) {
					best = k;
					break;
				}
			}
			if (run && field < 0) {
				*err_off = i;
				snprintf(msg, msg_size, "unknown field '%.*s' in output", (int)run, copy + i + 1);
				goto out;
			}
		}
		if (n + 2 > cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct out_seg *nv = realloc(v, nc * sizeof(*nv));

			if (!nv) {
				snprintf(msg, msg_size, "out of memory");
				*err_off = i;
				goto out;
			}
			v = nv;
			cap = nc;
		}
		if (field < 0) {
			/* a literal up to here (a lone '%' stays in the text) */
			if (i == len) {
				if (i > lit)
					v[n++] = (struct out_seg){ copy + lit, i - lit, -1, -1 };
				break;
			}
			i++;
			continue;
		}
		if (i > lit)
			v[n++] = (struct out_seg){ copy + lit, i - lit, -1, -1 };
		f = &fields_table[field];
		k = i + 1 + best;
		if (k < len && copy[k] == '[') {
			size_t end = k + 1;
			char *e;
			unsigned long x;

			while (end < len && copy[end] != ']')
				end++;
			if (end == len) {
				*err_off = k;
				snprintf(msg, msg_size, "expected ']' after the index of %s", f->name);
				goto out;
			}
			if (!(f->flags & FF_INDEX)) {
				*err_off = k + 1;
				snprintf(msg, msg_size, "field %s does not take an index", f->name);
				goto out;
			}
			x = strtoul(copy + k + 1, &e, 10);
			if (e != copy + end || end == k + 1 || x > RULES_ANC_MAX) {
				*err_off = k + 1;
				snprintf(msg, msg_size, "index of %s must be a number from 0 to %d", f->name, RULES_ANC_MAX);
				goto out;
			}
			idx = x;
			k = end + 1;
		} else if (f->flags & FF_INDEX) {
			*err_off = i;
			snprintf(msg, msg_size, "field %s needs an index in outputs, e.g. %s[1]", f->name, f->name);
			goto out;
		}
		v[n++] = (struct out_seg){ NULL, 0, field, idx };
		i = lit = k;
	}
	*segs = arena_alloc(a, (n ? n : 1) * sizeof(**segs));
	if (!*segs) {
		snprintf(msg, msg_size, "out of memory");
		*err_off = 0;
		goto out;
	}
	memcpy(*segs, v, n * sizeof(*v));
	*nsegs = n;
	rc = 0;
out:
	free(v);
	return rc;
}

/* ---- output_fields -------------------------------------------------------------------------- */

struct fieldset {
	struct out_field *v;
	size_t n, cap;
	size_t budget; /* nodes visited: macros shared by many rules make the tree a DAG */
};

static int fs_add(struct arena *a, struct fieldset *fs, unsigned int field, int idx)
{
	const struct field *f;
	char name[96];
	size_t i;

	if (fields_table[field].flags & FF_HIDDEN)
		field--; /* a text form (evt.res startswith E): the alert shows the field itself, once */
	f = &fields_table[field];

	for (i = 0; i < fs->n; i++)
		if (fs->v[i].field == field && fs->v[i].idx == idx)
			return 0;
	if (fs->n == fs->cap) {
		size_t nc = fs->cap ? fs->cap * 2 : 16;
		struct out_field *nv = realloc(fs->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		fs->v = nv;
		fs->cap = nc;
	}
	if (idx >= 0)
		snprintf(name, sizeof(name), "%s[%d]", f->name, idx);
	else
		snprintf(name, sizeof(name), "%s", f->name);
	fs->v[fs->n].field = field;
	fs->v[fs->n].idx = idx;
	fs->v[fs->n].name = arena_strndup(a, name, strlen(name));
	if (!fs->v[fs->n].name)
		return -ENOMEM;
	fs->n++;
	return 0;
}

static int fs_walk(struct arena *a, struct fieldset *fs, const struct cnode *n)
{
	uint32_t i;
	int rc = 0;

	if (!fs->budget)
		return 0;
	fs->budget--;
	switch (n->kind) {
	case CN_AND:
	case CN_OR:
	case CN_NOT:
		for (i = 0; i < n->n && !rc; i++)
			rc = fs_walk(a, fs, n->kids[i]);
		return rc;
	case CN_CMP:
		return n->any ? 0 : fs_add(a, fs, n->field, n->idx);
	}
	return 0;
}

/*
 * What Falco appends to every syscall rule's output by default: its
 * container plugin (loaded by the packaged config.d/falco.container_plugin.yaml)
 * marks these fields as suggested output, and append_output's default
 * `suggested_output: true` adds " name_with_underscores=%name" for each, in
 * the plugin's field order. They land in output_fields too.
 */
static const struct {
	const char *label, *field;
} falco_suffix[] = {
	{ "container_id", "container.id" },
	{ "container_name", "container.name" },
	{ "container_image_repository", "container.image.repository" },
	{ "container_image_tag", "container.image.tag" },
	{ "k8s_pod_name", "k8s.pod.name" },
	{ "k8s_ns_name", "k8s.ns.name" },
};

static int out_field_cmp(const void *x, const void *y)
{
	return strcmp(((const struct out_field *)x)->name, ((const struct out_field *)y)->name);
}

/*
 * output_fields, as Falco fills them: the template's fields, the suffix's,
 * and evt.time (from the "%evt.time: Priority" prefix); then ours, which a
 * Falco consumer reads like any other key of the map: the condition's fields
 * and a fixed set of process fields. Sorted by name, as Falco's JSON writer
 * keeps object keys, once here instead of per alert.
 */
int output_fields_build(struct arena *a, struct rule *r)
{
	static const char *const extra[] = {
		"evt.time", "proc.pid", "proc.exepath", "proc.cmdline", "proc.pname",
	};
	struct fieldset fs = { .budget = 4096 };
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nout && !rc; i++)
		if (!r->out[i].text)
			rc = fs_add(a, &fs, r->out[i].field, r->out[i].idx);
	for (i = 0; i < sizeof(falco_suffix) / sizeof(falco_suffix[0]) && !rc; i++)
		rc = fs_add(a, &fs, fields_lookup(falco_suffix[i].field, strlen(falco_suffix[i].field)), -1);
	if (!rc)
		rc = fs_walk(a, &fs, r->cond);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]) && !rc; i++)
		rc = fs_add(a, &fs, fields_lookup(extra[i], strlen(extra[i])), -1);
	if (!rc) {
		r->fields = arena_alloc(a, (fs.n ? fs.n : 1) * sizeof(*r->fields));
		if (!r->fields)
			rc = -ENOMEM;
		else {
			if (fs.n)
				qsort(fs.v, fs.n, sizeof(*fs.v), out_field_cmp);
			memcpy(r->fields, fs.v, fs.n * sizeof(*fs.v));
			r->nfields = fs.n;
		}
	}
	free(fs.v);
	return rc;
}

/* ---- rendering ---------------------------------------------------------------------------------- */

/* The event's context must be current: render right after rules__eval on the same input. */
static void ensure_event(struct rules *rs, const struct rule_input *in)
{
	if (rs->x->in != in || rs->x->epoch != rs->epoch) {
		if (++rs->epoch == 0) {
			memset(rs->x->cache_epoch, 0, fields_count * sizeof(*rs->x->cache_epoch));
			rs->epoch = 1;
		}
		xctx_begin(rs->x, in, rs->epoch);
	}
}

enum rule_priority rules__priority(struct rules *rs, const struct rule *r, const struct rule_input *in)
{
	size_t i;

	ensure_event(rs, in);
	for (i = 0; i < r->npw; i++)
		if (cnode_eval(rs->x, r->pw[i].cond))
			return r->pw[i].priority;
	return r->priority;
}

/* ---- read-only open prefixes ------------------------------------------------------------------ */

struct prefixes {
	char **v;
	size_t n;
	size_t budget;
};

static void prefix_add(struct prefixes *p, const char *s, size_t len)
{
	char **nv;
	size_t i;

	if (!len || s[0] != '/')
		return;
	for (i = 0; i < p->n; i++)
		if (strlen(p->v[i]) == len && memcmp(p->v[i], s, len) == 0)
			return;
	nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	p->v = nv;
	if ((p->v[p->n] = strndup(s, len)))
		p->n++;
}

/* Does conjunction @n hold only for opens with write intent (a conjunct `evt.is_open_write = true`)? */
static bool writes_only(const struct cnode *n, int open_write)
{
	uint32_t i;

	if (n->kind == CN_CMP)
		return n->field == open_write && n->op == OP_EQ && n->n == 1 && n->vals[0].b;
	if (n->kind != CN_AND)
		return false;
	for (i = 0; i < n->n; i++)
		if (writes_only(n->kids[i], open_write))
			return true;
	return false;
}

static void prefix_walk(struct prefixes *p, const struct cnode *n)
{
	static int fd_name = -1, fd_dir = -1, upath = -1, open_write = -1;
	uint32_t i;

	if (!p->budget)
		return;
	p->budget--;
	if (fd_name < 0) {
		fd_name = fields_lookup("fd.name", 7);
		fd_dir = fields_lookup("fd.directory", 12);
		upath = fields_lookup("bulwark.file.upath", 18);
		open_write = fields_lookup("evt.is_open_write", 17);
	}
	/*
	 * A part of a condition that holds only for writes names no read-only
	 * open: `open_write and fd.name pmatch (/etc/passwd)` must not make the
	 * kernel keep every read of /etc/passwd.
	 */
	if (n->kind == CN_AND && writes_only(n, open_write))
		return;
	if (n->kind != CN_CMP) {
		for (i = 0; i < n->n; i++)
			prefix_walk(p, n->kids[i]);
		return;
	}
	if ((n->field != fd_name && n->field != fd_dir && n->field != upath) || n->op == OP_EXISTS)
		return;
	for (i = 0; i < n->n; i++) {
		const char *s = n->vals[i].s.p;
		size_t len = n->vals[i].s.len;

		switch (n->op) {
		case OP_EQ:
		case OP_IN:
		case OP_INTERSECTS:
		case OP_STARTSWITH:
		case OP_PMATCH:
			prefix_add(p, s, len);
			break;
		case OP_GLOB:
			prefix_add(p, s, strcspn(s, "*?[\\"));
			break;
		}
	}
}

void rules__read_prefixes(const struct rules *rs, void (*cb)(void *ctx, const char *prefix), void *ctx)
{
	struct prefixes p = { .budget = 1u << 20 };
	size_t i;

	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].enabled && (rs->rules[i].kinds & KIND_BIT(BW_EV_OPEN)))
			prefix_walk(&p, rs->rules[i].cond);
	for (i = 0; i < p.n; i++) {
		cb(ctx, p.v[i]);
		free(p.v[i]);
	}
	free(p.v);
}

void rules__render_output(struct rules *rs, struct strbuf *sb, const struct rule *r, const struct rule_input *in)
{
	size_t i;

	ensure_event(rs, in);
	strbuf_grow(sb, 0); /* an empty template still yields a string */
	for (i = 0; i < r->nout; i++) {
		const struct out_seg *s = &r->out[i];
		struct fval v;

		if (s->text)
			strbuf_add(sb, s->text, s->len);
		else if (field_get(rs->x, s->field, s->idx, &v))
			fval_render(sb, &v, s->field);
		else
			strbuf_add(sb, "<NA>", 4);
	}
}

/* Falco's suffix after the rendered template: " container_id=... k8s_ns_name=..." (see falco_suffix). */
static void render_suffix(struct rules *rs, struct strbuf *sb)
{
	static int ids[sizeof(falco_suffix) / sizeof(falco_suffix[0])] = { -2 };
	size_t i;

	if (ids[0] == -2)
		for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			ids[i] = fields_lookup(falco_suffix[i].field, strlen(falco_suffix[i].field));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct fval v;

		strbuf_addf(sb, " %s=", falco_suffix[i].label);
		if (ids[i] >= 0 && field_get(rs->x, ids[i], -1, &v))
			fval_render(sb, &v, ids[i]);
		else
			strbuf_add(sb, "<NA>", 4);
	}
}

static int tag_cmp(const void *x, const void *y)
{
	const struct alert_str *a = x, *b = y;
	int r = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);

	return r ? r : a->len < b->len ? -1 : a->len > b->len;
}

/* Falco's tags are a set: sorted, each once. */
static size_t tags_set(struct alert_str *t, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0; /* t may be NULL (a rule without tags) */
	qsort(t, n, sizeof(*t), tag_cmp);
	for (i = 0; i < n; i++)
		if (!k || tag_cmp(&t[k - 1], &t[i]))
			t[k++] = t[i];
	return k;
}

/* An extracted value as an alert value; addresses as text, appended to text (which has room: no move). */
static struct alert_value alert_value_of(const struct fval *v, unsigned int field, struct strbuf *text)
{
	struct alert_value out = { .type = AV_NULL };
	size_t off;

	switch (v->type) {
	case FT_STR:
		out.type = AV_STR;
		out.s.p = v->s.p;
		out.s.len = v->s.len;
		break;
	case FT_INT:
		out.type = AV_INT;
		out.i = v->i;
		break;
	case FT_BOOL:
		out.type = AV_BOOL;
		out.b = v->b;
		break;
	case FT_IP:
		off = text->len;
		fval_render(text, v, field);
		strbuf_addc(text, '\0');
		out.type = AV_STR;
		out.s.p = text->buf + off;
		out.s.len = text->len - off - 1;
		break;
	case FT_STRLIST:
		out.type = AV_STRLIST;
		out.s.p = v->s.p;
		out.s.len = v->s.len;
		out.s.n = v->s.n;
		break;
	default: /* FT_UINT, FT_PORT, FT_RELTIME, FT_ABSTIME */
		out.type = AV_UINT;
		out.u = v->u;
		break;
	}
	return out;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n <= *cap)
		return 0;
	nv = realloc(*v, n * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = n;
	return 0;
}

const struct alert *rules__alert(struct rules *rs, struct rules_alert_buf *buf, const struct rule *r,
				 const struct rule_input *in, const char *hostname)
{
	enum rule_priority prio = rules__priority(rs, r, in);
	struct alert *a = &buf->a;
	char t[32];
	size_t i, ntags;

	if (grow((void **)&buf->fields, &buf->fields_cap, r->nfields, sizeof(*buf->fields)) ||
	    grow((void **)&buf->tags, &buf->tags_cap, r->ntags, sizeof(*buf->tags)))
		return NULL;
	strbuf_reset(&buf->output);
	strbuf_reset(&buf->text);
	/* an address is at most 45 characters: the text never moves while the values point into it */
	strbuf_grow(&buf->text, r->nfields * 64);
	fmt_evt_time(t, sizeof(t), in->time_ns);
	/* Falco's "output": "<time>: <Priority> <rendered template>" */
	strbuf_addf(&buf->output, "%s: %s ", t, rules_priority_name(prio));
	rules__render_output(rs, &buf->output, r, in);
	render_suffix(rs, &buf->output);
	fmt_rfc3339(buf->time, sizeof(buf->time), in->time_ns / 1000000000, in->time_ns % 1000000000);
	for (i = 0; i < r->nfields; i++) {
		struct fval v;

		buf->fields[i].name = r->fields[i].name;
		buf->fields[i].v = field_get(rs->x, r->fields[i].field, r->fields[i].idx, &v) ?
					   alert_value_of(&v, r->fields[i].field, &buf->text) :
					   (struct alert_value){ .type = AV_NULL };
	}
	for (i = 0; i < r->ntags; i++)
		buf->tags[i] = (struct alert_str){ r->tags[i], strlen(r->tags[i]) };
	ntags = tags_set(buf->tags, r->ntags);
	uuid_v4(buf->uuid);
	*a = (struct alert){
		.time = buf->time,
		.sec = in->time_ns / 1000000000,
		.nsec = in->time_ns % 1000000000,
		.rule = r->name,
		.priority = (enum alert_priority)prio,
		.priority_name = rules_priority_name(prio),
		.priority_text = rules_priority_name(prio),
		.output = buf->output.buf,
		.output_len = buf->output.len,
		.fields = buf->fields,
		.nfields = r->nfields,
		.hostname = hostname ? hostname : "",
		.source = "syscall",
		.tags = buf->tags,
		.ntags = ntags,
		.uuid = buf->uuid,
		.has = ALERT_HAS_ALL,
	};
	return a;
}

void rules_alert_buf_free(struct rules_alert_buf *buf)
{
	strbuf_free(&buf->output);
	strbuf_free(&buf->text);
	free(buf->fields);
	free(buf->tags);
	memset(buf, 0, sizeof(*buf));
}

static void jw_alert_value(struct strbuf *sb, const struct alert_value *v)
{
	size_t i, off, n;

	switch (v->type) {
	case AV_STR: jw_strn(sb, v->s.p, v->s.len); break;
	case AV_INT: jw_int(sb, v->i); break;
	case AV_UINT: jw_uint(sb, v->u); break;
	case AV_BOOL: jw_bool(sb, v->b); break;
	case AV_STRLIST:
		jw_begin_arr(sb);
		for (i = 0, off = 0; i < v->s.n; i++) {
			n = strlen(v->s.p + off);
			jw_strn(sb, v->s.p + off, n);
			off += n + 1;
		}
		jw_end_arr(sb);
		break;
	default: jw_null(sb); break;
	}
}

void rules__alert_json(struct rules *rs, struct strbuf *sb, const struct rule *r, const struct rule_input *in,
		       const char *hostname)
{
	struct rules_alert_buf buf = { 0 };
	const struct alert *a = rules__alert(rs, &buf, r, in, hostname);
	size_t i;

	if (!a)
		goto out;
	/* Falco's member order (its JSON writer sorts keys), as format.c's json format writes it */
	jw_begin(sb);
	jw_kstr(sb, "hostname", a->hostname);
	jw_kstrn(sb, "output", a->output, a->output_len);
	jw_kobj(sb, "output_fields");
	for (i = 0; i < a->nfields; i++) {
		jw_key(sb, a->fields[i].name);
		jw_alert_value(sb, &a->fields[i].v);
	}
	jw_end(sb);
	jw_kstr(sb, "priority", a->priority_text);
	jw_kstr(sb, "rule", a->rule);
	jw_kstr(sb, "source", a->source);
	jw_karr(sb, "tags");
	for (i = 0; i < a->ntags; i++)
		jw_strn(sb, a->tags[i].p, a->tags[i].len);
	jw_end_arr(sb);
	jw_kstr(sb, "time", a->time);
	jw_kstr(sb, "uuid", a->uuid);
	jw_end(sb);
	strbuf_addc(sb, '\n');
out:
	rules_alert_buf_free(&buf);
}
