// SPDX-License-Identifier: Apache-2.0
#include "sensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bulwark.skel.h"
#include "log.h"

#define MIN_KERNEL_MAJOR 5
#define MIN_KERNEL_MINOR 11
#define TRACEFS "/sys/kernel/tracing"
#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
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
	int attached, skipped;
	sensor_record_fn on_record;
	void *ctx;
};

/* Hooks that may be missing on a supported kernel: skipped with a logged reason. */
static const struct {
	const char *prog;
	const char *why;
} optional_progs[] = {
	{ "enter_fchmodat2", "fchmodat2(2) exists since Linux 6.6" },
	{ "exit_fchmodat2", "fchmodat2(2) exists since Linux 6.6" },
	{ "enter_init_module", "kernel without loadable module support (CONFIG_MODULES=n)" },
	{ "exit_init_module", "kernel without loadable module support (CONFIG_MODULES=n)" },
	{ "enter_finit_module", "kernel without loadable module support (CONFIG_MODULES=n)" },
	{ "exit_finit_module", "kernel without loadable module support (CONFIG_MODULES=n)" },
};

static const char *const counter_names[BW_CNT_MAX] = {
	[BW_CNT_DROP_COMMON] = "drop_ringbuf_common",
	[BW_CNT_DROP_CRITICAL] = "drop_ringbuf_critical",
	[BW_CNT_DROP_PENDING] = "drop_pending_full",
	[BW_CNT_FILTER_TYPE] = "filtered_type",
	[BW_CNT_FILTER_SELF] = "filtered_self",
	[BW_CNT_FILTER_READONLY] = "filtered_readonly_open",
	[BW_CNT_EMITTED] = "emitted",
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

/* Why a hook may be missing, or NULL if it is required. */
static const char *optional_reason(const char *prog)
{
	size_t i;

	for (i = 0; i < sizeof(optional_progs) / sizeof(optional_progs[0]); i++)
		if (strcmp(prog, optional_progs[i].prog) == 0)
			return optional_progs[i].why;
	return NULL;
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

static int attach_all(struct sensor *s, char *err, size_t errlen)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link)
			return fail(err, errlen, errno, "missing hook: cannot attach %s (%s): %s",
				    bpf_program__name(prog), bpf_program__section_name(prog), strerror(errno));
		if (s->attached == MAX_LINKS) {
			bpf_link__destroy(link);
			return fail(err, errlen, E2BIG, "more than %d hooks", MAX_LINKS);
		}
		s->links[s->attached++] = link;
	}
	return 0;
}

static int configure(struct sensor *s, const struct sensor_opts *o, char *err, size_t errlen)
{
	struct bw_config cfg = { .agent_tgid = getpid(), .ro_prefixes = o->n_ro_prefixes };
	int types_fd = bpf_map__fd(s->skel->maps.enabled_types);
	int prefix_fd = bpf_map__fd(s->skel->maps.ro_prefixes);
	__u32 key, on;
	size_t i;

	for (key = 0; key < BW_EV_MAX; key++) {
		on = o->events[key];
		if (bpf_map_update_elem(types_fd, &key, &on, BPF_ANY))
			return fail(err, errlen, errno, "cannot set enabled event types: %s", strerror(errno));
	}
	for (i = 0; i < o->n_ro_prefixes; i++) {
		struct bw_prefix_key pk = { 0 };
		size_t len = strlen(o->ro_prefixes[i]);
		__u32 one = 1;

		/* the kernel compares the caller's path read as a NUL-terminated string of BW_PREFIX_MAX bytes */
		if (len == 0 || len >= BW_PREFIX_MAX)
			return fail(err, errlen, EINVAL, "read-only open prefix '%s': length must be 1..%d",
				    o->ro_prefixes[i], BW_PREFIX_MAX - 1);
		pk.prefixlen = len * 8;
		memcpy(pk.data, o->ro_prefixes[i], len);
		if (bpf_map_update_elem(prefix_fd, &pk, &one, BPF_ANY))
			return fail(err, errlen, errno, "cannot load read-only open prefix: %s", strerror(errno));
	}
	key = 0;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.bw_config_map), &key, &cfg, BPF_ANY))
		return fail(err, errlen, errno, "cannot set sensor config: %s", strerror(errno));
	return 0;
}

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	struct sensor *s = ctx;

	s->on_record(s->ctx, data, size);
	return 0;
}

struct sensor *sensor__new(const struct sensor_opts *opts, char *err, size_t errlen)
{
	struct sensor *s = calloc(1, sizeof(*s));
	int e;

	if (!s) {
		fail(err, errlen, ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	s->on_record = opts->on_record;
	s->ctx = opts->ctx;
	e = preflight(err, errlen);
	if (e)
		goto free_sensor;
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
	e = bulwark_bpf__load(s->skel);
	if (e) {
		e = fail(err, errlen, -e, "the kernel refused the BPF programs (%s); see the log above for the verifier's reason",
			 strerror(-e));
		goto free_sensor;
	}
	e = configure(s, opts, err, errlen);
	if (e)
		goto free_sensor;
	s->rb_critical = ring_buffer__new(bpf_map__fd(s->skel->maps.rb_critical), on_ringbuf, s, NULL);
	s->rb_common = ring_buffer__new(bpf_map__fd(s->skel->maps.rb_common), on_ringbuf, s, NULL);
	if (!s->rb_critical || !s->rb_common) {
		e = fail(err, errlen, errno, "cannot map the ring buffers: %s", strerror(errno));
		goto free_sensor;
	}
	/* attach last: the filters and the consumer are ready before the first event */
	e = attach_all(s, err, errlen);
	if (e)
		goto free_sensor;
	return s;

free_sensor:
	sensor__free(s);
	errno = -e;
	return NULL;
}

void sensor__free(struct sensor *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->attached; i++)
		bpf_link__destroy(s->links[i]);
	ring_buffer__free(s->rb_critical);
	ring_buffer__free(s->rb_common);
	bulwark_bpf__destroy(s->skel);
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

	/* the critical ring first, so that exec/mount/cgroup events are never behind a flood */
	a = ring_buffer__consume(s->rb_critical);
	if (a < 0)
		return a;
	b = ring_buffer__consume(s->rb_common);
	if (b < 0)
		return b;
	return a + b;
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
		name += !strncmp(name, "enter_", 6) ? 6 : !strncmp(name, "exit_", 5) ? 5 : 0;
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
