// SPDX-License-Identifier: Apache-2.0
#include "event.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "catalog.h"

#define X_TYPE_NAME(name, str, ring) [BW_EV_##name] = str,
static const char *const type_names[BW_EV_MAX] = { BW_EVENT_TYPES(X_TYPE_NAME) };
#define X_SYS_NAME(name, str, type) [BW_SYS_##name] = str,
static const char *const syscall_names[BW_SYS_MAX] = { BW_SYSCALLS(X_SYS_NAME) };

/* Per type: the fixed size and where its string descriptors are, from the catalogue. */
struct type_desc {
	size_t fixed;
	size_t nstrs;
	size_t strs[CATALOG_MAX_STRS];
};

static struct type_desc types[BW_EV_MAX];
static pthread_once_t types_once = PTHREAD_ONCE_INIT;

static void types_init(void)
{
	unsigned int t;

	for (t = 1; t < BW_EV_MAX; t++) {
		const struct cat_type *ct = catalog_type(t);

		types[t].fixed = ct ? ct->size : 0;
		types[t].nstrs = catalog_str_offsets(t, types[t].strs, CATALOG_MAX_STRS);
		if (types[t].nstrs > CATALOG_MAX_STRS)
			types[t].fixed = SIZE_MAX; /* fail closed: no record of it passes unchecked (a unit test catches it) */
	}
}

static const char *const malformed_names[EVENT_BAD_MAX] = {
	[EVENT_BAD_SHORT] = "short", [EVENT_BAD_SIZE] = "size", [EVENT_BAD_VERSION] = "version",
	[EVENT_BAD_TYPE] = "type", [EVENT_BAD_FIXED] = "fixed_size", [EVENT_BAD_STRING] = "string",
};

static bool str_ok(const unsigned char *rec, size_t size, size_t fixed, const struct bw_str *s)
{
	size_t end;

	if (s->len == 0 && s->off == 0)
		return true; /* absent */
	end = (size_t)s->off + s->len; /* index of the NUL */
	return s->off >= fixed && end < size && rec[end] == '\0';
}

int event_decode(const void *data, size_t size, struct event_view *out, enum event_malformed *why,
		 uint64_t counts[EVENT_BAD_MAX])
{
	const unsigned char *rec = data;
	const struct type_desc *td;
	struct bw_hdr hdr;
	enum event_malformed bad;
	int i;

	if (size < sizeof(hdr)) {
		bad = EVENT_BAD_SHORT;
		goto malformed;
	}
	memcpy(&hdr, rec, sizeof(hdr));
	if (hdr.size != size || size > BW_RECORD_MAX) {
		bad = EVENT_BAD_SIZE;
		goto malformed;
	}
	if (hdr.version != BW_ABI_VERSION) {
		bad = EVENT_BAD_VERSION;
		goto malformed;
	}
	if (hdr.type == BW_EV_NONE || hdr.type >= BW_EV_MAX) {
		bad = EVENT_BAD_TYPE;
		goto malformed;
	}
	pthread_once(&types_once, types_init);
	td = &types[hdr.type];
	if (size < td->fixed) {
		bad = EVENT_BAD_FIXED;
		goto malformed;
	}
	for (i = 0; i < (int)td->nstrs; i++) {
		struct bw_str s;

		memcpy(&s, rec + td->strs[i], sizeof(s));
		if (!str_ok(rec, size, td->fixed, &s)) {
			bad = EVENT_BAD_STRING;
			goto malformed;
		}
	}
	out->ev = data;
	out->size = size;
	return 0;

malformed:
	if (why)
		*why = bad;
	if (counts)
		counts[bad]++;
	return -EINVAL;
}

struct str_view event_str(const struct event_view *v, struct bw_str s)
{
	struct str_view sv = { "", 0 };

	if (s.len)
		sv = (struct str_view){ (const char *)v->ev + s.off, s.len };
	return sv;
}

const char *event_type_name(unsigned int type)
{
	return type < BW_EV_MAX ? type_names[type] : NULL;
}

int event_type_from_name(const char *name)
{
	int t;

	for (t = 1; t < BW_EV_MAX; t++)
		if (strcmp(type_names[t], name) == 0)
			return t;
	return -1;
}

const char *event_syscall_name(unsigned int sys)
{
	return sys < BW_SYS_MAX ? syscall_names[sys] : NULL;
}

const char *event_malformed_name(enum event_malformed why)
{
	return why < EVENT_BAD_MAX ? malformed_names[why] : "unknown";
}

size_t event_fixed_size(unsigned int type)
{
	const struct cat_type *ct = catalog_type(type);

	return ct ? ct->size : 0;
}

int64_t event_wall_ns(uint64_t ktime, int64_t boot_to_real_ns)
{
	int64_t t;

	if (ktime > INT64_MAX || __builtin_add_overflow((int64_t)ktime, boot_to_real_ns, &t))
		return INT64_MAX;
	return t;
}
