// SPDX-License-Identifier: Apache-2.0
/* The rule engine's arena and diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ARENA_CHUNK (64u << 10)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!n)
		n = 16;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c) {
			errno = ENOMEM;
			return NULL;
		}
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void diag_add(struct rules_diags *d, bool warning, const char *file, unsigned int line, unsigned int col,
	      const char *fmt, ...)
{
	struct rules_diag *e;
	va_list ap;
	char *msg = NULL;

	if (!d)
		return;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		struct rules_diag *nv = realloc(d->v, nc * sizeof(*nv));

		if (!nv)
			return;
		d->v = nv;
		d->cap = nc;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	e = &d->v[d->n];
	e->file = strdup(file ? file : "");
	e->msg = msg;
	if (!e->file || !e->msg) {
		free(e->file);
		free(e->msg);
		return;
	}
	e->line = line;
	e->col = col;
	e->warning = warning;
	d->n++;
	if (warning)
		d->warnings++;
	else
		d->errors++;
}

void rules_diags_free(struct rules_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void rules_diags_print(const struct rules_diags *d, FILE *out)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct rules_diag *e = &d->v[i];

		if (e->line)
			fprintf(out, "%s:%u:%u: %s%s\n", e->file, e->line, e->col, e->warning ? "warning: " : "", e->msg);
		else
			fprintf(out, "%s: %s%s\n", e->file, e->warning ? "warning: " : "", e->msg);
	}
}
