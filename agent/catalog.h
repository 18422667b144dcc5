/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event catalogue, agent half. abi.h lists every event type (name, ring)
 * and syscall once; this module describes each type's record: its size, its
 * evt.type names and its typed fields (JSON key, kind, offset, bound, flag
 * table, documentation). Everything else walks this table at run time: the
 * record validation (event.c), the JSON encoder (`bulwark trace`), its
 * inverse (replay), the rule engine's plain readers and flag names, and the
 * generated tables of docs/events.md.
 *
 * Walked at run time rather than generated at build time: the table is data a
 * debugger and a unit test can read, the build stays one compiler pass, and a
 * walk over a dozen fields costs less than the JSON writing it drives.
 */
#ifndef BULWARK_CATALOG_H
#define BULWARK_CATALOG_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "event.h"
#include "jsonw.h"

struct event_context;
struct json_t;

/* A flag word's names (bit order is rendering order); "A|B|0x40" for unknown bits. */
struct cat_flag {
	uint64_t bit;
	const char *name;
};
struct cat_flags {
	const struct cat_flag *names; /* ends with { 0, NULL } */
	uint64_t zero_mask;           /* zero_name first when (value & zero_mask) == 0 */
	const char *zero_name;        /* e.g. O_RDONLY; NULL: none */
};
extern const struct cat_flags cat_open_flags, cat_clone_flags, cat_mount_flags, cat_umount_flags,
	cat_memfd_flags, cat_module_flags, cat_no_flags, cat_mem_access, cat_prot_flags, cat_map_flags;

/* A value named by a table (ends with { 0, NULL }). */
struct cat_name {
	uint64_t value;
	const char *name;
};

enum cat_kind {
	CAT_UINT,   /* unsigned integer of width 2, 4 or 8 bytes: a number */
	CAT_INT,    /* signed integer of width 4 or 8: a number */
	CAT_BOOL,   /* u32, 0 or not: true/false */
	CAT_BIT,    /* one bit (aux) of a u32 flag word: true/false */
	CAT_ENUM,   /* (value & aux) named by the table; null for any other value */
	CAT_FLAGS,  /* flag word (width 4 or 8): "key" its names, "key_raw" its number */
	CAT_HEX,    /* u64 as "0x..." */
	CAT_ID,     /* u32 id, -1 for 0xffffffff (unset); width > 1: an array of that many */
	CAT_STR,    /* struct bw_str; aux: the bound, NUL included */
	CAT_ARGV,   /* struct bw_str of NUL-separated strings; aux: the bound */
	CAT_FILE,   /* struct bw_file: its keys inline (key NULL) or as an object */
	CAT_CUSTOM, /* an irregular shape: the field's own encoder/decoder pair */
	CAT_KIND_MAX,
};

struct cat_field;

/* The escape hatch for irregular JSON shapes. */
struct cat_custom {
	void (*encode)(struct strbuf *sb, const struct event_view *v, const struct cat_field *f,
		       const struct event_context *ctx);
	/* NULL: derived from other fields, nothing to decode */
	void (*decode)(struct json_t *obj, struct json_t *line, void *rec, size_t *len, __u32 *flags,
		       const struct cat_field *f);
};

struct cat_field {
	const char *key;  /* JSON key in the type's object (CAT_FILE inline: NULL) */
	enum cat_kind kind;
	uint16_t off;     /* in the record */
	uint16_t width;   /* integers: bytes; CAT_ID: ids */
	uint64_t aux;     /* CAT_BIT: the bit; CAT_ENUM: the mask; CAT_STR/ARGV: the bound */
	int64_t def;      /* what an absent key decodes to */
	const void *table;/* CAT_ENUM: struct cat_name[]; CAT_FLAGS: struct cat_flags */
	/* decoded from this object of the line (e.g. "proc") and printed there, not in the type's object */
	const char *src;
	const char *fallback; /* decoder: this object of the line when the key is absent or empty */
	/* present only when this holds (NULL: always), e.g. mount.fd for the new mount API */
	bool (*when)(const struct bw_event *ev);
	const struct cat_custom *custom;
	const char *type_doc; /* the JSON type for docs when the kind does not say it */
	const char *meaning;
	const char *source;
};

struct cat_type {
	const char *obj;      /* key of the type's JSON object ("file" for open) */
	size_t size;          /* fixed part: sizeof(struct bw_<type>) */
	const struct cat_field *fields;
	size_t nfields;
	const char *evt_type; /* evt.type of a record without a syscall (fork: clone) */
	const char *record;   /* "struct bw_<...>" (docs) */
};

/* The fields of struct bw_file, offsets within it (what a CAT_FILE field holds). */
const struct cat_field *catalog_file_fields(size_t *n);

/* "none", "file", "pipe", "socket", "tty", "char", "other" (struct bw_stdfd.type). */
const char *catalog_fd_kind_name(unsigned int kind);

/* NULL for BW_EV_NONE and unknown types. */
const struct cat_type *catalog_type(unsigned int type);
unsigned int catalog_ring(unsigned int type); /* BW_RING_* */

/* evt.type names of a type: its syscalls, or its own name (NULL-terminated, static). */
const char *const *catalog_evt_types(unsigned int type);

/* "A|B|0x40" into buf; returns the length (truncated at size - 1). */
size_t catalog_flags_str(char *buf, size_t size, uint64_t value, const struct cat_flags *fl);
/* The names joined by | (and 0x... numbers) back to a value. */
uint64_t catalog_flags_parse(const char *s, const struct cat_flags *fl);

/*
 * Offsets of the type's string descriptors (struct bw_str), file blocks
 * included; fills at most @max and returns how many the type has (a unit test
 * keeps every type within CATALOG_MAX_STRS, the decoder's table).
 */
#define CATALOG_MAX_STRS 16
size_t catalog_str_offsets(unsigned int type, size_t *out, size_t max);

/* Integer field value (zero- or sign-extended). */
uint64_t cat_get_uint(const void *rec, const struct cat_field *f);
int64_t cat_get_int(const void *rec, const struct cat_field *f);

/* Appends the type's own object(s) of a validated record. */
void catalog_encode(struct strbuf *sb, const struct event_view *v, const struct event_context *ctx);

/*
 * Fills the type part of a zeroed record of @type from the JSON line @line:
 * fixed fields in place, strings appended at *len (advanced; bounded by
 * BW_RECORD_MAX), truncations noted in *flags.
 */
void catalog_decode(unsigned int type, struct json_t *line, void *rec, size_t *len, __u32 *flags);

/* A trace line's members, read leniently as replay reads them: a string ("" when absent or not
 * a string), a number (also a string holding one, as hand-written lines may have; else @def). */
const char *catalog_jstr(struct json_t *o, const char *key);
int64_t catalog_jint(struct json_t *o, const char *key, int64_t def);

/*
 * docs/events.md with its generated tables (between <!-- catalog:NAME --> and
 * <!-- /catalog:NAME --> markers) rewritten from the catalogue; returns -EINVAL
 * if a marker is unterminated.
 */
int catalog_markdown(struct strbuf *out, const char *doc, size_t len);

#endif
