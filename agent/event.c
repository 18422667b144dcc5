// SPDX-License-Identifier: Apache-2.0
#include "event.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define MAX_STRS 8

/* Per type: name, fixed size, and where its string descriptors are. */
struct type_desc {
	const char *name;
	size_t fixed;
	size_t strs[MAX_STRS]; /* offsets of struct bw_str fields; 0 ends the list */
};

#define FILE_STRS(base) (base) + offsetof(struct bw_file, path), (base) + offsetof(struct bw_file, name), \
			(base) + offsetof(struct bw_file, fs)

static const struct type_desc types[BW_EV_MAX] = {
	[BW_EV_EXEC] = { "exec", sizeof(struct bw_exec),
			 { offsetof(struct bw_exec, filename), offsetof(struct bw_exec, exe),
			   offsetof(struct bw_exec, args), offsetof(struct bw_exec, cgroup),
			   offsetof(struct bw_exec, tty), offsetof(struct bw_exec, exe_fs) } },
	[BW_EV_FORK] = { "fork", sizeof(struct bw_fork), { 0 } },
	[BW_EV_EXIT] = { "exit", sizeof(struct bw_exit), { 0 } },
	[BW_EV_OPEN] = { "open", sizeof(struct bw_open),
			 { offsetof(struct bw_open, upath), FILE_STRS(offsetof(struct bw_open, file)) } },
	[BW_EV_CHMOD] = { "chmod", sizeof(struct bw_chmod),
			  { offsetof(struct bw_chmod, upath), FILE_STRS(offsetof(struct bw_chmod, file)) } },
	[BW_EV_CGROUP_MKDIR] = { "cgroup_mkdir", sizeof(struct bw_cgroup),
				 { offsetof(struct bw_cgroup, path), offsetof(struct bw_cgroup, hierarchy) } },
	[BW_EV_CGROUP_ATTACH] = { "cgroup_attach", sizeof(struct bw_cgroup),
				  { offsetof(struct bw_cgroup, path), offsetof(struct bw_cgroup, hierarchy) } },
	[BW_EV_MOUNT] = { "mount", sizeof(struct bw_mount),
			  { offsetof(struct bw_mount, source), offsetof(struct bw_mount, target),
			    offsetof(struct bw_mount, fs) } },
	[BW_EV_UMOUNT] = { "umount", sizeof(struct bw_mount),
			   { offsetof(struct bw_mount, source), offsetof(struct bw_mount, target),
			     offsetof(struct bw_mount, fs) } },
	[BW_EV_PIVOT_ROOT] = { "pivot_root", sizeof(struct bw_mount),
			       { offsetof(struct bw_mount, source), offsetof(struct bw_mount, target),
				 offsetof(struct bw_mount, fs) } },
	[BW_EV_CHROOT] = { "chroot", sizeof(struct bw_mount),
			   { offsetof(struct bw_mount, source), offsetof(struct bw_mount, target),
			     offsetof(struct bw_mount, fs) } },
	[BW_EV_UNSHARE] = { "unshare", sizeof(struct bw_ns),
			    { offsetof(struct bw_ns, ns_type), offsetof(struct bw_ns, fd_fs) } },
	[BW_EV_SETNS] = { "setns", sizeof(struct bw_ns),
			  { offsetof(struct bw_ns, ns_type), offsetof(struct bw_ns, fd_fs) } },
	[BW_EV_CONNECT] = { "connect", sizeof(struct bw_net), { offsetof(struct bw_net, path) } },
	[BW_EV_BIND] = { "bind", sizeof(struct bw_net), { offsetof(struct bw_net, path) } },
	[BW_EV_LISTEN] = { "listen", sizeof(struct bw_net), { offsetof(struct bw_net, path) } },
	[BW_EV_PTRACE] = { "ptrace", sizeof(struct bw_ptrace), { 0 } },
	[BW_EV_MODULE_LOAD] = { "module_load", sizeof(struct bw_module),
				{ offsetof(struct bw_module, uargs), FILE_STRS(offsetof(struct bw_module, file)) } },
	[BW_EV_BPF_LOAD] = { "bpf_load", sizeof(struct bw_bpf), { offsetof(struct bw_bpf, prog_name) } },
	[BW_EV_MEMFD_CREATE] = { "memfd_create", sizeof(struct bw_memfd), { offsetof(struct bw_memfd, name) } },
	[BW_EV_SETUID] = { "setuid", sizeof(struct bw_setid), { 0 } },
};

static const char *const syscall_names[BW_SYS_MAX] = {
	[BW_SYS_EXECVE] = "execve", [BW_SYS_EXECVEAT] = "execveat",
	[BW_SYS_OPEN] = "open", [BW_SYS_OPENAT] = "openat", [BW_SYS_OPENAT2] = "openat2",
	[BW_SYS_CREAT] = "creat", [BW_SYS_CHMOD] = "chmod", [BW_SYS_FCHMOD] = "fchmod",
	[BW_SYS_FCHMODAT] = "fchmodat", [BW_SYS_FCHMODAT2] = "fchmodat2",
	[BW_SYS_MOUNT] = "mount", [BW_SYS_UMOUNT2] = "umount2", [BW_SYS_FSOPEN] = "fsopen",
	[BW_SYS_FSCONFIG] = "fsconfig", [BW_SYS_FSMOUNT] = "fsmount", [BW_SYS_MOVE_MOUNT] = "move_mount",
	[BW_SYS_OPEN_TREE] = "open_tree", [BW_SYS_PIVOT_ROOT] = "pivot_root", [BW_SYS_CHROOT] = "chroot",
	[BW_SYS_UNSHARE] = "unshare", [BW_SYS_SETNS] = "setns", [BW_SYS_CONNECT] = "connect",
	[BW_SYS_BIND] = "bind", [BW_SYS_LISTEN] = "listen", [BW_SYS_PTRACE] = "ptrace",
	[BW_SYS_INIT_MODULE] = "init_module", [BW_SYS_FINIT_MODULE] = "finit_module", [BW_SYS_BPF] = "bpf",
	[BW_SYS_MEMFD_CREATE] = "memfd_create", [BW_SYS_SETUID] = "setuid", [BW_SYS_SETGID] = "setgid",
	[BW_SYS_SETREUID] = "setreuid", [BW_SYS_SETREGID] = "setregid", [BW_SYS_SETRESUID] = "setresuid",
	[BW_SYS_SETRESGID] = "setresgid", [BW_SYS_SETFSUID] = "setfsuid", [BW_SYS_SETFSGID] = "setfsgid",
};

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
	td = &types[hdr.type];
	if (size < td->fixed) {
		bad = EVENT_BAD_FIXED;
		goto malformed;
	}
	for (i = 0; i < MAX_STRS && td->strs[i]; i++) {
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
	return type < BW_EV_MAX ? types[type].name : NULL;
}

int event_type_from_name(const char *name)
{
	int t;

	for (t = 1; t < BW_EV_MAX; t++)
		if (types[t].name && strcmp(types[t].name, name) == 0)
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
	return type < BW_EV_MAX ? types[type].fixed : 0;
}
