// SPDX-License-Identifier: Apache-2.0
#include "sensor.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bulwark.skel.h"
#include "event.h"
#include "log.h"
#include "ringmerge.h"
#include "util.h"

#define MIN_KERNEL_MAJOR 5
#define MIN_KERNEL_MINOR 11
#define TRACEFS "/sys/kernel/tracing"
#define KALLSYMS "/proc/kallsyms"
#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define SECURITYFS "/sys/kernel/security"
#define LOCKDOWN_PATH SECURITYFS "/lockdown"
#define LSM_LIST_PATH SECURITYFS "/lsm"
#define OVERLAY_MODULE "/sys/module/overlay"
#define FSOPEN_CLOEXEC 0x00000001 /* include/uapi/linux/mount.h */

#define MAX_LINKS 128

#define CAP_SYS_ADMIN 21
#define CAP_PERFMON 38
#define CAP_BPF 39

struct sensor {
	struct bulwark_bpf *skel;
	struct ring_buffer *rb_critical;
	struct ring_buffer *rb_common;
	int nr_cpus;
	struct bpf_link *links[MAX_LINKS]; /* one per attached program; destroyed with the sensor */
	__u32 link_prog[MAX_LINKS];        /* the program each link ran when attached (sensor__verify) */
	int attached, skipped;
	bool uring; /* the io_uring tracepoints are hooked (tp_btf) */
	enum bw_tier tier; /* chosen by probe_tier */
	char tier_why[256]; /* what the probe found, for the startup line */
	sensor_record_fn on_record;
	void *ctx;
	struct ringmerge *merge; /* the two rings back in kernel-time order */
	int round_records;       /* records read in this sensor__consume */
	/* the filters in the kernel maps now (sensor__set_filters) */
	struct bw_config cfg;
	bool events[BW_EV_MAX];
	char *prefixes[SENSOR_MAX_RO_PREFIXES];
	size_t n_prefixes;
};

/*
 * Syscalls whose hooks may be missing on a supported kernel: their programs
 * (enter_<syscall>, exit_<syscall>) are skipped with a logged reason.
 */
static const struct {
	const char *syscall;
	const char *why;
} optional_syscalls[] = {
	{ "fchmodat2", "fchmodat2(2) exists since Linux 6.6" },
	{ "init_module", "kernel without loadable module support (CONFIG_MODULES=n)" },
	{ "finit_module", "kernel without loadable module support (CONFIG_MODULES=n)" },
	{ "open_by_handle_at", "kernel without file handles (CONFIG_FHANDLE=n)" },
};
#define N_OPTIONAL (sizeof(optional_syscalls) / sizeof(optional_syscalls[0]))

static const char *const counter_names[BW_CNT_MAX] = {
	[BW_CNT_DROP_COMMON] = "drop_ringbuf_common",
	[BW_CNT_DROP_CRITICAL] = "drop_ringbuf_critical",
	[BW_CNT_DROP_PENDING] = "drop_pending_full",
	[BW_CNT_FILTER_TYPE] = "filtered_type",
	[BW_CNT_FILTER_SELF] = "filtered_self",
	[BW_CNT_FILTER_READONLY] = "filtered_readonly_open",
	[BW_CNT_EMITTED] = "emitted",
	[BW_CNT_BLOCKED] = "blocked",
};

const char *sensor_counter_name(unsigned int counter)
{
	return counter < BW_CNT_MAX ? counter_names[counter] : NULL;
}

static int fail(char *err, size_t errlen, int e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -e;
}

/* Effective capability bits from /proc/self/status (no libcap dependency). */
static uint64_t effective_caps(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

static bool tracefs_mounted(void)
{
	struct stat st;

	return stat(TRACEFS "/events/syscalls", &st) == 0;
}

/*
 * Is the kernel locked down for confidentiality (lockdown=confidentiality, or
 * secure boot with the kernel's choice)? It then withholds the BPF helpers that
 * read kernel memory and empties tracefs, so nothing of the sensor can work.
 * Without securityfs mounted the mode cannot be read and is not assumed.
 */
static bool lockdown_confidentiality(void)
{
	char buf[128] = "";
	FILE *f = fopen(LOCKDOWN_PATH, "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[confidentiality]") != NULL;
}

/* Every reason not to start, as one line naming what is missing. */
static int preflight(char *err, size_t errlen)
{
	uint64_t caps = effective_caps();
	struct utsname u;
	int major = 0, minor = 0;

	if (!(caps & (1ull << CAP_SYS_ADMIN)) && !((caps & (1ull << CAP_BPF)) && (caps & (1ull << CAP_PERFMON))))
		return fail(err, errlen, EPERM,
			    "missing privileges: run as root or with CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)");
	if (access(BTF_PATH, R_OK) != 0)
		return fail(err, errlen, ENOENT,
			    "missing kernel BTF: %s not found (the kernel needs CONFIG_DEBUG_INFO_BTF=y)",
			    BTF_PATH);
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	    (major < MIN_KERNEL_MAJOR || (major == MIN_KERNEL_MAJOR && minor < MIN_KERNEL_MINOR)))
		return fail(err, errlen, ENOTSUP, "kernel too old: %s, bulwark needs %d.%d or later (BPF ring buffer, bpf_get_current_task_btf)",
			    u.release, MIN_KERNEL_MAJOR, MIN_KERNEL_MINOR);
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1)
		return fail(err, errlen, ENOTSUP, "missing BPF ring buffer support in this kernel (needs 5.8+)");
	if (lockdown_confidentiality())
		return fail(err, errlen, EPERM,
			    "kernel lockdown: %s is in confidentiality mode, which forbids BPF programs to read kernel memory",
			    LOCKDOWN_PATH);
	/* syscall tracepoints are attached through tracefs; mount it where it is missing */
	if (!tracefs_mounted()) {
		if (mount("nodev", TRACEFS, "tracefs", 0, NULL) != 0 && errno != EBUSY)
			return fail(err, errlen, errno, "missing tracefs: not mounted at %s and mounting it failed: %s",
				    TRACEFS, strerror(errno));
		if (!tracefs_mounted())
			return fail(err, errlen, ENOENT,
				    "missing syscall tracepoints: %s/events/syscalls not found (CONFIG_FTRACE_SYSCALLS)",
				    TRACEFS);
		log_info("mounted tracefs at %s", TRACEFS);
	}
	return 0;
}

/*
 * Where overlayfs is a module (Debian's 6.1), struct ovl_inode, which tells an
 * overlay file's layer, is in the module's BTF, and libbpf looks for it only
 * while the programs load: an agent started before the first container would
 * never name a layer. Asking for the filesystem type loads the module exactly
 * as the first overlay mount would (fsopen: request_module("fs-overlay")).
 */
static void overlay_module_load(void)
{
	int fd;

	if (access(OVERLAY_MODULE, F_OK) == 0)
		return; /* loaded, or built in */
	fd = syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fd < 0) {
		log_warn("overlayfs unavailable (%s): events on overlay files will not name their layer",
			 strerror(errno));
		return;
	}
	close(fd);
	log_info("loaded the overlayfs module, whose BTF tells the layer of files in containers");
}

/* The syscall a syscall program serves: "enter_fchmodat2" → "fchmodat2". */
static const char *prog_syscall(const char *prog)
{
	return prog + (!strncmp(prog, "enter_", 6) ? 6 : !strncmp(prog, "exit_", 5) ? 5 : 0);
}

/* The optional_syscalls index of a program's syscall, or -1 if the program is required. */
static int optional_index(const char *prog)
{
	const char *sc = prog_syscall(prog);
	size_t i;

	if (sc == prog)
		return -1;
	for (i = 0; i < N_OPTIONAL; i++)
		if (strcmp(sc, optional_syscalls[i].syscall) == 0)
			return (int)i;
	return -1;
}

/* Why a hook may be missing, or NULL if it is required. */
static const char *optional_reason(const char *prog)
{
	int i = optional_index(prog);

	return i < 0 ? NULL : optional_syscalls[i].why;
}

/*
 * Before loading: a syscall tracepoint this kernel lacks is skipped if it is
 * optional (its program is not even loaded) and fatal otherwise.
 */
static int check_hooks(struct sensor *s, char *err, size_t errlen)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj) {
		const char *sec = bpf_program__section_name(prog), *tp, *why;
		char path[256];

		if (strncmp(sec, "tracepoint/", 11) != 0)
			continue; /* tp_btf hooks are checked by the kernel against its BTF at load */
		tp = sec + 11;
		snprintf(path, sizeof(path), TRACEFS "/events/%s", tp);
		if (access(path, F_OK) == 0)
			continue;
		why = optional_reason(bpf_program__name(prog));
		if (!why)
			return fail(err, errlen, ENOENT, "missing hook: tracepoint %s does not exist in this kernel", tp);
		log_warn("optional hook skipped: tracepoint %s does not exist (%s)", tp, why);
		bpf_program__set_autoload(prog, false);
		s->skipped++;
	}
	return 0;
}

/* Parameters of tracepoint @tp's probe in the kernel's BTF (its __data included), or -1 when it has none. */
static int tp_btf_params(const struct btf *btf, const char *tp)
{
	const struct btf_type *t;
	char name[128];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -1;
	t = btf__type_by_id(btf, id); /* typedef → pointer → function prototype */
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -1;
}

/*
 * The io_uring tracepoints changed shape: io_uring_submit_sqe became
 * io_uring_submit_req in 6.3-6.4, and io_uring_complete passes the cqe
 * instead of its fields since 6.3. Each shape has its program
 * (bpf/progs/iouring.bpf.c); the running kernel's BTF says which loads. A
 * kernel without io_uring tracepoints loads none and says so.
 */
static void pick_uring_programs(struct sensor *s, const struct btf *btf)
{
	int req = -1, sqe = -1, done = -1;

	if (btf) {
		req = tp_btf_params(btf, "io_uring_submit_req");
		sqe = tp_btf_params(btf, "io_uring_submit_sqe");
		done = tp_btf_params(btf, "io_uring_complete");
	}
	/* io_uring_complete: (__data, ctx, req, cqe) since 6.3, (__data, ctx, req, user_data, res, ...) before */
	s->uring = (req >= 2 || sqe >= 2) && done >= 4;
	bpf_program__set_autoload(s->skel->progs.uring_submit_req, s->uring && req >= 2);
	bpf_program__set_autoload(s->skel->progs.uring_submit_sqe, s->uring && req < 2);
	bpf_program__set_autoload(s->skel->progs.uring_complete_cqe, s->uring && done == 4);
	bpf_program__set_autoload(s->skel->progs.uring_complete_res, s->uring && done > 4);
	if (!s->uring)
		log_warn("no io_uring tracepoints in this kernel's BTF: opens and connects made through io_uring are not seen");
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* ---- the hook tier ------------------------------------------------------------------- */

static const char *const tier_names[] = {
	[BW_TIER_TRACEPOINTS] = "tracepoints",
	[BW_TIER_FENTRY] = "fentry",
	[BW_TIER_LSM] = "lsm",
};

const char *sensor_tier_name(enum bw_tier t)
{
	return (unsigned int)t < sizeof(tier_names) / sizeof(tier_names[0]) ? tier_names[t] : "?";
}

int sensor_tier_from_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(tier_names) / sizeof(tier_names[0]); i++)
		if (strcmp(s, tier_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

/*
 * The kernel's active LSM list into @list ("lockdown,capability,yama,bpf"),
 * mounting securityfs where nothing is mounted there; true when bpf is in it.
 * The list decides the LSM tier: booted without bpf in lsm=, an lsm program
 * still loads and attaches without error, and is never called.
 */
static bool bpf_lsm_active(char *list, size_t len)
{
	char *tok, *save = NULL, buf[256] = "";
	bool found = false;
	FILE *f = fopen(LSM_LIST_PATH, "re");

	if (!f && errno == ENOENT) {
		if (mount("securityfs", SECURITYFS, "securityfs", 0, NULL) == 0)
			log_info("mounted securityfs at %s (the active LSM list)", SECURITYFS);
		f = fopen(LSM_LIST_PATH, "re");
	}
	if (!f) {
		snprintf(list, len, "unreadable: %s", strerror(errno));
		return false;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(list, len, "%s", buf);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		found |= strcmp(tok, "bpf") == 0;
	return found;
}

/*
 * Can this kernel load (and attach) a program of @type on kernel function
 * @func? A two-instruction program returning 0, attached for an instant:
 * an lsm program returning 0 and an fmod_ret one returning 0 change nothing.
 * 0, or -errno (EPERM where the kernel refuses these program types).
 */
static int probe_prog(const struct btf *btf, enum bpf_prog_type type, enum bpf_attach_type at, const char *func)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id, fd, link, e = 0;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = at, .attach_btf_id = id);
	fd = bpf_prog_load(type, "bw_tier_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0)
		e = -errno;
	else
		close(link);
	close(fd);
	return e;
}

/*
 * The tier, by what this kernel does, never by its version: BPF LSM when bpf
 * is in the active LSM list and an lsm program loads; else fmod_ret on
 * security_file_open when a trampoline program loads and attaches; else the
 * tracepoints. @max caps it (--sensor-tier, for tests; -1: no cap).
 */
static enum bw_tier probe_tier(const struct btf *btf, int max, char *why, size_t len)
{
	char list[256];
	bool active = bpf_lsm_active(list, sizeof(list));
	int e;

	if (max < 0 || max >= BW_TIER_LSM) {
		if (!active) {
			snprintf(why, len, "bpf not in the active LSM list \"%.160s\"", list);
		} else if ((e = probe_prog(btf, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_file_open")) == 0) {
			snprintf(why, len, "bpf in the active LSM list \"%.160s\"", list);
			return BW_TIER_LSM;
		} else {
			snprintf(why, len, "lsm program refused: %s", strerror(-e));
		}
	} else {
		snprintf(why, len, "capped by --sensor-tier");
	}
	if (max < 0 || max >= BW_TIER_FENTRY) {
		size_t n = strlen(why);

		e = probe_prog(btf, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, "security_file_open");
		if (e == 0)
			return BW_TIER_FENTRY;
		snprintf(why + n, len - n, "; fmod_ret program refused: %s", strerror(-e));
	}
	return BW_TIER_TRACEPOINTS;
}

static int attach_all(struct sensor *s, char *err, size_t errlen)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		/* SEC("tracepoint") with no tracepoint: a tail-call target (bpf/progs/pathop.bpf.c), never attached */
		if (strcmp(bpf_program__section_name(prog), "tracepoint") == 0)
			continue;
		link = bpf_program__attach(prog);
		if (!link)
			return fail(err, errlen, errno, "missing hook: cannot attach %s (%s): %s",
				    bpf_program__name(prog), bpf_program__section_name(prog), strerror(errno));
		if (s->attached == MAX_LINKS) {
			bpf_link__destroy(link);
			return fail(err, errlen, E2BIG, "more than %d hooks", MAX_LINKS);
		}
		s->links[s->attached] = link;
		s->link_prog[s->attached++] = prog_id_of(bpf_program__fd(prog));
	}
	return 0;
}

/* ---- in-kernel filters -------------------------------------------------------------- */

static bool has_prefix(const char *const *v, size_t n, const char *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], p) == 0)
			return true;
	return false;
}

/* Is v[i] the first occurrence of its string (sets given as lists may repeat one)? */
static bool first_of(const char *const *v, size_t i)
{
	return !has_prefix(v, i, v[i]);
}

static size_t collect_missing(const struct sensor_filters *a, const struct sensor_filters *b, const char **out)
{
	size_t i, n = 0;

	for (i = 0; a && i < a->n_ro_prefixes; i++)
		if (first_of(a->ro_prefixes, i) && !(b && has_prefix(b->ro_prefixes, b->n_ro_prefixes, a->ro_prefixes[i])) &&
		    n < SENSOR_MAX_RO_PREFIXES)
			out[n++] = a->ro_prefixes[i];
	return n;
}

void sensor_filters_diff(const struct sensor_filters *old, const struct sensor_filters *cur,
			 struct sensor_filters_diff *d)
{
	unsigned int t;
	size_t i;

	memset(d, 0, sizeof(*d));
	for (t = 1; t < BW_EV_MAX; t++) {
		bool was = old && old->events[t], is = cur && cur->events[t];

		d->enabled[t] = is && !was;
		d->disabled[t] = was && !is;
		d->n_events += is;
	}
	d->n_added = collect_missing(cur, old, d->added);
	d->n_removed = collect_missing(old, cur, d->removed);
	for (i = 0; cur && i < cur->n_ro_prefixes; i++)
		d->n_prefixes += first_of(cur->ro_prefixes, i);
}

/* Appends "<what>: a, b" for the types flagged in @on; returns the new offset. */
static size_t describe_types(char *buf, size_t len, size_t off, const char *what, const bool *on)
{
	unsigned int t;
	bool first = true;

	for (t = 1; t < BW_EV_MAX && off < len; t++) {
		if (!on[t])
			continue;
		off += snprintf(buf + off, len - off, "%s%s%s", first ? (off ? "; " : "") : ", ", first ? what : "",
				event_type_name(t) ? event_type_name(t) : "?");
		first = false;
	}
	return off;
}

static size_t describe_prefixes(char *buf, size_t len, size_t off, const char *what, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s%s", i ? ", " : off ? "; " : "", i ? "" : what, v[i]);
	return off;
}

void sensor_filters_describe(const struct sensor_filters_diff *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	off = describe_types(buf, len, off, "event types enabled: ", d->enabled);
	off = describe_types(buf, len, off, "event types disabled: ", d->disabled);
	off = describe_prefixes(buf, len, off, "read-only open prefixes added: ", d->added, d->n_added);
	off = describe_prefixes(buf, len, off, "read-only open prefixes removed: ", d->removed, d->n_removed);
	if (off < len)
		snprintf(buf + off, len - off, "%s%zu event types, %zu read-only open prefixes%s", off ? " (now " : "unchanged (",
			 d->n_events, d->n_prefixes, ")");
}

static int prefix_key(const char *p, struct bw_prefix_key *pk)
{
	size_t len = strlen(p);

	/* the kernel compares the caller's path read as a NUL-terminated string of BW_PREFIX_MAX bytes */
	if (len == 0 || len >= BW_PREFIX_MAX)
		return -EINVAL;
	memset(pk, 0, sizeof(*pk));
	pk->prefixlen = len * 8;
	memcpy(pk->data, p, len);
	return 0;
}

static int prefix_put(struct sensor *s, const char *p)
{
	struct bw_prefix_key pk;
	__u32 one = 1;

	if (prefix_key(p, &pk))
		return -EINVAL;
	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.ro_prefixes), &pk, &one, BPF_ANY) ? -errno : 0;
}

static int prefix_del(struct sensor *s, const char *p)
{
	struct bw_prefix_key pk;

	if (prefix_key(p, &pk))
		return -EINVAL;
	return bpf_map_delete_elem(bpf_map__fd(s->skel->maps.ro_prefixes), &pk) ? -errno : 0;
}

/* The directory in which prefix @p ends ("/a/b" → "/a/"): empty when @p ends with '/' or has none. */
static bool prefix_dir(const char *p, struct bw_ro_dir *d)
{
	const char *slash = strrchr(p, '/');

	memset(d, 0, sizeof(*d));
	if (!slash || slash[1] == '\0')
		return false;
	memcpy(d->data, p, slash - p + 1);
	return true;
}

/*
 * The kernel decides read-only opens per directory and caches the verdicts
 * (ro_dircache, bpf/lib/open.bpf.h): the directories in which a prefix ends
 * are listed in ro_dirs, and every cached verdict goes when the prefixes
 * change (the caller bumps the generation in the config once this is done).
 * The new directories come first, so an open decided meanwhile is kept
 * rather than dropped.
 */
static void ro_dirs_sync(struct sensor *s, char *const *prefixes, size_t n)
{
	int dirs = bpf_map__fd(s->skel->maps.ro_dirs);
	struct bw_ro_dir d, next, want;
	__u32 one = 1;
	bool more;
	size_t i;

	for (i = 0; i < n; i++)
		if (prefix_dir(prefixes[i], &d) && bpf_map_update_elem(dirs, &d, &one, BPF_ANY))
			log_warn("cannot load the directory of read-only open prefix %s: %s", prefixes[i], strerror(errno));
	for (more = bpf_map_get_next_key(dirs, NULL, &next) == 0; more;) {
		bool keep = false;

		d = next;
		more = bpf_map_get_next_key(dirs, &d, &next) == 0;
		for (i = 0; i < n && !keep; i++)
			keep = prefix_dir(prefixes[i], &want) && memcmp(&want, &d, sizeof(d)) == 0;
		if (!keep)
			bpf_map_delete_elem(dirs, &d);
	}
}

/*
 * The files of the exact-path prefixes (/etc/shadow, not /root/.ssh/) by
 * inode, in ro_inodes: the kernel keeps a read-only open of a file with
 * several links when its inode is one of these, whatever name reached it
 * (a hard link to /etc/shadow made before the agent started, its dentry since
 * evicted). The host's files: through /proc/1/root where the agent's own root
 * is not the host's (a DaemonSet), else its own view. Refilled on every change.
 */
static size_t ro_inodes_sync(struct sensor *s, char *const *prefixes, size_t n)
{
	int fd = bpf_map__fd(s->skel->maps.ro_inodes);
	struct bw_ro_inode k, next;
	size_t i, loaded = 0;
	char path[BW_PREFIX_MAX + 16];
	bool more;

	for (more = bpf_map_get_next_key(fd, NULL, &next) == 0; more;) {
		k = next;
		more = bpf_map_get_next_key(fd, &k, &next) == 0;
		bpf_map_delete_elem(fd, &k);
	}
	for (i = 0; i < n; i++) {
		struct bw_ro_dir v;
		struct stat st;
		size_t len = strlen(prefixes[i]);

		if (!len || prefixes[i][len - 1] == '/' || prefixes[i][0] != '/')
			continue;
		snprintf(path, sizeof(path), "/proc/1/root%s", prefixes[i]);
		if (stat(path, &st) != 0 && stat(prefixes[i], &st) != 0)
			continue;
		if (!S_ISREG(st.st_mode))
			continue;
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.ino = st.st_ino;
		k.dev = (major(st.st_dev) << 20) | minor(st.st_dev); /* the kernel's dev_t */
		memcpy(v.data, prefixes[i], len < sizeof(v.data) ? len : sizeof(v.data) - 1);
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY) == 0)
			loaded++;
		else
			log_warn("cannot watch the inode of %s: %s", prefixes[i], strerror(errno));
	}
	return loaded;
}

/* Writes the entries of the enabled-type map where @want differs from @have. */
static int write_types(struct sensor *s, const bool *want, const bool *have)
{
	int fd = bpf_map__fd(s->skel->maps.enabled_types);
	__u32 key, on;

	for (key = 0; key < BW_EV_MAX; key++) {
		if (want[key] == have[key])
			continue;
		on = want[key];
		if (bpf_map_update_elem(fd, &key, &on, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int write_config(struct sensor *s, const struct bw_config *cfg)
{
	__u32 key = 0;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.bw_config_map), &key, cfg, BPF_ANY) ? -errno : 0;
}

/* A private copy of @f's distinct prefixes, checked against what the kernel map takes. */
static int copy_prefixes(const struct sensor_filters *f, char **out, size_t *n, char *err, size_t errlen)
{
	size_t i;

	*n = 0;
	for (i = 0; i < f->n_ro_prefixes; i++) {
		const char *p = f->ro_prefixes[i];
		size_t len = strlen(p);

		if (len == 0 || len >= BW_PREFIX_MAX)
			return fail(err, errlen, EINVAL, "read-only open prefix '%s': length must be 1..%d", p,
				    BW_PREFIX_MAX - 1);
		if (!first_of(f->ro_prefixes, i))
			continue;
		if (*n == SENSOR_MAX_RO_PREFIXES)
			return fail(err, errlen, E2BIG, "more than %d read-only open prefixes", SENSOR_MAX_RO_PREFIXES);
		out[*n] = strdup(p);
		if (!out[*n])
			return fail(err, errlen, ENOMEM, "out of memory");
		(*n)++;
	}
	return 0;
}

int sensor__set_filters(struct sensor *s, const struct sensor_filters *f, char *err, size_t errlen)
{
	struct sensor_filters old = { .ro_prefixes = (const char *const *)s->prefixes, .n_ro_prefixes = s->n_prefixes };
	struct sensor_filters_diff d;
	struct bw_config cfg = s->cfg;
	char *fresh[SENSOR_MAX_RO_PREFIXES], what[2048];
	size_t n_fresh = 0, n_put = 0, n_inodes, i;
	int e;

	memcpy(old.events, s->events, sizeof(old.events));
	e = copy_prefixes(f, fresh, &n_fresh, err, errlen);
	if (e)
		goto free_fresh;
	sensor_filters_diff(&old, f, &d);
	/* new prefixes first: an open under a prefix both sets watch is never dropped */
	for (n_put = 0; n_put < d.n_added; n_put++) {
		e = prefix_put(s, d.added[n_put]);
		if (e) {
			fail(err, errlen, -e, "cannot load read-only open prefix %s: %s", d.added[n_put], strerror(-e));
			goto remove_added;
		}
	}
	e = write_types(s, f->events, s->events);
	if (e) {
		fail(err, errlen, -e, "cannot set enabled event types: %s", strerror(-e));
		goto restore_types;
	}
	/* the count tells the kernel whether to look at the trie at all: set between adding and removing */
	cfg.ro_prefixes = n_fresh;
	cfg.exec_opts = (f->exec_env ? BW_EXEC_OPT_ENV : 0) | (f->exec_cwd ? BW_EXEC_OPT_CWD : 0);
	e = write_config(s, &cfg);
	if (e) {
		fail(err, errlen, -e, "cannot set sensor config: %s", strerror(-e));
		goto restore_types;
	}
	for (i = 0; i < d.n_removed; i++) {
		int r = prefix_del(s, d.removed[i]);

		/* a stale prefix left behind only keeps more opens than needed */
		if (r && r != -ENOENT)
			log_warn("cannot remove read-only open prefix %s from the kernel: %s", d.removed[i], strerror(-r));
	}
	ro_dirs_sync(s, fresh, n_fresh);
	n_inodes = ro_inodes_sync(s, fresh, n_fresh);
	/* a new generation: every cached read-only verdict is decided again */
	cfg.ro_gen++;
	if (write_config(s, &cfg))
		log_warn("cannot set sensor config: %s: read-only verdicts cached before the change stay", strerror(errno));
	sensor_filters_describe(&d, what, sizeof(what));
	log_info("kernel filters: %s; %zu watched files by inode", what, n_inodes);
	for (i = 0; i < s->n_prefixes; i++)
		free(s->prefixes[i]);
	memcpy(s->prefixes, fresh, n_fresh * sizeof(fresh[0]));
	s->n_prefixes = n_fresh;
	memcpy(s->events, f->events, sizeof(s->events));
	s->cfg = cfg;
	return 0;

restore_types:
	write_types(s, s->events, f->events);
remove_added:
	for (i = 0; i < n_put; i++)
		prefix_del(s, d.added[i]);
free_fresh:
	for (i = 0; i < n_fresh; i++)
		free(fresh[i]);
	return e;
}

/* ---- tamper check ----------------------------------------------------------------- */

static void say(char *why, size_t len, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void say(char *why, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(why + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = *at + (size_t)n < len ? *at + (size_t)n : len;
}

/*
 * Another root process can rewrite the agent's maps by id (bpf(BPF_MAP_UPDATE_ELEM) after
 * BPF_MAP_GET_FD_BY_ID, `bpftool map update id`): point agent_tgid at itself to vanish, zero
 * the enabled types to blind the sensor, drop a watched prefix. The programs read those maps on
 * every event, so the maps are compared with what the agent last wrote, and each link is asked
 * whether it still runs the program it was attached with (a BPF_LINK_UPDATE would change it;
 * this kernel's perf and raw tracepoint links refuse BPF_LINK_DETACH and LINK_UPDATE, newer
 * link kinds may not).
 */
int sensor__verify(struct sensor *s, char *why, size_t len)
{
	int cfd = bpf_map__fd(s->skel->maps.bw_config_map), tfd = bpf_map__fd(s->skel->maps.enabled_types);
	struct bw_config cfg;
	size_t at = 0, i;
	__u32 key = 0, on;
	int found = 0;

	if (len)
		why[0] = '\0';
	if (bpf_map_lookup_elem(cfd, &key, &cfg))
		return -errno;
	if (memcmp(&cfg, &s->cfg, sizeof(cfg))) {
		say(why, len, &at, "%sconfig map rewritten (agent_tgid %u, want %u; prefixes %u, want %u)", found ? "; " : "",
		    cfg.agent_tgid, s->cfg.agent_tgid, cfg.ro_prefixes, s->cfg.ro_prefixes);
		found++;
		write_config(s, &s->cfg);
	}
	for (key = 0; key < BW_EV_MAX; key++) {
		if (bpf_map_lookup_elem(tfd, &key, &on))
			return -errno;
		if (!on == !s->events[key])
			continue;
		say(why, len, &at, "%sevent type %s %s", found ? "; " : "", key ? event_type_name(key) : "0",
		    on ? "enabled" : "disabled");
		found++;
		on = s->events[key];
		bpf_map_update_elem(tfd, &key, &on, BPF_ANY);
	}
	/* an LPM lookup matches shorter prefixes too: walk the keys for exact ones */
	for (i = 0; i < s->n_prefixes; i++) {
		int pfd = bpf_map__fd(s->skel->maps.ro_prefixes);
		struct bw_prefix_key want, cur, next;
		bool have = false, first = true;

		if (prefix_key(s->prefixes[i], &want))
			continue;
		while (!have && bpf_map_get_next_key(pfd, first ? NULL : &cur, &next) == 0) {
			have = !memcmp(&next, &want, sizeof(want));
			cur = next;
			first = false;
		}
		if (have)
			continue;
		say(why, len, &at, "%sread-only prefix %s removed", found ? "; " : "", s->prefixes[i]);
		found++;
		prefix_put(s, s->prefixes[i]);
	}
	for (i = 0; i < (size_t)s->attached; i++) {
		struct bpf_link_info info = { 0 };
		__u32 ilen = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_link__fd(s->links[i]), &info, &ilen) == 0 &&
		    (!s->link_prog[i] || info.prog_id == s->link_prog[i]))
			continue;
		say(why, len, &at, "%slink %u runs program %u, not %u", found ? "; " : "", info.id, info.prog_id,
		    s->link_prog[i]);
		found++;
	}
	return found;
}

static int on_critical(void *ctx, void *data, size_t size)
{
	struct sensor *s = ctx;

	s->round_records++;
	/* too short to have a time (the decoder counts it), or no memory: on now, order aside */
	if (ringmerge__aside(s->merge, data, size))
		s->on_record(s->ctx, data, size);
	return 0;
}

static int on_common(void *ctx, void *data, size_t size)
{
	struct sensor *s = ctx;

	s->round_records++;
	if (size >= sizeof(struct bw_hdr)) {
		uint64_t ktime = ((const struct bw_hdr *)data)->ktime;

		/* newer than the horizon: the critical records of its time may be unread yet */
		if (ktime > ringmerge__horizon(s->merge) && ringmerge__aside(s->merge, data, size) == 0)
			return -ECANCELED;
		ringmerge__until(s->merge, ktime);
	}
	s->on_record(s->ctx, data, size);
	return 0;
}

static void merged_record(void *ctx, const void *data, size_t size)
{
	struct sensor *s = ctx;

	s->on_record(s->ctx, data, size);
}

/* A namespace's inode number from its /proc link ("mnt:[4026531841]"), 0 if unreadable. */
static __u32 ns_inum(const char *link)
{
	char buf[64];
	unsigned int inum = 0;
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!strchr(buf, '[') || sscanf(strchr(buf, '['), "[%u]", &inum) != 1)
		return 0;
	return inum;
}

/*
 * The startup line: which tier runs and what it cannot do. The lsm and
 * fentry tiers refuse opens in the kernel; every tier keeps the syscall and
 * io_uring tracepoints for the events themselves.
 */
static void log_tier(const struct sensor *s, bool enforce)
{
	const char *uring = s->uring ? "io_uring via tp_btf" : "no io_uring: its requests are not seen";
	const char *mode = enforce ? "enforce" : "monitor";

	switch (s->tier) {
	case BW_TIER_LSM:
		log_info("sensor: lsm (lsm/file_open; %s; %s) — blocking rules refuse opens with EPERM; exec, mount and connect are not blocked (%s mode)",
			 s->tier_why, uring, mode);
		break;
	case BW_TIER_FENTRY:
		log_info("sensor: fentry (fmod_ret/security_file_open; %s; %s) — blocking rules refuse opens with EPERM; exec, mount and connect are not blocked (%s mode)",
			 s->tier_why, uring, mode);
		break;
	default:
		log_info("sensor: tracepoints (%s) — enforcement by SIGKILL only (%s; %s mode)", uring, s->tier_why,
			 mode);
		break;
	}
}

struct sensor *sensor__new(const struct sensor_opts *opts, char *err, size_t errlen)
{
	struct sensor_filters filters = { .ro_prefixes = opts->ro_prefixes, .n_ro_prefixes = opts->n_ro_prefixes,
					  .exec_env = opts->exec_env, .exec_cwd = opts->exec_cwd };
	struct sensor *s = calloc(1, sizeof(*s));
	struct btf *vmlinux;
	int e;

	if (!s) {
		fail(err, errlen, ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	s->on_record = opts->on_record;
	s->ctx = opts->ctx;
	s->cfg.agent_tgid = getpid();
	s->cfg.enforce = opts->enforce;
	memcpy(filters.events, opts->events, sizeof(filters.events));
	e = preflight(err, errlen);
	if (e)
		goto free_sensor;
	/*
	 * The host's namespaces are pid 1's; where its links cannot be read (a
	 * supervisor as pid 1 that refuses ptrace access), the agent's own, which
	 * runs on the host. Unknown, nothing is blocked (bw_block_subject).
	 */
	s->cfg.host_mnt_ns = ns_inum("/proc/1/ns/mnt");
	s->cfg.host_cgroup_ns = ns_inum("/proc/1/ns/cgroup");
	if (!s->cfg.host_mnt_ns || !s->cfg.host_cgroup_ns) {
		s->cfg.host_mnt_ns = ns_inum("/proc/self/ns/mnt");
		s->cfg.host_cgroup_ns = ns_inum("/proc/self/ns/cgroup");
		log_warn("cannot read pid 1's namespaces: the agent's own are the host's for blocking rules (mnt %u, cgroup %u)",
			 s->cfg.host_mnt_ns, s->cfg.host_cgroup_ns);
	}
	overlay_module_load();
	s->nr_cpus = libbpf_num_possible_cpus();
	if (s->nr_cpus <= 0) {
		e = fail(err, errlen, EINVAL, "cannot count possible CPUs");
		goto free_sensor;
	}
	s->skel = bulwark_bpf__open();
	if (!s->skel) {
		e = fail(err, errlen, errno, "cannot open the BPF object: %s", strerror(errno));
		goto free_sensor;
	}
	e = check_hooks(s, err, errlen);
	if (e)
		goto free_sensor;
	/* the kernel's BTF, parsed once for the io_uring shapes and the tier probe (seconds under emulation) */
	vmlinux = btf__load_vmlinux_btf();
	pick_uring_programs(s, vmlinux);
	s->tier = probe_tier(vmlinux, opts->tier_capped ? (int)opts->tier_max : -1, s->tier_why, sizeof(s->tier_why));
	btf__free(vmlinux);
	bpf_program__set_autoload(s->skel->progs.lsm_file_open, s->tier == BW_TIER_LSM);
	bpf_program__set_autoload(s->skel->progs.fmod_file_open, s->tier == BW_TIER_FENTRY);
	e = bulwark_bpf__load(s->skel);
	if (!e) {
		/* the hard-link check of read-only opens, tail-called (bpf/progs/file.bpf.c) */
		__u32 zero = 0;
		int fd = bpf_program__fd(s->skel->progs.open_alias_tail);

		if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.open_alias_prog), &zero, &fd, BPF_ANY))
			log_warn("cannot install the hard-link check of read-only opens (%s): a hard link to a watched file read by its other name is not seen",
				 strerror(errno));
	}
	if (e) {
		e = fail(err, errlen, -e, "the kernel refused the BPF programs (%s); see the log above for the verifier's reason",
			 strerror(-e));
		goto free_sensor;
	}
	e = sensor__set_filters(s, &filters, err, errlen);
	if (e)
		goto free_sensor;
	s->merge = ringmerge__new(merged_record, s);
	s->rb_critical = ring_buffer__new(bpf_map__fd(s->skel->maps.rb_critical), on_critical, s, NULL);
	s->rb_common = ring_buffer__new(bpf_map__fd(s->skel->maps.rb_common), on_common, s, NULL);
	if (!s->merge || !s->rb_critical || !s->rb_common) {
		e = fail(err, errlen, errno, "cannot map the ring buffers: %s", strerror(errno));
		goto free_sensor;
	}
	/* attach last: the filters and the consumer are ready before the first event */
	e = attach_all(s, err, errlen);
	if (e)
		goto free_sensor;
	s->cfg.tier = s->tier;
	e = write_config(s, &s->cfg);
	if (e) {
		fail(err, errlen, -e, "cannot set sensor config: %s", strerror(-e));
		goto free_sensor;
	}
	log_tier(s, opts->enforce);
	return s;

free_sensor:
	sensor__free(s);
	errno = -e;
	return NULL;
}

/*
 * Detaching one tracepoint link waits for an RCU grace period in the kernel
 * (30-50 ms each here): 93 links in turn took 3.2 s of every stop, 7 s under
 * load. Detached from several threads at once, the waits share grace periods.
 */
#define DETACH_THREADS 8

struct detach_share {
	struct bpf_link **links;
	int n, first;
};

static void *detach_some(void *arg)
{
	struct detach_share *d = arg;
	int i;

	for (i = d->first; i < d->n; i += DETACH_THREADS)
		bpf_link__destroy(d->links[i]);
	return NULL;
}

static void detach_all(struct bpf_link **links, int n)
{
	struct detach_share share[DETACH_THREADS];
	pthread_t th[DETACH_THREADS];
	bool started[DETACH_THREADS] = { false };
	int k;

	for (k = 0; k < DETACH_THREADS; k++) {
		share[k] = (struct detach_share){ .links = links, .n = n, .first = k };
		started[k] = k < n && pthread_create(&th[k], NULL, detach_some, &share[k]) == 0;
	}
	for (k = 0; k < DETACH_THREADS; k++) {
		if (started[k])
			pthread_join(th[k], NULL);
		else if (k < n)
			detach_some(&share[k]); /* no thread: this share in turn */
	}
}

int sensor__set_block_facts(struct sensor *s, const struct bw_block_key *facts, size_t n, char *err, size_t errlen)
{
	int fd = bpf_map__fd(s->skel->maps.block_facts);
	struct bw_block_key k, next;
	struct bw_config cfg = s->cfg;
	__u32 v;
	size_t i;
	bool more;
	int e;

	if (n > BW_BLOCK_FACTS_MAX)
		return fail(err, errlen, E2BIG, "more than %d blocking facts", BW_BLOCK_FACTS_MAX);
	/* new facts first, stale ones after: a fact in both sets is never missing */
	for (i = 0; i < n; i++) {
		v = (__u32)i;
		if (bpf_map_update_elem(fd, &facts[i], &v, BPF_ANY))
			return fail(err, errlen, errno, "cannot load a blocking fact: %s", strerror(errno));
	}
	for (more = bpf_map_get_next_key(fd, NULL, &next) == 0; more;) {
		bool keep = false;

		k = next;
		more = bpf_map_get_next_key(fd, &k, &next) == 0;
		for (i = 0; i < n && !keep; i++)
			keep = memcmp(&facts[i], &k, sizeof(k)) == 0;
		if (!keep)
			bpf_map_delete_elem(fd, &k);
	}
	cfg.block_facts = n;
	e = write_config(s, &cfg);
	if (e)
		return fail(err, errlen, -e, "cannot set sensor config: %s", strerror(-e));
	s->cfg = cfg;
	return 0;
}

enum bw_tier sensor__tier(const struct sensor *s)
{
	return s->tier;
}

void sensor__free(struct sensor *s)
{
	int i;

	if (!s)
		return;
	detach_all(s->links, s->attached);
	ring_buffer__free(s->rb_critical);
	ring_buffer__free(s->rb_common);
	ringmerge__free(s->merge);
	bulwark_bpf__destroy(s->skel);
	for (i = 0; i < (int)s->n_prefixes; i++)
		free(s->prefixes[i]);
	free(s);
}

int sensor__fds(const struct sensor *s, int fds[2])
{
	fds[0] = ring_buffer__epoll_fd(s->rb_critical);
	fds[1] = ring_buffer__epoll_fd(s->rb_common);
	return 2;
}

int sensor__consume(struct sensor *s)
{
	int a, b;

	ringmerge__begin(s->merge, util_clock_ns(CLOCK_BOOTTIME));
	s->round_records = 0;
	/* the critical ring first, so that exec/mount/cgroup events are never behind a flood */
	a = ring_buffer__consume(s->rb_critical);
	b = a < 0 ? 0 : ring_buffer__consume(s->rb_common);
	ringmerge__end(s->merge);
	if (a < 0)
		return a;
	if (b < 0 && b != -ECANCELED) /* ECANCELED: the round ended at a record newer than its horizon */
		return b;
	return s->round_records;
}

void sensor__drain(struct sensor *s)
{
	ringmerge__flush(s->merge);
}

bool sensor__pending(const struct sensor *s)
{
	return ringmerge__pending(s->merge) > 0;
}

static void sum_percpu(const struct sensor *s, int fd, uint64_t *out, unsigned int n)
{
	uint64_t vals[s->nr_cpus];
	__u32 key;
	int cpu;

	for (key = 0; key < n; key++) {
		out[key] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (cpu = 0; cpu < s->nr_cpus; cpu++)
			out[key] += vals[cpu];
	}
}

void sensor__counters(const struct sensor *s, struct sensor_counters *c)
{
	sum_percpu(s, bpf_map__fd(s->skel->maps.counters), c->kernel, BW_CNT_MAX);
	sum_percpu(s, bpf_map__fd(s->skel->maps.drops), c->drops, BW_EV_MAX);
}

void sensor__skipped_hooks(const struct sensor *s, char *buf, size_t len)
{
	const char *whys[8], *names[8][8];
	size_t nwhy = 0, nname[8] = { 0 }, i, j, off = 0;
	struct bpf_program *prog;

	/* "init_module, finit_module: why": entry and exit programs of one syscall named once, grouped by reason */
	bpf_object__for_each_program(prog, s->skel->obj) {
		const char *name = bpf_program__name(prog), *why = optional_reason(name);

		if (bpf_program__autoload(prog) || !why)
			continue;
		name = prog_syscall(name);
		for (i = 0; i < nwhy && strcmp(whys[i], why); i++)
			;
		if (i == nwhy) {
			if (nwhy == 8)
				continue;
			whys[nwhy++] = why;
		}
		for (j = 0; j < nname[i] && strcmp(names[i][j], name); j++)
			;
		if (j == nname[i] && j < 8)
			names[i][nname[i]++] = name;
	}
	buf[0] = '\0';
	for (i = 0; i < nwhy; i++) {
		for (j = 0; j < nname[i] && off < len; j++)
			off += snprintf(buf + off, len - off, "%s%s", off ? (j ? ", " : "; ") : "", names[i][j]);
		if (off < len)
			off += snprintf(buf + off, len - off, ": %s", whys[i]);
	}
}

void sensor__hooks(const struct sensor *s, int *attached, int *skipped)
{
	*attached = s->attached;
	*skipped = s->skipped;
}

void sensor__missing_hooks(const struct sensor *s, sensor_hook_fn cb, void *ctx)
{
	bool missing[N_OPTIONAL] = { false };
	struct bpf_program *prog;
	size_t i;

	bpf_object__for_each_program(prog, s->skel->obj) {
		int k = optional_index(bpf_program__name(prog));

		if (k >= 0 && !bpf_program__autoload(prog))
			missing[k] = true;
	}
	for (i = 0; i < N_OPTIONAL; i++)
		if (missing[i])
			cb(ctx, optional_syscalls[i].syscall, optional_syscalls[i].why);
}

/* Is @sym the kernel's entry of @syscall: sys_<name>, or an arch wrapper such as __x64_sys_<name>? */
static bool is_syscall_symbol(const char *sym, const char *syscall)
{
	size_t sl = strlen(sym), cl = strlen(syscall);

	if (sl < cl + 4 || strcmp(sym + sl - cl, syscall) != 0 || strncmp(sym + sl - cl - 4, "sys_", 4) != 0)
		return false;
	return sl == cl + 4 || (sym[sl - cl - 5] == '_' && strncmp(sym, "__", 2) == 0);
}

/*
 * Without tracefs: /proc/kallsyms lists symbol names to every user (the
 * addresses are hidden). SYSCALL_DEFINE makes a strong text symbol and the
 * syscall's tracepoint; a syscall compiled out (COND_SYSCALL in
 * kernel/sys_ni.c) is only a weak stub returning -ENOSYS, and one the kernel
 * predates has no symbol at all. openat is the control: always built in.
 */
static int probe_kallsyms(bool present[N_OPTIONAL])
{
	char line[512], type, sym[256];
	bool control = false;
	size_t i;
	FILE *f = fopen(KALLSYMS, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %c %255s", &type, sym) != 2 || (type != 'T' && type != 't'))
			continue;
		control |= is_syscall_symbol(sym, "openat");
		for (i = 0; i < N_OPTIONAL; i++)
			present[i] |= is_syscall_symbol(sym, optional_syscalls[i].syscall);
	}
	fclose(f);
	return control ? 0 : -ENOENT;
}

int sensor_probe_missing_hooks(sensor_hook_fn cb, void *ctx, const char **how)
{
	bool present[N_OPTIONAL] = { false };
	char path[256];
	size_t i;
	int e;

	if (access(TRACEFS "/events/syscalls", R_OK | X_OK) == 0) {
		/* the same test as check_hooks, where the caller may read tracefs (root) */
		*how = "tracefs";
		for (i = 0; i < N_OPTIONAL; i++) {
			snprintf(path, sizeof(path), TRACEFS "/events/syscalls/sys_enter_%s", optional_syscalls[i].syscall);
			present[i] = access(path, F_OK) == 0;
		}
	} else {
		*how = KALLSYMS;
		e = probe_kallsyms(present);
		if (e)
			return e;
	}
	for (i = 0; i < N_OPTIONAL; i++)
		if (!present[i])
			cb(ctx, optional_syscalls[i].syscall, optional_syscalls[i].why);
	return 0;
}
