// SPDX-License-Identifier: Apache-2.0
#include "catalog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "event_json.h"

/* ---- flag tables (the only copy: JSON, replay and rule fields use these) ---- */

/* x86_64 userspace defines O_LARGEFILE as 0; the kernel's flag is this one */
#define KERNEL_O_LARGEFILE 00100000

static const struct cat_flag open_names[] = {
	{ O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" }, { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ __O_TMPFILE, "O_TMPFILE" }, { O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" }, { O_DIRECT, "O_DIRECT" },
	{ KERNEL_O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" }, { 0, NULL },
};
const struct cat_flags cat_open_flags = { open_names, O_ACCMODE, "O_RDONLY" };

static const struct cat_flag clone_names[] = {
	{ CLONE_NEWNS, "CLONE_NEWNS" }, { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" }, { CLONE_NEWUSER, "CLONE_NEWUSER" }, { CLONE_NEWPID, "CLONE_NEWPID" },
	{ CLONE_NEWNET, "CLONE_NEWNET" }, { 0x00000080 /* CLONE_NEWTIME */, "CLONE_NEWTIME" },
	{ CLONE_FILES, "CLONE_FILES" }, { CLONE_FS, "CLONE_FS" }, { CLONE_SYSVSEM, "CLONE_SYSVSEM" }, { 0, NULL },
};
const struct cat_flags cat_clone_flags = { clone_names, 0, NULL };

static const struct cat_flag mount_names[] = {
	{ MS_RDONLY, "MS_RDONLY" }, { MS_NOSUID, "MS_NOSUID" }, { MS_NODEV, "MS_NODEV" }, { MS_NOEXEC, "MS_NOEXEC" },
	{ MS_SYNCHRONOUS, "MS_SYNCHRONOUS" }, { MS_REMOUNT, "MS_REMOUNT" }, { MS_MANDLOCK, "MS_MANDLOCK" },
	{ MS_DIRSYNC, "MS_DIRSYNC" }, { 256, "MS_NOSYMFOLLOW" }, { MS_NOATIME, "MS_NOATIME" },
	{ MS_NODIRATIME, "MS_NODIRATIME" }, { MS_BIND, "MS_BIND" }, { MS_MOVE, "MS_MOVE" }, { MS_REC, "MS_REC" },
	{ MS_SILENT, "MS_SILENT" }, { MS_POSIXACL, "MS_POSIXACL" }, { MS_UNBINDABLE, "MS_UNBINDABLE" },
	{ MS_PRIVATE, "MS_PRIVATE" }, { MS_SLAVE, "MS_SLAVE" }, { MS_SHARED, "MS_SHARED" },
	{ MS_RELATIME, "MS_RELATIME" }, { MS_STRICTATIME, "MS_STRICTATIME" }, { MS_LAZYTIME, "MS_LAZYTIME" },
	{ 0, NULL },
};
const struct cat_flags cat_mount_flags = { mount_names, 0, NULL };

static const struct cat_flag umount_names[] = {
	{ 1, "MNT_FORCE" }, { 2, "MNT_DETACH" }, { 4, "MNT_EXPIRE" }, { 8, "UMOUNT_NOFOLLOW" }, { 0, NULL },
};
const struct cat_flags cat_umount_flags = { umount_names, 0, NULL };

static const struct cat_flag memfd_names[] = {
	{ 1, "MFD_CLOEXEC" }, { 2, "MFD_ALLOW_SEALING" }, { 4, "MFD_HUGETLB" }, { 8, "MFD_NOEXEC_SEAL" },
	{ 0x10, "MFD_EXEC" }, { 0, NULL },
};
const struct cat_flags cat_memfd_flags = { memfd_names, 0, NULL };

static const struct cat_flag module_names[] = {
	{ 1, "MODULE_INIT_IGNORE_MODVERSIONS" }, { 2, "MODULE_INIT_IGNORE_VERMAGIC" },
	{ 4, "MODULE_INIT_COMPRESSED_FILE" }, { 0, NULL },
};
const struct cat_flags cat_module_flags = { module_names, 0, NULL };

static const struct cat_flag no_names[] = { { 0, NULL } };
const struct cat_flags cat_no_flags = { no_names, 0, NULL };

size_t catalog_flags_str(char *buf, size_t size, uint64_t value, const struct cat_flags *fl)
{
	size_t n = 0;
	int i;

#define ROOM (n < size ? size - n : 0)
	buf[0] = '\0';
	if (fl->zero_name && (value & fl->zero_mask) == 0)
		n += snprintf(buf, size, "%s", fl->zero_name);
	for (i = 0; fl->names[i].name; i++) {
		if ((value & fl->names[i].bit) != fl->names[i].bit)
			continue;
		value &= ~fl->names[i].bit;
		n += snprintf(buf + (n < size ? n : size - 1), ROOM, "%s%s", n ? "|" : "", fl->names[i].name);
	}
	if (value)
		n += snprintf(buf + (n < size ? n : size - 1), ROOM, "%s0x%llx", n ? "|" : "", (unsigned long long)value);
#undef ROOM
	return n < size ? n : size - 1;
}

uint64_t catalog_flags_parse(const char *s, const struct cat_flags *fl)
{
	uint64_t v = 0;

	while (*s) {
		size_t n = strcspn(s, "|"), i;
		bool named = fl->zero_name && strlen(fl->zero_name) == n && strncmp(fl->zero_name, s, n) == 0;

		for (i = 0; !named && fl->names[i].name; i++)
			if (strlen(fl->names[i].name) == n && strncmp(fl->names[i].name, s, n) == 0) {
				v |= fl->names[i].bit;
				named = true;
			}
		if (!named && n > 2 && s[0] == '0' && s[1] == 'x')
			v |= strtoull(s, NULL, 16);
		s += n;
		if (*s)
			s++;
	}
	return v;
}

/* ---- field access ---------------------------------------------------------------- */

uint64_t cat_get_uint(const void *rec, const struct cat_field *f)
{
	const unsigned char *p = (const unsigned char *)rec + f->off;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (f->width) {
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	}
	return 0;
}

int64_t cat_get_int(const void *rec, const struct cat_field *f)
{
	uint64_t u = cat_get_uint(rec, f);

	return f->width == 4 ? (int64_t)(int32_t)u : f->width == 2 ? (int64_t)(int16_t)u : (int64_t)u;
}

static void cat_set(void *rec, size_t off, unsigned int width, uint64_t v)
{
	unsigned char *p = (unsigned char *)rec + off;
	uint32_t v32 = v;
	uint16_t v16 = v;

	if (width == 2)
		memcpy(p, &v16, 2);
	else if (width == 4)
		memcpy(p, &v32, 4);
	else if (width == 8)
		memcpy(p, &v, 8);
}

/* The field @f of a sub-block at @base (struct bw_file in a record), as a field of the record. */
static struct cat_field at(const struct cat_field *f, size_t base)
{
	struct cat_field g = *f;

	g.off += base;
	return g;
}

static const char *name_of(const struct cat_name *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

/* ---- the catalogue -------------------------------------------------------------------- */

#define W(type, member) (uint16_t)sizeof(((type *)0)->member)
#define U(type, member, k) .key = k, .kind = CAT_UINT, .off = offsetof(type, member), .width = W(type, member)
#define I(type, member, k, d) .key = k, .kind = CAT_INT, .off = offsetof(type, member), .width = W(type, member), .def = d
#define S(type, member, k, bound) .key = k, .kind = CAT_STR, .off = offsetof(type, member), .aux = bound
#define DOC(m, s) .meaning = m, .source = s

static const struct cat_name layer_names[] = { { BW_LAYER_UPPER, "upper" }, { BW_LAYER_LOWER, "lower" }, { 0, NULL } };

/* struct bw_file; offsets within it (CAT_FILE adds the block's offset). */
static const struct cat_field file_fields[] = {
	{ S(struct bw_file, path, "path", BW_PATH_MAX), DOC("full path, rebuilt from the dentry and mount chain up to the root of the mount namespace the file is reached through (a container sees its own `/`; a `chroot` is not taken into account); bound 4095 bytes and 48 components (`\"path\"` truncation); `\"\"` when there is no file", "`file->f_path`") },
	{ S(struct bw_file, name, "name", 256), DOC("the dentry's own name (last component)", "`f_path.dentry->d_name`") },
	{ S(struct bw_file, fs, "fs", BW_USHORT_MAX), DOC("filesystem type name: `ext4`, `overlay`, `tmpfs`, `cgroup`, `cgroup2`, `proc`, `sysfs`, ...; bound 31 bytes", "`sb->s_type->name`") },
	{ U(struct bw_file, fs_magic, "fs_magic"), DOC("superblock magic, decimal: `61267` ext4, `2035054128` overlay, `16914836` tmpfs, `2613483` cgroup, `1667723888` cgroup2, `40864` proc, `1650812274` sysfs", "`sb->s_magic`") },
	{ U(struct bw_file, ino, "ino"), DOC("inode number", "`inode->i_ino`") },
	{ U(struct bw_file, dev, "dev"), DOC("kernel `dev_t` of the superblock", "`sb->s_dev`") },
	{ U(struct bw_file, mode, "inode_mode"), DOC("inode type and permission bits (decimal)", "`inode->i_mode`") },
	{ .key = "layer", .kind = CAT_ENUM, .off = offsetof(struct bw_file, layer), .width = 4, .aux = ~0ULL,
	  .table = layer_names, DOC("on overlayfs: `\"upper\"` (the inode has an upper dentry: created or copied up in the container) or `\"lower\"` (only in an image layer); `null` elsewhere, and on overlayfs if the kernel had no BTF for `struct ovl_inode` when the agent started (where overlayfs is a module, the agent loads it first)", "`ovl_inode->__upperdentry`") },
};
#define NFILE (sizeof(file_fields) / sizeof(file_fields[0]))

/* exec */
static void enc_layer_container(struct strbuf *sb, const struct event_view *v, const struct cat_field *f,
				const struct event_context *ctx)
{
	const struct container_info *c = ctx ? ctx->layer_container : NULL;

	(void)v;
	if (!c)
		return;
	jw_kobj(sb, f->key);
	jw_kstr(sb, "id", c->ident.id);
	jw_kstr(sb, "name", c->name);
	jw_kstr(sb, "image", c->image);
	jw_end(sb);
}
static const struct cat_custom layer_container = { enc_layer_container, NULL };

/* exec: a standard descriptor of the new image as {"type", and for sockets "family", "addr", "port"} */
static const struct cat_name fd_kind_names[] = {
	{ BW_FD_FILE, "file" }, { BW_FD_PIPE, "pipe" }, { BW_FD_SOCKET, "socket" }, { BW_FD_TTY, "tty" },
	{ BW_FD_CHAR, "char" }, { BW_FD_OTHER, "other" }, { 0, NULL },
};
static const struct cat_name family_names[];
static const char *name_of(const struct cat_name *t, uint64_t v);

const char *catalog_fd_kind_name(unsigned int kind)
{
	const char *n = name_of(fd_kind_names, kind);

	return n ? n : "none";
}

static void enc_stdfd(struct strbuf *sb, const struct event_view *v, const struct cat_field *f,
		      const struct event_context *ctx)
{
	const struct bw_stdfd *s = (const void *)((const char *)v->ev + f->off);
	char addr[INET6_ADDRSTRLEN] = "";
	const char *fam;

	(void)ctx;
	jw_kobj(sb, f->key);
	jw_kstr(sb, "type", catalog_fd_kind_name(s->type));
	if (s->type == BW_FD_SOCKET) {
		fam = name_of(family_names, s->family);
		if (fam)
			jw_kstr(sb, "family", fam);
		else
			jw_kuint(sb, "family", s->family);
		if (s->family == AF_INET || s->family == AF_INET6) {
			inet_ntop(s->family, s->addr, addr, sizeof(addr));
			jw_kstr(sb, "addr", addr);
			jw_kuint(sb, "port", s->port);
		}
	}
	jw_end(sb);
}

static void dec_stdfd(json_t *o, json_t *line, void *rec, size_t *len, __u32 *flags, const struct cat_field *f)
{
	struct bw_stdfd *s = (void *)((char *)rec + f->off);
	json_t *fd = json_object_get(o, f->key);
	const struct cat_name *t;
	const char *name;

	(void)line, (void)len, (void)flags;
	if (!json_is_object(fd))
		return;
	name = catalog_jstr(fd, "type");
	for (t = fd_kind_names; t->name; t++)
		if (strcmp(t->name, name) == 0)
			s->type = t->value;
	name = catalog_jstr(fd, "family");
	for (t = family_names; t->name; t++)
		if (strcmp(t->name, name) == 0)
			break;
	s->family = t->name ? t->value : (uint16_t)catalog_jint(fd, "family", 0);
	s->port = catalog_jint(fd, "port", 0);
	if (s->family == AF_INET || s->family == AF_INET6)
		inet_pton(s->family, catalog_jstr(fd, "addr"), s->addr);
}
static const struct cat_custom stdfd = { enc_stdfd, dec_stdfd };

#define STDFD(i, k, what)                                                                                             \
	{ .key = k, .kind = CAT_CUSTOM, .custom = &stdfd, .off = offsetof(struct bw_exec, std[i]), .type_doc = "object", \
	  DOC("what fd " #i " (" what ") of the new image is: `type` `\"none\"` (not open), `\"file\"`, `\"pipe\"`, `\"socket\"`, `\"tty\"` (tty, pts, console: majors 4, 5, 128-143), `\"char\"` (another character device, e.g. `/dev/null`), `\"other\"`; a socket adds `family` (as in `connect`), an inet/inet6 one its peer `addr` and `port` (`\"0.0.0.0\"` and 0 while unconnected)", \
	      "`task->files` fd table; `struct sock_common` `skc_family`, `skc_daddr`/`skc_v6_daddr`, `skc_dport`") }

static const struct cat_name exec_layer_names[] = { { BW_EXEC_UPPER, "upper" }, { BW_EXEC_LOWER, "lower" }, { 0, NULL } };

static const struct cat_field exec_fields[] = {
	{ S(struct bw_exec, filename, "filename", BW_UPATH_MAX), DOC("the path as passed to exec; `/dev/fd/<n>` (or `/dev/fd/<n>/<path>`) for `fexecve`/`execveat` on an fd; for a `#!` script, the script; bound 511 bytes", "`bprm->filename`") },
	{ S(struct bw_exec, exe, "exe", BW_PATH_MAX), .fallback = "proc", DOC("full path of the file actually executed: for a `#!` script or a binfmt_misc handler, the **interpreter**; same rules and bounds as the file object's `path`", "`bprm->file->f_path`") },
	{ S(struct bw_exec, exe_fs, "exe_fs", 32), DOC("filesystem type of the executable; bound 31 bytes", "`sb->s_type->name`") },
	{ U(struct bw_exec, exe_fs_magic, "exe_fs_magic"), DOC("superblock magic (decimal)", "`sb->s_magic`") },
	{ U(struct bw_exec, exe_ino, "exe_ino"), DOC("inode number of the executable", "`inode->i_ino`") },
	{ U(struct bw_exec, exe_dev, "exe_dev"), DOC("kernel `dev_t` of its superblock", "`sb->s_dev`") },
	{ .key = "layer", .kind = CAT_ENUM, .off = offsetof(struct bw_exec, exec_flags), .width = 4,
	  .aux = BW_EXEC_UPPER | BW_EXEC_LOWER, .table = exec_layer_names, DOC("`\"upper\"` / `\"lower\"` overlayfs layer of the executable (see the file object); `null` when not on overlayfs or the layer is unknown (see the file object)", "`ovl_inode->__upperdentry`") },
	{ .key = "memfd", .kind = CAT_BIT, .off = offsetof(struct bw_exec, exec_flags), .width = 4, .aux = BW_EXEC_MEMFD, DOC("the executable is a memfd (no link on any filesystem and a dentry named `memfd:...`): fileless execution", "`inode->i_nlink`, `d_name`") },
	{ .key = "writable", .kind = CAT_BIT, .off = offsetof(struct bw_exec, exec_flags), .width = 4, .aux = BW_EXEC_WRITABLE, DOC("the new image could write its own executable (Falco's `EXE_WRITABLE`): CAP_DAC_OVERRIDE, or the file's mode bits for its owner, group or others against the fs uid and gid (supplementary groups, ACLs and read-only mounts are not looked at)", "`inode->i_mode`, `i_uid`, `i_gid`, `cred`") },
	{ .key = "umh", .kind = CAT_BIT, .off = offsetof(struct bw_exec, exec_flags), .width = 4, .aux = BW_EXEC_UMH, DOC("the real parent is a kernel thread: the program was started by the kernel's usermode helper (cgroup v1 `release_agent`, `core_pattern` pipe, modprobe, ...)", "`real_parent->flags & PF_KTHREAD`") },
	{ U(struct bw_exec, argc, "argc"), DOC("argument count, also when `proc.args` is truncated", "`bprm->argc`") },
	{ .key = "cap_effective", .kind = CAT_HEX, .off = offsetof(struct bw_exec, cap_effective), .width = 8, DOC("effective capability set of the new image, hexadecimal (`\"0x1fffeffffff\"`; bit n is capability n)", "`task->cred->cap_effective`") },
	{ S(struct bw_exec, tty, "tty", BW_TTY_MAX), DOC("controlling terminal name, e.g. `pts0`; `\"\"` without one; bound 63 bytes", "`task->signal->tty->name`") },
	{ .key = "loginuid", .kind = CAT_ID, .off = offsetof(struct bw_exec, loginuid), .width = 1, DOC("audit login uid; `-1` when unset", "`task->loginuid`") },
	{ .key = "layer_container", .kind = CAT_CUSTOM, .custom = &layer_container, .type_doc = "object", DOC("only when a host process (or the usermode helper) executes a file inside a known container's overlay upper directory (`filename`, or `exe` for a binfmt_misc handler's interpreter): that container's `id`, `name`, `image` (release_agent, core_pattern pipe, modprobe, uevent_helper, binfmt_misc). The agent learns each container's upper directory from its rootfs mount in the host's `/proc/1/mountinfo`.", "agent (`container_cache__by_layer_path`)") },
	/* in the record, printed as the process's (proc.args, proc.cgroup) */
	STDFD(0, "stdin", "stdin"),
	STDFD(1, "stdout", "stdout"),
	STDFD(2, "stderr", "stderr"),
	{ .key = "script", .kind = CAT_BIT, .off = offsetof(struct bw_exec, exec_flags), .width = 4, .aux = BW_EXEC_SCRIPT, DOC("the file exec'd was a `#!` script (or a binfmt_misc input) and its own file was found: the `script_*` keys describe it while `exe` is the interpreter. Found from the script's `struct file` that exec has released but not yet freed (queued `____fput` on the task's `task_works`); not found when the script was run through an fd that keeps it open (`fexecve`), nor on Linux 6.1 (measured on Debian 12's kernel: the list is empty at the tracepoint)", "`task->task_works`") },
	{ S(struct bw_exec, script, "script_name", 256), DOC("the script's file name (its dentry's; `filename` is its path as given); `\"\"` when `script` is false", "script `f_path.dentry->d_name`") },
	{ U(struct bw_exec, script_ino, "script_ino"), DOC("inode number of the script; 0 when `script` is false", "`inode->i_ino`") },
	{ U(struct bw_exec, script_dev, "script_dev"), DOC("kernel `dev_t` of the script's superblock", "`sb->s_dev`") },
	{ .key = "script_layer", .kind = CAT_ENUM, .off = offsetof(struct bw_exec, script_layer), .width = 4, .aux = ~0ULL,
	  .table = layer_names, DOC("overlay layer of the script: `\"upper\"` (written in the container), `\"lower\"` (image); `null` otherwise", "`ovl_inode->__upperdentry`") },
	{ .key = "cap_permitted", .kind = CAT_HEX, .off = offsetof(struct bw_exec, cap_permitted), .width = 8, DOC("permitted capability set of the new image, hexadecimal, as `cap_effective`", "`task->cred->cap_permitted`") },
	{ U(struct bw_exec, sid, "sid"), DOC("session id: the session leader's pid, numbered in the host's pid namespace", "`task->signal->pids[PIDTYPE_SID]`") },
	{ U(struct bw_exec, vpid, "vpid"), DOC("the pid in the process's own pid namespace (`1` for a container's first process; equal to `proc.pid` on the host)", "`task->thread_pid->numbers[level]`") },
	{ U(struct bw_exec, pgid, "pgid"), DOC("process group id, numbered in the host's pid namespace (the group leader's pid; equal to `proc.pid` for the leader)", "`task->signal->pids[PIDTYPE_PGID]`") },
	{ S(struct bw_exec, cwd, "cwd", BW_PATH_MAX), DOC("the working directory the new image starts in, resolved (exec does not change it; a later `chdir` is not followed); same rules and bounds as the file object's `path`. Read only while a loaded rule can use `proc.cwd` (a second dentry walk, about 1 us an exec) and in `bulwark trace`; absent otherwise", "`task->fs->pwd`") },
	{ .key = "env", .kind = CAT_ARGV, .off = offsetof(struct bw_exec, env), .aux = BW_ENV_MAX, DOC("the new image's environment, one `NAME=value` string per variable, read from its environment area (`mm->env_start` to `mm->env_end`) at most 4096 bytes and no more than the record has left after the other strings (then cut: `\"string\"` truncation). Read only while a loaded rule can use `proc.env` (environments hold secrets, and cost ring space) and in `bulwark trace`; absent otherwise", "`mm->env_start`") },
	{ .key = "args", .kind = CAT_ARGV, .off = offsetof(struct bw_exec, args), .aux = BW_ARGS_MAX, .src = "proc", DOC("argv read from the new image's argument area (`mm->arg_start` to `mm->arg_end`, at most 4096 bytes, `\"args\"` truncation)", "`mm->arg_start`") },
	{ S(struct bw_exec, cgroup, "cgroup", BW_PATH_MAX), .src = "proc", DOC("the task's cgroup path walked in the kernel: the cgroup v2 path, or, when that is the root (hybrid hosts), the first cgroup v1 controller hierarchy where the task is not at the root", "`task->cgroups`") },
};

static const struct cat_field fork_fields[] = {
	{ U(struct bw_fork, parent_tid, "parent_tid"), DOC("thread id of the task that called fork/clone (differs from `ppid` when a non-main thread forks)", "tracepoint's `parent->pid`") },
};

/* exit: status and signal are derived from the wait status ((code >> aux) & def: the field's shift and mask) */
static void enc_exit_part(struct strbuf *sb, const struct event_view *v, const struct cat_field *f,
			  const struct event_context *ctx)
{
	__u32 code = ((const struct bw_exit *)v->ev)->exit_code;

	(void)ctx;
	jw_kuint(sb, f->key, (code >> f->aux) & f->def);
}
static const struct cat_custom exit_part = { enc_exit_part, NULL };

static const struct cat_field exit_fields[] = {
	{ U(struct bw_exit, exit_code, "code"), DOC("the wait status, as `wait(2)` would return it (`status << 8`, or the signal number, `0x80` added for a core dump)", "`signal->group_exit_code` after `exit_group` or a fatal signal, else the group leader's `exit_code` (what the parent reaps)") },
	{ .key = "status", .kind = CAT_CUSTOM, .custom = &exit_part, .aux = 8, .def = 0xff, .type_doc = "number", DOC("`(code >> 8) & 0xff`: the exit status, meaningful when `signal` is 0", "computed by the agent") },
	{ .key = "signal", .kind = CAT_CUSTOM, .custom = &exit_part, .aux = 0, .def = 0x7f, .type_doc = "number", DOC("`code & 0x7f`: the terminating signal, 0 for a normal exit", "computed by the agent") },
};

static const struct cat_name via_names[] = { { BW_VIA_SYSCALL, "syscall" }, { BW_VIA_IO_URING, "io_uring" },
					      { BW_VIA_KERNEL, "kernel" }, { 0, NULL } };
#define VIA_FIELD(type, what)                                                                                     \
	{ .key = "via", .kind = CAT_ENUM, .off = offsetof(type, ev.via), .width = 2, .aux = ~0ULL, .table = via_names, \
	  DOC("the door: `\"syscall\"`, or `\"io_uring\"` for " what " made by an io_uring request (reported under the syscall it stands for), or `\"kernel\"` for an open a blocking rule refused that neither a syscall nor io_uring led to", \
	      "the hook: syscall tracepoint, or io_uring's submit/complete tracepoints; for a refused open, the lsm/fmod_ret hook") }

static bool by_alias(const struct bw_event *ev)
{
	return (ev->flags & BW_F_FILE_ALIAS) != 0;
}

static const struct cat_field open_fields[] = {
	{ S(struct bw_open, upath, "upath", BW_UPATH_MAX), DOC("the path as the caller passed it (possibly relative): read at syscall entry for opens with write intent, at exit for read-only ones; for io_uring, the kernel's copy taken when the request was submitted; `\"\"` for `open_by_handle_at` (a handle, no path); bound 511 bytes", "syscall argument / `io_open.filename`") },
	{ I(struct bw_open, dirfd, "dirfd", -100), DOC("the dirfd argument of `openat`/`openat2` (also through io_uring); the `mount_fd` of `open_by_handle_at`; `-100` (`AT_FDCWD`) for `open` and `creat`", "syscall argument") },
	{ .key = "flags", .kind = CAT_FLAGS, .off = offsetof(struct bw_open, open_flags), .width = 4, .table = &cat_open_flags, DOC("the open flags as names joined with `\\|` (`O_RDONLY` first when the access mode is 0; `O_TMPFILE` opens show `O_TMPFILE\\|O_DIRECTORY`; `O_SYNC` includes `O_DSYNC`); `flags_raw`: the same as a number (`creat` is `O_CREAT\\|O_WRONLY\\|O_TRUNC`, 577; for `openat2`, `open_how.flags`, low 32 bits)", "syscall argument / `struct open_how`") },
	{ U(struct bw_open, open_mode, "mode"), DOC("the mode argument (decimal; meaningful with `O_CREAT`/`O_TMPFILE`); for `openat2`, `open_how.mode`", "syscall argument") },
	VIA_FIELD(struct bw_open, "an `IORING_OP_OPENAT` (`openat`) or `IORING_OP_OPENAT2` (`openat2`)"),
	{ .key = "alias", .kind = CAT_BIT, .off = offsetof(struct bw_open, ev.flags), .width = 4, .aux = BW_F_FILE_ALIAS, .when = by_alias, DOC("present (true) only when the file has several hard links and was opened by a name no rule watches while another of its names is watched: `path` and `name` are that watched name (`upath` is how the caller reached it). The watched name is the inode's entry in the agent's watched-inode map (the files of the rules' read-only paths on the host, filled at load and reload), else another of its names in the dentry cache (the first two aliases of the inode looked at: the name opened is one of them)", "`inode->i_nlink`, `inode->i_dentry`, map `ro_inodes`") },
	{ .kind = CAT_FILE, .off = offsetof(struct bw_open, file), DOC("the file object (see above) of the file opened, resolved at syscall exit from the returned fd; empty strings, zeros and `null` when `res < 0`", "`struct file` of the new fd") },
};

static const struct cat_field chmod_fields[] = {
	{ S(struct bw_chmod, upath, "upath", BW_UPATH_MAX), DOC("the path passed to `chmod`/`fchmodat`/`fchmodat2`, read at syscall entry; `\"\"` for `fchmod`; bound 511 bytes", "syscall argument") },
	{ I(struct bw_chmod, dirfd, "dirfd", -100), DOC("`fchmod`: the fd; `fchmodat`/`fchmodat2`: the dirfd; `chmod`: `-100`", "syscall argument") },
	{ U(struct bw_chmod, mode, "mode"), DOC("the requested mode (decimal: `2541` is `04755`)", "syscall argument") },
	{ .kind = CAT_FILE, .off = offsetof(struct bw_chmod, file), DOC("`fchmod` only: the file object of the file behind the fd, resolved at syscall exit (`inode_mode` shows the mode after the call); empty strings, zeros and `null` for the path-based calls", "`struct file` of the fd") },
};

/* Keys a type's record has but its JSON leaves out (validated, decoded if present, not documented). */
static bool never(const struct bw_event *ev)
{
	(void)ev;
	return false;
}

#define CGROUP_COMMON(what)                                                                                                  \
	{ S(struct bw_cgroup, path, "path", BW_PATH_MAX), DOC("path of the " what " cgroup from the root of its hierarchy (not relative to the caller's cgroup namespace), e.g. `/docker/<id>`; bound 511 bytes (`\"path\"` truncation)", "tracepoint's `path` argument") }, \
	{ S(struct bw_cgroup, hierarchy, "hierarchy", BW_USHORT_MAX), DOC("name of a named v1 hierarchy (`systemd` for `name=systemd`); `\"\"` for controller hierarchies and cgroup v2", "`cgroup_root->name`") }, \
	{ U(struct bw_cgroup, hierarchy_id, "hierarchy_id"), DOC("hierarchy id; `0` is cgroup v2", "`cgroup_root->hierarchy_id`") }, \
	{ U(struct bw_cgroup, cgroup_id, "id"), DOC("id of the " what " cgroup (on cgroup v2, the value `proc.cgroup_id` takes for tasks in it)", "`cgroup->kn->id`") }, \
	{ U(struct bw_cgroup, subsys_mask, "subsys_mask"), DOC("controllers bound to the hierarchy, bit i = the kernel's controller index i (configuration dependent)", "`cgroup_root->subsys_mask`") }

#define CGROUP_TASK(pid_doc, tg_doc, when_)                                                                                  \
	{ U(struct bw_cgroup, target_pid, "target_pid"), .when = when_, DOC(pid_doc, "tracepoint's `task->pid`") },          \
	{ .key = "threadgroup", .kind = CAT_BOOL, .off = offsetof(struct bw_cgroup, threadgroup), .width = 4, .when = when_, \
	  DOC(tg_doc, "tracepoint's `threadgroup`") }

static const struct cat_field cgroup_mkdir_fields[] = { CGROUP_COMMON("new"), CGROUP_TASK(NULL, NULL, never) };
static const struct cat_field cgroup_attach_fields[] = {
	CGROUP_COMMON("destination"),
	CGROUP_TASK("thread id (global) of the task moved: the thread-group leader, i.e. the process id, when `threadgroup` is true",
		    "the whole thread group was moved (`cgroup.procs`), not a single thread", NULL),
};

static bool new_mount_api(const struct bw_event *ev)
{
	return ev->syscall == BW_SYS_FSCONFIG || ev->syscall == BW_SYS_FSMOUNT || ev->syscall == BW_SYS_MOVE_MOUNT ||
	       ev->syscall == BW_SYS_OPEN_TREE;
}

static bool is_fsconfig(const struct bw_event *ev)
{
	return ev->syscall == BW_SYS_FSCONFIG;
}

#define MOUNT_STRS(src_doc, tgt_doc, fs_doc, flags_doc)                                                    \
	{ S(struct bw_mount, source, "source", BW_UPATH_MAX), DOC(src_doc, "syscall argument") },          \
	{ S(struct bw_mount, target, "target", BW_UPATH_MAX), DOC(tgt_doc, "syscall argument") },          \
	{ S(struct bw_mount, fs, "fs", BW_USHORT_MAX), DOC(fs_doc, "syscall argument") },                  \
	{ U(struct bw_mount, flags, "flags"), DOC(flags_doc, "syscall argument") },                        \
	{ I(struct bw_mount, fd, "fd", -1), .when = new_mount_api, DOC("only for `fsconfig`, `fsmount`, `move_mount`, `open_tree`", "syscall argument") }, \
	{ U(struct bw_mount, cmd, "cmd"), .when = is_fsconfig, DOC("only for `fsconfig`", "syscall argument") }

static const struct cat_field mount_fields[] = {
	MOUNT_STRS("see the table below; bound 511 bytes", "see below; bound 511 bytes", "see below; bound 63 bytes", "see below"),
};
static const struct cat_field umount_fields[] = {
	MOUNT_STRS("always `\"\"`", "the target path as passed; bound 511 bytes", "always `\"\"`",
		   "`MNT_FORCE` 1, `MNT_DETACH` 2, `MNT_EXPIRE` 4, `UMOUNT_NOFOLLOW` 8"),
};
static const struct cat_field pivot_root_fields[] = {
	MOUNT_STRS("`new_root` as passed; bound 511 bytes", "`put_old` as passed; bound 511 bytes", "always `\"\"`", "always 0"),
};
static const struct cat_field chroot_fields[] = {
	MOUNT_STRS("always `\"\"`", "the path as passed; bound 511 bytes", "always `\"\"`", "always 0"),
};

#define NS_REST(fd_doc, type_doc_, inum_doc, fd_fs_doc, when_)                                                    \
	{ I(struct bw_ns, fd, "fd", -1), .when = when_, DOC(fd_doc, "syscall argument") },                          \
	{ S(struct bw_ns, ns_type, "type", BW_USHORT_MAX), .when = when_, DOC(type_doc_, "`ns_common->ops->name`") }, \
	{ U(struct bw_ns, ns_inum, "inum"), .when = when_, DOC(inum_doc, "`ns_common->inum`") },                   \
	{ S(struct bw_ns, fd_fs, "fd_fs", BW_USHORT_MAX), .when = when_, DOC(fd_fs_doc, "`sb->s_type->name`") }

static const struct cat_field unshare_fields[] = {
	{ .key = "flags", .kind = CAT_FLAGS, .off = offsetof(struct bw_ns, flags), .width = 8, .table = &cat_clone_flags, DOC("the `CLONE_*` flags as names joined with `\\|`, from `CLONE_NEWNS CLONE_NEWCGROUP CLONE_NEWUTS CLONE_NEWIPC CLONE_NEWUSER CLONE_NEWPID CLONE_NEWNET CLONE_NEWTIME CLONE_FILES CLONE_FS CLONE_SYSVSEM`, unknown bits as `0x...`; `flags_raw`: the flags as a number", "syscall argument") },
	NS_REST(NULL, NULL, NULL, NULL, never),
};
static const struct cat_field setns_fields[] = {
	{ .key = "flags", .kind = CAT_FLAGS, .off = offsetof(struct bw_ns, flags), .width = 8, .table = &cat_clone_flags, DOC("`nstype` as `CLONE_NEW*` names (same rendering as `unshare`); `\"\"` for 0 (any type); `flags_raw`: `nstype` as a number", "syscall argument") },
	NS_REST("the fd argument",
		"for an nsfs fd (`/proc/<pid>/ns/*`), the namespace type: `mnt`, `net`, `pid`, `user`, `uts`, `ipc`, `cgroup`, `time`; `\"\"` for a pidfd",
		"inode number of that namespace, comparable with `proc.ns.*`; 0 when the fd is not nsfs",
		"filesystem of the fd: `nsfs`, `pidfs` (pidfds since 6.9), `anon_inodefs` (pidfds before); `\"\"` if the fd was not open",
		NULL),
	{ .key = "initial", .kind = CAT_BIT, .off = offsetof(struct bw_ns, ev.flags), .width = 4, .aux = BW_F_NS_INITIAL, DOC("the namespace joined (an nsfs fd) is one of the kernel's initial namespaces, the host's: compared in the kernel with those of `init_task` (reached through `real_parent`), not with `/proc/1/ns`, which a sandboxed init or an agent without the host's PID namespace cannot read", "`init_task.nsproxy`, `init_task.cred->user_ns`") },
};

/* net: the family decides which of addr/port and path exist */
static bool is_inet(const struct bw_event *ev)
{
	const struct bw_net *n = (const void *)ev;

	return n->family == AF_INET || n->family == AF_INET6;
}

static bool is_unix(const struct bw_event *ev)
{
	return ((const struct bw_net *)ev)->family == AF_UNIX;
}

static const struct cat_name family_names[] = { { AF_INET, "inet" }, { AF_INET6, "inet6" }, { AF_UNIX, "unix" }, { 0, NULL } };

static void enc_family(struct strbuf *sb, const struct event_view *v, const struct cat_field *f,
		       const struct event_context *ctx)
{
	uint16_t fam = ((const struct bw_net *)v->ev)->family;
	const char *name = name_of(family_names, fam);

	(void)ctx;
	if (name)
		jw_kstr(sb, f->key, name);
	else
		jw_kuint(sb, f->key, fam);
}

const char *catalog_jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A number, or a string holding one (as flags_raw or ids may be written by hand); else @def. */
int64_t catalog_jint(json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && *json_string_value(v)) {
		char *end;
		long long x = strtoll(json_string_value(v), &end, 0);

		if (!*end)
			return x;
	}
	return def;
}

static void dec_family(json_t *o, json_t *line, void *rec, size_t *len, __u32 *flags, const struct cat_field *f)
{
	const char *s = catalog_jstr(o, f->key);
	const struct cat_name *t;

	(void)line, (void)len, (void)flags;
	for (t = family_names; t->name; t++)
		if (strcmp(t->name, s) == 0)
			break;
	((struct bw_net *)rec)->family = t->name ? t->value : (uint16_t)catalog_jint(o, f->key, 0);
}
static const struct cat_custom family = { enc_family, dec_family };

static void enc_addr(struct strbuf *sb, const struct event_view *v, const struct cat_field *f,
		     const struct event_context *ctx)
{
	const struct bw_net *n = (const void *)v->ev;
	char addr[INET6_ADDRSTRLEN] = "";

	(void)ctx;
	inet_ntop(n->family, n->addr, addr, sizeof(addr));
	jw_kstr(sb, f->key, addr);
}

static void dec_addr(json_t *o, json_t *line, void *rec, size_t *len, __u32 *flags, const struct cat_field *f)
{
	struct bw_net *n = rec;

	(void)line, (void)len, (void)flags;
	if (n->family == AF_INET || n->family == AF_INET6)
		inet_pton(n->family, catalog_jstr(o, f->key), n->addr);
}
static const struct cat_custom addr = { enc_addr, dec_addr };

#define NET_FIELDS(addr_doc, port_doc, path_doc)                                                                   \
	{ I(struct bw_net, fd, "fd", -1), DOC("the socket fd", "syscall argument") },                               \
	{ .key = "family", .kind = CAT_CUSTOM, .custom = &family, .off = offsetof(struct bw_net, family), .width = 2, \
	  .type_doc = "string or number", DOC("`\"inet\"`, `\"inet6\"`, `\"unix\"`; any other address family as its number (e.g. `16` AF_NETLINK, `0` AF_UNSPEC)", "`sa_family`") }, \
	{ .key = "addr", .kind = CAT_CUSTOM, .custom = &addr, .off = offsetof(struct bw_net, addr), .when = is_inet,  \
	  .type_doc = "string", DOC(addr_doc, "`sockaddr_in`/`sockaddr_in6`") },                                  \
	{ U(struct bw_net, port, "port"), .when = is_inet, DOC(port_doc, "`sin_port`/`sin6_port`") },             \
	{ S(struct bw_net, path, "path", BW_UPATH_MAX), .when = is_unix, DOC(path_doc, "`sun_path`") },           \
	{ U(struct bw_net, sotype, "sotype"), DOC("the socket's type: `1` SOCK_STREAM, `2` SOCK_DGRAM, `3` SOCK_RAW, ...; `0` when the fd was no socket", "`socket->type`") }, \
	{ U(struct bw_net, protocol, "protocol"), DOC("the socket's protocol: `6` TCP, `17` UDP, ... (Falco's `fd.l4proto`)", "`sock->sk_protocol`") }

static const struct cat_field connect_fields[] = {
	NET_FIELDS("inet and inet6 only: the destination address in text form (`inet_ntop`, e.g. `::ffff:10.0.0.1` for a v4-mapped address)",
		   "inet and inet6 only: the destination port, host byte order",
		   "unix only: the socket path; an abstract name is shown with a leading `@` and ends at its first NUL byte; `\"\"` for an unnamed address; bound 109 bytes"),
	{ S(struct bw_net, peer, "peer", BW_UPATH_MAX), .when = is_unix, DOC("unix only, after a successful connect: the path the listening socket bound, read from the connected socket's peer — the socket really reached, whatever path, symlink or bind mount the client named; `\"\"` for an unnamed or abstract peer", "the peer `unix_sock`'s address") },
	VIA_FIELD(struct bw_net, "an `IORING_OP_CONNECT`"),
};
static const struct cat_field bind_fields[] = {
	NET_FIELDS("inet and inet6 only: the local address requested", "inet and inet6 only: the local port requested (0: any)",
		   "unix only: the socket path to bind (as for `connect`)"),
};
static const struct cat_field listen_fields[] = {
	NET_FIELDS("inet and inet6 only: the bound local address (`0.0.0.0` / `::` for any)", "inet and inet6 only: the bound local port",
		   "unix only: `\"\"`; the socket's bound path is not read back ([6](#6-known-limits))"),
	{ U(struct bw_net, backlog, "backlog"), DOC("the backlog argument", "syscall argument") },
};

static const struct cat_field dup_fields[] = {
	{ I(struct bw_dup, net.fd, "oldfd", -1), DOC("the fd duplicated (`res` is the new one)", "syscall argument") },
	{ .key = "family", .kind = CAT_CUSTOM, .custom = &family, .off = offsetof(struct bw_dup, net.family), .width = 2,
	  .type_doc = "string or number", DOC("the socket's family, as in `connect`", "`sk->__sk_common.skc_family`") },
	{ .key = "addr", .kind = CAT_CUSTOM, .custom = &addr, .off = offsetof(struct bw_dup, net.addr), .when = is_inet,
	  .type_doc = "string", DOC("inet and inet6 only: the peer's address (`0.0.0.0` / `::` while unconnected)", "`skc_daddr`/`skc_v6_daddr`") },
	{ U(struct bw_dup, net.port, "port"), .when = is_inet, DOC("inet and inet6 only: the peer's port (0 while unconnected)", "`skc_dport`") },
	{ S(struct bw_dup, net.path, "path", BW_UPATH_MAX), .when = is_unix, DOC("unix only: `\"\"` (the kernel does not fill it; kept so that the record reads as a `connect` one)", "none") },
	{ U(struct bw_dup, net.sotype, "sotype"), DOC("the socket's type, as in `connect`", "`socket->type`") },
	{ U(struct bw_dup, net.protocol, "protocol"), DOC("the socket's protocol, as in `connect`", "`sock->sk_protocol`") },
	{ U(struct bw_dup, dup_flags, "flags"), DOC("`dup3`'s flags (`O_CLOEXEC` 524288); 0 for `dup` and `dup2`", "syscall argument") },
};

static const struct cat_field userfaultfd_fields[] = {
	{ U(struct bw_userfaultfd, uffd_flags, "flags"), DOC("the flags argument: `O_CLOEXEC` 524288, `O_NONBLOCK` 2048, `UFFD_USER_MODE_ONLY` 1", "syscall argument") },
};

static const struct cat_name ptrace_names[] = {
	{ 16, "PTRACE_ATTACH" }, { 0x4206, "PTRACE_SEIZE" }, { 0, "PTRACE_TRACEME" }, { 4, "PTRACE_POKETEXT" },
	{ 5, "PTRACE_POKEDATA" }, { 6, "PTRACE_POKEUSER" }, { 13, "PTRACE_SETREGS" }, { 15, "PTRACE_SETFPREGS" },
	{ 0x4205, "PTRACE_SETREGSET" }, { 0, NULL },
};

static const struct cat_field ptrace_fields[] = {
	{ .key = "request", .kind = CAT_ENUM, .off = offsetof(struct bw_ptrace, request), .width = 8, .aux = ~0ULL,
	  .def = 16, .table = ptrace_names, DOC("the request by name: `\"PTRACE_ATTACH\"` (16), `\"PTRACE_SEIZE\"` (0x4206), `\"PTRACE_TRACEME\"` (0), `\"PTRACE_POKETEXT\"` (4), `\"PTRACE_POKEDATA\"` (5), `\"PTRACE_POKEUSER\"` (6), `\"PTRACE_SETREGS\"` (13), `\"PTRACE_SETFPREGS\"` (15), `\"PTRACE_SETREGSET\"` (0x4205); the kernel drops every other request (reads and resumes)", "syscall argument") },
	{ U(struct bw_ptrace, target_pid, "target_pid"), DOC("the pid argument, as the caller passed it (a pid in the **caller's** pid namespace, unlike `proc.pid`)", "syscall argument") },
};

static const struct cat_field module_fields[] = {
	{ S(struct bw_module, uargs, "args", BW_UPATH_MAX), DOC("the module parameters (`uargs`) as passed, read at entry; bound 511 bytes", "syscall argument") },
	{ U(struct bw_module, mod_flags, "flags"), DOC("`finit_module` flags (`MODULE_INIT_IGNORE_MODVERSIONS` 1, `MODULE_INIT_IGNORE_VERMAGIC` 2, `MODULE_INIT_COMPRESSED_FILE` 4); 0 for `init_module`", "syscall argument") },
	{ I(struct bw_module, fd, "fd", -1), DOC("the `finit_module` fd; `-1` for `init_module`", "syscall argument") },
	{ .key = "file", .kind = CAT_FILE, .off = offsetof(struct bw_module, file), DOC("`finit_module`: the file object ([above](#3-event-types)) of the module file behind the fd, resolved at syscall exit; for `init_module` (image from memory) all empty, zero and `null`", "`struct file` of the fd") },
};

static const struct cat_field bpf_fields[] = {
	{ U(struct bw_bpf, cmd, "cmd"), .def = 5, DOC("always 5 (`BPF_PROG_LOAD`)", "syscall argument") },
	{ U(struct bw_bpf, prog_type, "prog_type"), DOC("`attr.prog_type` (`enum bpf_prog_type`: 1 socket filter, 2 kprobe, 5 tracepoint, ...)", "`attr.prog_type`") },
	{ U(struct bw_bpf, insn_cnt, "insn_cnt"), DOC("number of instructions", "`attr.insn_cnt`") },
	{ S(struct bw_bpf, prog_name, "prog_name", BW_USHORT_MAX), DOC("`attr.prog_name` (at most 16 bytes, need not be NUL-terminated)", "`attr.prog_name`") },
};

static const struct cat_field memfd_fields[] = {
	{ S(struct bw_memfd, name, "name", BW_USHORT_MAX), DOC("the name as passed (the kernel shows it as `memfd:<name>`); bound 63 bytes", "syscall argument") },
	{ U(struct bw_memfd, mfd_flags, "flags"), DOC("`MFD_CLOEXEC` 1, `MFD_ALLOW_SEALING` 2, `MFD_HUGETLB` 4, `MFD_NOEXEC_SEAL` 8, `MFD_EXEC` 0x10, hugetlb size bits above", "syscall argument") },
};

static const struct cat_field setid_fields[] = {
	{ .key = "ids", .kind = CAT_ID, .off = offsetof(struct bw_setid, id), .width = 3, DOC("the ids passed, in argument order: `[id, -1, -1]` for `setuid`, `setgid`, `setfsuid`, `setfsgid`; `[real, effective, -1]` for `setreuid`/`setregid`; `[real, effective, saved]` for `setresuid`/`setresgid`. `-1` is an id the call leaves unchanged", "syscall arguments") },
};

static const struct cat_field process_vm_fields[] = {
	{ U(struct bw_process_vm, target_pid, "target_pid"), DOC("the pid argument: the process whose memory is read or written, in the **caller's** pid namespace", "syscall argument") },
	{ U(struct bw_process_vm, liovcnt, "liovcnt"), DOC("number of local iovecs", "syscall argument") },
	{ U(struct bw_process_vm, riovcnt, "riovcnt"), DOC("number of remote iovecs", "syscall argument") },
};

static const struct cat_flag mem_access_names[] = { { 1, "read" }, { 2, "write" }, { 0, NULL } };
const struct cat_flags cat_mem_access = { mem_access_names, 0, NULL };

static const struct cat_field proc_mem_fields[] = {
	{ U(struct bw_proc_mem, target_pid, "target_pid"), DOC("the thread-group id (initial pid namespace, as `proc.pid`) of the process whose `mem` file was opened, from the procfs inode's `struct pid`", "`proc_inode.pid`") },
	{ U(struct bw_proc_mem, target_start_time, "target_start_time"), DOC("that process's start time (ns since boot): with `target_pid`, its identity", "`task_struct.group_leader->start_boottime`") },
	{ .key = "access", .kind = CAT_FLAGS, .off = offsetof(struct bw_proc_mem, access), .width = 4, .table = &cat_mem_access, DOC("`read`, `write` or `read\\|write`: how the file was opened; `access_raw`: 1 read, 2 write", "`file.f_mode`") },
};

static const struct cat_flag prot_names[] = { { 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" }, { 0, NULL } };
const struct cat_flags cat_prot_flags = { prot_names, 7, "PROT_NONE" };
static const struct cat_flag map_names[] = {
	{ 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" }, { 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0, NULL },
};
const struct cat_flags cat_map_flags = { map_names, 0, NULL };

static bool is_mprotect(const struct bw_event *ev)
{
	return ev->syscall == BW_SYS_MPROTECT;
}

static bool is_mmap(const struct bw_event *ev)
{
	return ev->syscall == BW_SYS_MMAP;
}

static const struct cat_field mem_exec_fields[] = {
	{ .key = "addr", .kind = CAT_HEX, .off = offsetof(struct bw_mem_exec, addr), .width = 8, DOC("the address argument (`mmap`: the hint; the mapping's address is `res`)", "syscall argument") },
	{ U(struct bw_mem_exec, len, "len"), DOC("the length argument", "syscall argument") },
	{ .key = "prot", .kind = CAT_FLAGS, .off = offsetof(struct bw_mem_exec, prot), .width = 4, .table = &cat_prot_flags, DOC("the protection asked for, `PROT_*` names joined with `\\|`; `prot_raw`: as a number", "syscall argument") },
	{ .key = "prev_prot", .kind = CAT_FLAGS, .off = offsetof(struct bw_mem_exec, prev_prot), .width = 4, .table = &cat_prot_flags, .when = is_mprotect, DOC("`mprotect` only: the mapping's protection before the call (from `vm_flags`)", "`vm_area_struct.vm_flags`") },
	{ .key = "flags", .kind = CAT_FLAGS, .off = offsetof(struct bw_mem_exec, flags), .width = 4, .table = &cat_map_flags, .when = is_mmap, DOC("`mmap` only: the flags argument (`MAP_*`)", "syscall argument") },
};

static const struct cat_field socket_fields[] = {
	{ U(struct bw_socket, domain, "domain"), DOC("the domain argument (`AF_*`: 17 `AF_PACKET`, 2 `AF_INET`, 10 `AF_INET6`)", "syscall argument") },
	{ U(struct bw_socket, type, "type"), DOC("the type argument, `SOCK_NONBLOCK`/`SOCK_CLOEXEC` bits included (3 `SOCK_RAW`, 2 `SOCK_DGRAM`, 10 `SOCK_PACKET`)", "syscall argument") },
	{ U(struct bw_socket, protocol, "protocol"), DOC("the protocol argument (`AF_PACKET`: the ethertype in network byte order, 768 is `ETH_P_ALL`)", "syscall argument") },
};

static const struct cat_name exec_call_names[] = { { BW_SYS_EXECVE, "execve" }, { BW_SYS_EXECVEAT, "execveat" }, { 0, NULL } };

static const struct cat_field exec_failed_fields[] = {
	{ .key = "syscall", .kind = CAT_ENUM, .off = offsetof(struct bw_exec_failed, call), .width = 4, .aux = ~0ULL,
	  .def = BW_SYS_EXECVE, .table = exec_call_names, DOC("`\"execve\"` or `\"execveat\"` (the record's own `syscall` is absent: `evt.type` is `exec_failed`)", "the syscall tracepoint") },
	{ S(struct bw_exec_failed, filename, "filename", BW_UPATH_MAX), DOC("the path as passed, read at entry; bound 511 bytes", "syscall argument") },
	{ S(struct bw_exec_failed, cwd, "cwd", BW_PATH_MAX), DOC("the caller's working directory, resolved at exit (a relative `filename` is relative to it unless `dirfd` says otherwise); same bounds as the file object's `path`", "`task->fs->pwd`") },
	{ I(struct bw_exec_failed, dirfd, "dirfd", -100), DOC("`execveat`: the dirfd argument; `-100` (`AT_FDCWD`) for `execve`", "syscall argument") },
	{ U(struct bw_exec_failed, at_flags, "flags"), DOC("`execveat` flags: `AT_SYMLINK_NOFOLLOW` 0x100, `AT_EMPTY_PATH` 0x1000; 0 for `execve`", "syscall argument") },
};

/* path operations: link, symlink, rename, unlink, mkdir (struct bw_pathop) */
static bool is_mkdir(const struct bw_event *ev)
{
	return ev->hdr.type == BW_EV_MKDIR;
}

static bool has_new(const struct bw_event *ev)
{
	return ev->hdr.type == BW_EV_LINK || ev->hdr.type == BW_EV_SYMLINK || ev->hdr.type == BW_EV_RENAME;
}

static bool has_flags(const struct bw_event *ev)
{
	return ev->hdr.type == BW_EV_LINK || ev->hdr.type == BW_EV_RENAME || ev->hdr.type == BW_EV_UNLINK;
}

static const struct cat_field pathop_fields[] = {
	{ S(struct bw_pathop, oldpath, "oldpath", BW_UPATH_MAX), DOC("the first path as passed, read at entry: `link`/`rename` oldpath, `symlink` target (the link's content, never resolved), `unlink`/`mkdir` path; bound 511 bytes", "syscall argument") },
	{ S(struct bw_pathop, olddir, "olddir", BW_PATH_MAX), DOC("the directory a relative `oldpath` starts from, resolved at exit from kernel objects: the working directory (`olddirfd` -100) or the dirfd's file (for `linkat` with `AT_EMPTY_PATH` and an empty `oldpath`, the file linked itself); `\"\"` when `oldpath` is absolute and for `symlink`; same bounds as the file object's `path`", "`task->fs->pwd` / the dirfd's `f_path`") },
	{ I(struct bw_pathop, olddirfd, "olddirfd", -100), DOC("`linkat`, `renameat`, `renameat2`: olddirfd; `unlinkat`, `mkdirat`: dirfd; -100 (`AT_FDCWD`) for the other calls", "syscall argument") },
	{ S(struct bw_pathop, newpath, "newpath", BW_UPATH_MAX), .when = has_new, DOC("`link`, `symlink`, `rename` only: the new name as passed (`symlink`: linkpath); bound 511 bytes", "syscall argument") },
	{ S(struct bw_pathop, newdir, "newdir", BW_PATH_MAX), .when = has_new, DOC("`link`, `symlink`, `rename` only: the directory a relative `newpath` starts from, resolved at exit (as `olddir`)", "`task->fs->pwd` / the dirfd's `f_path`") },
	{ I(struct bw_pathop, newdirfd, "newdirfd", -100), .when = has_new, DOC("`linkat`, `renameat*`, `symlinkat`: newdirfd; -100 otherwise", "syscall argument") },
	{ U(struct bw_pathop, at_flags, "flags"), .when = has_flags, DOC("`link`, `rename`, `unlink` only: `linkat` flags (`AT_SYMLINK_FOLLOW` 0x400, `AT_EMPTY_PATH` 0x1000), `renameat2` flags (`RENAME_NOREPLACE` 1, `RENAME_EXCHANGE` 2, `RENAME_WHITEOUT` 4), `unlinkat` flags (`AT_REMOVEDIR` 0x200); 0 for the other calls", "syscall argument") },
	{ U(struct bw_pathop, mode, "mode"), .when = is_mkdir, DOC("`mkdir` only: the mode argument (decimal)", "syscall argument") },
};

static const struct cat_field file_map_fields[] = {
	{ .key = "prot", .kind = CAT_FLAGS, .off = offsetof(struct bw_file_map, prot), .width = 4, .table = &cat_prot_flags, DOC("the protection asked for (`PROT_EXEC` always set); `prot_raw`: as a number", "syscall argument") },
	{ .key = "flags", .kind = CAT_FLAGS, .off = offsetof(struct bw_file_map, flags), .width = 4, .table = &cat_map_flags, DOC("the flags argument (`MAP_*`)", "syscall argument") },
	{ .kind = CAT_FILE, .off = offsetof(struct bw_file_map, file), DOC("the file object (see above) of the file mapped, resolved at syscall entry from the fd argument. Reported once per (mount namespace, file): the in-use evidence of the file's package", "`struct file` of the fd") },
};

#define T(ev, o, strct, flds, evt) \
	[BW_EV_##ev] = { o, sizeof(strct), flds, sizeof(flds) / sizeof(flds[0]), evt, #strct }

static const struct cat_type types[BW_EV_MAX] = {
	T(EXEC, "exec", struct bw_exec, exec_fields, NULL),
	T(FORK, "fork", struct bw_fork, fork_fields, "clone"),
	T(EXIT, "exit", struct bw_exit, exit_fields, "procexit"),
	T(OPEN, "file", struct bw_open, open_fields, NULL),
	T(CHMOD, "file", struct bw_chmod, chmod_fields, NULL),
	T(CGROUP_MKDIR, "cgroup", struct bw_cgroup, cgroup_mkdir_fields, "cgroup_mkdir"),
	T(CGROUP_ATTACH, "cgroup", struct bw_cgroup, cgroup_attach_fields, "cgroup_attach"),
	T(MOUNT, "mount", struct bw_mount, mount_fields, NULL),
	T(UMOUNT, "mount", struct bw_mount, umount_fields, NULL),
	T(PIVOT_ROOT, "mount", struct bw_mount, pivot_root_fields, NULL),
	T(CHROOT, "mount", struct bw_mount, chroot_fields, NULL),
	T(UNSHARE, "ns", struct bw_ns, unshare_fields, NULL),
	T(SETNS, "ns", struct bw_ns, setns_fields, NULL),
	T(CONNECT, "net", struct bw_net, connect_fields, NULL),
	T(BIND, "net", struct bw_net, bind_fields, NULL),
	T(LISTEN, "net", struct bw_net, listen_fields, NULL),
	T(PTRACE, "ptrace", struct bw_ptrace, ptrace_fields, NULL),
	T(MODULE_LOAD, "module", struct bw_module, module_fields, NULL),
	T(BPF_LOAD, "bpf", struct bw_bpf, bpf_fields, NULL),
	T(MEMFD_CREATE, "memfd", struct bw_memfd, memfd_fields, NULL),
	T(SETUID, "setid", struct bw_setid, setid_fields, NULL),
	T(PROCESS_VM, "process_vm", struct bw_process_vm, process_vm_fields, NULL),
	T(PROC_MEM, "proc_mem", struct bw_proc_mem, proc_mem_fields, "proc_mem"),
	T(MEM_EXEC, "mem_exec", struct bw_mem_exec, mem_exec_fields, NULL),
	T(SOCKET, "socket", struct bw_socket, socket_fields, NULL),
	T(EXEC_FAILED, "exec_failed", struct bw_exec_failed, exec_failed_fields, "exec_failed"),
	T(LINK, "pathop", struct bw_pathop, pathop_fields, NULL),
	T(SYMLINK, "pathop", struct bw_pathop, pathop_fields, NULL),
	T(RENAME, "pathop", struct bw_pathop, pathop_fields, NULL),
	T(UNLINK, "pathop", struct bw_pathop, pathop_fields, NULL),
	T(MKDIR, "pathop", struct bw_pathop, pathop_fields, NULL),
	T(DUP, "dup", struct bw_dup, dup_fields, NULL),
	T(USERFAULTFD, "userfaultfd", struct bw_userfaultfd, userfaultfd_fields, NULL),
	T(FILE_MAP, "file_map", struct bw_file_map, file_map_fields, "file_map"),
};

const struct cat_field *catalog_file_fields(size_t *n)
{
	*n = NFILE;
	return file_fields;
}

const struct cat_type *catalog_type(unsigned int type)
{
	return type > BW_EV_NONE && type < BW_EV_MAX ? &types[type] : NULL;
}

unsigned int catalog_ring(unsigned int type)
{
	return type < BW_EV_MAX && ((BW_CRITICAL_TYPES >> type) & 1) ? BW_RING_CRITICAL : BW_RING_COMMON;
}

#define X_SYS_TYPE(name, str, type) [BW_SYS_##name] = BW_EV_##type,
static const unsigned char syscall_type[BW_SYS_MAX] = { BW_SYSCALLS(X_SYS_TYPE) };
#define X_SYS_NAME(name, str, type) [BW_SYS_##name] = str,
static const char *const syscall_names[BW_SYS_MAX] = { BW_SYSCALLS(X_SYS_NAME) };

/* syscalls of a type are at most BW_SYS_MAX; one more for the NULL */
static const char *evt_lists[BW_EV_MAX][BW_SYS_MAX + 1];
static pthread_once_t evt_once = PTHREAD_ONCE_INIT;

static void evt_lists_init(void)
{
	unsigned int t, s, n;

	for (t = 1; t < BW_EV_MAX; t++) {
		n = 0;
		for (s = 1; s < BW_SYS_MAX; s++)
			if (syscall_type[s] == t)
				evt_lists[t][n++] = syscall_names[s];
		if (!n)
			evt_lists[t][n++] = types[t].evt_type;
		evt_lists[t][n] = NULL;
	}
}

const char *const *catalog_evt_types(unsigned int type)
{
	static const char *const none[] = { NULL };

	if (type <= BW_EV_NONE || type >= BW_EV_MAX)
		return none;
	pthread_once(&evt_once, evt_lists_init);
	return evt_lists[type];
}

static size_t str_offsets(const struct cat_field *fields, size_t n, size_t base, size_t *out, size_t k, size_t max)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct cat_field *f = &fields[i];

		if (f->kind == CAT_STR || f->kind == CAT_ARGV) {
			if (k < max)
				out[k] = base + f->off;
			k++;
		}
		else if (f->kind == CAT_FILE)
			k = str_offsets(file_fields, NFILE, base + f->off, out, k, max);
	}
	return k;
}

size_t catalog_str_offsets(unsigned int type, size_t *out, size_t max)
{
	const struct cat_type *t = catalog_type(type);

	return t ? str_offsets(t->fields, t->nfields, 0, out, 0, max) : 0;
}

/* ---- encoding: record → JSON ------------------------------------------------------------ */

static void kstr(struct strbuf *sb, const struct event_view *v, const char *key, const void *rec, size_t off)
{
	struct bw_str s;
	struct str_view sv;

	memcpy(&s, (const char *)rec + off, sizeof(s));
	sv = event_str(v, s);
	jw_kstrn(sb, key, sv.p, sv.len);
}

static void encode_fields(struct strbuf *sb, const struct event_view *v, const struct cat_field *fields, size_t n,
			  size_t base, const struct event_context *ctx);

static void encode_field(struct strbuf *sb, const struct event_view *v, const struct cat_field *fl, size_t base,
			 const struct event_context *ctx)
{
	const void *rec = v->ev;
	struct cat_field f = at(fl, base);
	char buf[512], key[64];
	const char *name;
	uint64_t u;
	unsigned int i;

	if (f.src || (f.when && !f.when(v->ev)))
		return;
	switch (f.kind) {
	case CAT_UINT:
		jw_kuint(sb, f.key, cat_get_uint(rec, &f));
		break;
	case CAT_INT:
		jw_kint(sb, f.key, cat_get_int(rec, &f));
		break;
	case CAT_BOOL:
		jw_kbool(sb, f.key, cat_get_uint(rec, &f) != 0);
		break;
	case CAT_BIT:
		jw_kbool(sb, f.key, (cat_get_uint(rec, &f) & f.aux) != 0);
		break;
	case CAT_ENUM:
		name = name_of(f.table, cat_get_uint(rec, &f) & f.aux);
		jw_key(sb, f.key);
		if (name)
			jw_str(sb, name);
		else
			jw_null(sb);
		break;
	case CAT_FLAGS:
		u = cat_get_uint(rec, &f);
		catalog_flags_str(buf, sizeof(buf), u, f.table);
		jw_kstr(sb, f.key, buf);
		snprintf(key, sizeof(key), "%s_raw", f.key);
		jw_kuint(sb, key, u);
		break;
	case CAT_HEX:
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)cat_get_uint(rec, &f));
		jw_kstr(sb, f.key, buf);
		break;
	case CAT_ID:
		if (f.width > 1)
			jw_karr(sb, f.key);
		else
			jw_key(sb, f.key);
		for (i = 0; i < f.width; i++) {
			struct cat_field one = { .off = f.off + 4 * i, .width = 4 };

			u = cat_get_uint(rec, &one);
			jw_int(sb, u == 0xffffffffu ? -1 : (int64_t)u);
		}
		if (f.width > 1)
			jw_end_arr(sb);
		break;
	case CAT_STR:
		kstr(sb, v, f.key, rec, f.off);
		break;
	case CAT_ARGV: {
		/* NUL-separated strings as an array (put_argv's inverse) */
		struct bw_str d;
		struct str_view sv;
		size_t j = 0;

		memcpy(&d, (const char *)rec + f.off, sizeof(d));
		sv = event_str(v, d);
		jw_karr(sb, f.key);
		while (j < sv.len) {
			size_t n = strnlen(sv.p + j, sv.len - j);

			jw_strn(sb, sv.p + j, n);
			j += n + 1;
		}
		jw_end_arr(sb);
		break;
	}
	case CAT_FILE:
		if (f.key)
			jw_kobj(sb, f.key);
		encode_fields(sb, v, file_fields, NFILE, f.off, ctx);
		if (f.key)
			jw_end(sb);
		break;
	case CAT_CUSTOM:
		if (f.custom->encode)
			f.custom->encode(sb, v, &f, ctx);
		break;
	case CAT_KIND_MAX:
		break;
	}
}

static void encode_fields(struct strbuf *sb, const struct event_view *v, const struct cat_field *fields, size_t n,
			  size_t base, const struct event_context *ctx)
{
	size_t i;

	for (i = 0; i < n; i++)
		encode_field(sb, v, &fields[i], base, ctx);
}

void catalog_encode(struct strbuf *sb, const struct event_view *v, const struct event_context *ctx)
{
	const struct cat_type *t = catalog_type(v->ev->hdr.type);

	if (!t)
		return;
	jw_kobj(sb, t->obj);
	encode_fields(sb, v, t->fields, t->nfields, 0, ctx);
	jw_end(sb);
}

/* ---- decoding: JSON → record -------------------------------------------------------------- */

/* Appends @n bytes (inner NULs kept) and a NUL to the string area; a string over its bound is cut. */
static void put_bytes(void *rec, size_t *len, size_t off, const char *s, size_t n, size_t bound, __u32 *flags,
		      __u32 trunc)
{
	unsigned char *buf = rec;
	struct bw_str d;

	if (!n)
		return;
	if (n > bound - 1) {
		n = bound - 1;
		*flags |= trunc;
	}
	if (*len + n + 1 > BW_RECORD_MAX) {
		*flags |= trunc;
		return;
	}
	memcpy(buf + *len, s, n);
	buf[*len + n] = '\0';
	d.off = *len;
	d.len = n;
	memcpy(buf + off, &d, sizeof(d));
	*len += n + 1;
}

/* argv from a JSON array as NUL-separated bytes (the descriptor excludes the last NUL). */
static void put_argv(void *rec, size_t *len, const struct cat_field *f, json_t *arr, __u32 *flags)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
		json_t *a = json_array_get(arr, i);
		const char *s = json_is_string(a) ? json_string_value(a) : "";

		strbuf_add(&sb, s, strlen(s) + 1);
	}
	if (sb.len)
		put_bytes(rec, len, f->off, sb.buf, sb.len - 1, f->aux, flags, BW_F_TRUNC_ARGS);
	strbuf_free(&sb);
}

static void decode_fields(json_t *obj, json_t *line, void *rec, size_t *len, __u32 *flags,
			  const struct cat_field *fields, size_t n, size_t base);

static void decode_field(json_t *obj, json_t *line, void *rec, size_t *len, __u32 *flags,
			 const struct cat_field *fl, size_t base)
{
	struct cat_field f = at(fl, base);
	json_t *o = f.src ? json_object_get(line, f.src) : obj;
	const char *s;
	const struct cat_name *t;
	uint64_t u;
	unsigned int i;

	switch (f.kind) {
	case CAT_UINT:
	case CAT_INT:
		cat_set(rec, f.off, f.width, catalog_jint(o, f.key, f.def));
		break;
	case CAT_BOOL:
		cat_set(rec, f.off, f.width, json_is_true(json_object_get(o, f.key)));
		break;
	case CAT_BIT:
		if (json_is_true(json_object_get(o, f.key)))
			cat_set(rec, f.off, f.width, cat_get_uint(rec, &f) | f.aux);
		break;
	case CAT_ENUM:
		s = catalog_jstr(o, f.key);
		for (t = f.table; t->name; t++)
			if (strcmp(t->name, s) == 0)
				break;
		u = t->name ? t->value : (uint64_t)catalog_jint(o, f.key, f.def);
		cat_set(rec, f.off, f.width, cat_get_uint(rec, &f) | u);
		break;
	case CAT_FLAGS: {
		char key[64];
		json_t *raw;

		snprintf(key, sizeof(key), "%s_raw", f.key);
		raw = json_object_get(o, key);
		u = json_is_integer(raw) ? (uint64_t)json_integer_value(raw) : catalog_flags_parse(catalog_jstr(o, f.key), f.table);
		cat_set(rec, f.off, f.width, u);
		break;
	}
	case CAT_HEX:
		s = catalog_jstr(o, f.key);
		cat_set(rec, f.off, f.width, *s ? strtoull(s, NULL, 0) : (uint64_t)catalog_jint(o, f.key, 0));
		break;
	case CAT_ID:
		for (i = 0; i < f.width; i++) {
			json_t *v = f.width > 1 ? json_array_get(json_object_get(o, f.key), i) : json_object_get(o, f.key);
			int64_t id = json_is_integer(v) ? json_integer_value(v) : -1;

			cat_set(rec, f.off + 4 * i, 4, id < 0 ? 0xffffffffu : (uint64_t)id);
		}
		break;
	case CAT_STR:
		s = catalog_jstr(o, f.key);
		if (!*s && f.fallback)
			s = catalog_jstr(json_object_get(line, f.fallback), f.key);
		put_bytes(rec, len, f.off, s, strlen(s), f.aux, flags, BW_F_TRUNC_STR);
		break;
	case CAT_ARGV:
		put_argv(rec, len, &f, json_object_get(o, f.key), flags);
		break;
	case CAT_FILE:
		o = f.key ? json_object_get(o, f.key) : o;
		if (json_is_object(o))
			decode_fields(o, line, rec, len, flags, file_fields, NFILE, f.off);
		break;
	case CAT_CUSTOM:
		if (f.custom->decode)
			f.custom->decode(o, line, rec, len, flags, &f);
		break;
	case CAT_KIND_MAX:
		break;
	}
}

static void decode_fields(json_t *obj, json_t *line, void *rec, size_t *len, __u32 *flags,
			  const struct cat_field *fields, size_t n, size_t base)
{
	size_t i;

	for (i = 0; i < n; i++)
		decode_field(obj, line, rec, len, flags, &fields[i], base);
}

void catalog_decode(unsigned int type, json_t *line, void *rec, size_t *len, __u32 *flags)
{
	const struct cat_type *t = catalog_type(type);

	if (t)
		decode_fields(json_object_get(line, t->obj), line, rec, len, flags, t->fields, t->nfields, 0);
}

/* ---- docs/events.md ------------------------------------------------------------------------------ */

static const char *kind_doc(const struct cat_field *f, char *buf, size_t size)
{
	switch (f->kind) {
	case CAT_UINT:
	case CAT_INT:
		return "number";
	case CAT_BOOL:
	case CAT_BIT:
		return "boolean";
	case CAT_ENUM:
		return "string or null";
	case CAT_FLAGS:
		return "string, number";
	case CAT_HEX:
	case CAT_STR:
		return "string";
	case CAT_ID:
		if (f->width == 1)
			return "number";
		snprintf(buf, size, "array of %u numbers", f->width);
		return buf;
	case CAT_ARGV:
		return "array of strings";
	case CAT_FILE:
		return f->key ? "object" : "";
	case CAT_CUSTOM:
		return f->type_doc ? f->type_doc : "";
	case CAT_KIND_MAX:
		break;
	}
	return "";
}

static void md_rows(struct strbuf *out, const char *obj, const struct cat_field *fields, size_t n)
{
	size_t i, nfile = 0;
	const struct cat_field *ff = catalog_file_fields(&nfile);

	for (i = 0; i < n; i++) {
		const struct cat_field *f = &fields[i];
		const char *o = f->src ? f->src : obj;
		char type[32];

		if (!f->meaning)
			continue; /* in the record, not in the type's JSON */
		strbuf_addc(out, '|');
		if (f->kind == CAT_FILE && !f->key)
			strbuf_addf(out, " `%s.%s` ... `%s.%s` ", o, ff[0].key, o, ff[nfile - 1].key);
		else if (f->kind == CAT_FLAGS)
			strbuf_addf(out, " `%s%s%s`, `%s%s%s_raw` ", o ? o : "", o ? "." : "", f->key, o ? o : "",
				    o ? "." : "", f->key);
		else
			strbuf_addf(out, " `%s%s%s` ", o ? o : "", o ? "." : "", f->key);
		strbuf_addf(out, "| %s | %s | %s |\n", kind_doc(f, type, sizeof(type)), f->meaning,
			    f->source ? f->source : "");
	}
}

static void md_table_head(struct strbuf *out)
{
	strbuf_addf(out, "| Key | Type | Meaning | Source |\n|---|---|---|---|\n");
}

/* The generated part of one section: ring, evt.type names and the key table. */
static int md_section(struct strbuf *out, const char *name, size_t len)
{
	const char *const *evt;
	unsigned int t;
	size_t nfile = 0;

	if (len == 4 && memcmp(name, "file", 4) == 0) {
		const struct cat_field *ff = catalog_file_fields(&nfile);

		md_table_head(out);
		md_rows(out, NULL, ff, nfile);
		return 0;
	}
	for (t = 1; t < BW_EV_MAX; t++)
		if (strlen(event_type_name(t)) == len && memcmp(event_type_name(t), name, len) == 0)
			break;
	if (t == BW_EV_MAX)
		return -EINVAL;
	strbuf_addf(out, "Ring: **%s**. `evt.type`:", catalog_ring(t) == BW_RING_CRITICAL ? "critical" : "common");
	for (evt = catalog_evt_types(t); *evt; evt++)
		strbuf_addf(out, "%s `%s`", evt == catalog_evt_types(t) ? "" : ",", *evt);
	strbuf_addf(out, ". Record: `%s` (%zu bytes before its strings).\n\n", types[t].record, types[t].size);
	md_table_head(out);
	md_rows(out, types[t].obj, types[t].fields, types[t].nfields);
	return 0;
}

int catalog_markdown(struct strbuf *out, const char *doc, size_t len)
{
	static const char open_tag[] = "<!-- catalog:", close_tag[] = "\n<!-- /catalog:";
	const char *p = doc, *end = doc + len;

	while (p < end) {
		const char *m = memmem(p, end - p, open_tag, sizeof(open_tag) - 1), *name, *name_end, *close;
		char closing[96];

		/* a marker starts a line (one quoted in the prose is text) */
		while (m && m != doc && m[-1] != '\n')
			m = memmem(m + 1, end - m - 1, open_tag, sizeof(open_tag) - 1);
		if (!m) {
			strbuf_add(out, p, end - p);
			break;
		}
		name = m + sizeof(open_tag) - 1;
		name_end = memmem(name, end - name, " -->\n", 5);
		if (!name_end || name_end - name > 32)
			return -EINVAL;
		snprintf(closing, sizeof(closing), "%s%.*s -->", close_tag, (int)(name_end - name), name);
		close = memmem(name_end, end - name_end, closing, strlen(closing));
		if (!close)
			return -EINVAL;
		strbuf_add(out, p, name_end + 5 - p);
		if (md_section(out, name, name_end - name))
			return -EINVAL;
		strbuf_add(out, close + 1, strlen(closing) - 1); /* its line, without the newline before it */
		p = close + strlen(closing);
	}
	return 0;
}
