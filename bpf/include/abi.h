/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The one header shared by the BPF programs and the agent.
 *
 * Rules: include nothing, fixed-width __u types with explicit padding, every
 * record starts with struct bw_hdr, every size is locked by _Static_assert.
 * A record is a fixed part (struct bw_<type>) followed by a string area;
 * strings are described by struct bw_str (offset from the start of the record,
 * length without the NUL). Userspace treats every record as untrusted: it checks
 * the header, the fixed size for the type and every string descriptor before
 * it reads a byte (agent/event.c).
 */
#ifndef BULWARK_ABI_H
#define BULWARK_ABI_H

#define BW_ABI_VERSION 1

/*
 * The event catalogue, kernel half: every event type once, with its name and
 * the ring buffer it travels on, and every syscall once, with its name and the
 * event type it reports. enum bw_event_type, enum bw_syscall, the BPF side's
 * ring choice (bw_submit) and the agent's name tables are all generated from
 * these lists; the agent's typed field catalogue (agent/catalog.c) adds the
 * rest. Appending an entry is how a type or a syscall is added (numbers are
 * positions: never reorder).
 *
 * Rings: rare, security-critical events (exec, process lifecycle, cgroup,
 * mount and namespace changes, module and BPF loads, ptrace, setuid) ride
 * rb_critical so that a flood of common ones (opens, chmods, connects,
 * memfds) can never take their room. The open exit alone promotes an open of
 * a procfs/sysfs/cgroup file to the critical ring (bpf/progs/file.bpf.c).
 */
#define BW_RING_COMMON   0
#define BW_RING_CRITICAL 1

/* X(NAME, "name", ring): BW_EV_NAME */
#define BW_EVENT_TYPES(X) \
	X(EXEC,          "exec",          BW_RING_CRITICAL) \
	X(FORK,          "fork",          BW_RING_CRITICAL) \
	X(EXIT,          "exit",          BW_RING_CRITICAL) \
	X(OPEN,          "open",          BW_RING_COMMON)   \
	X(CHMOD,         "chmod",         BW_RING_COMMON)   \
	X(CGROUP_MKDIR,  "cgroup_mkdir",  BW_RING_CRITICAL) \
	X(CGROUP_ATTACH, "cgroup_attach", BW_RING_CRITICAL) \
	/* mount(2) and the new mount API: fsopen, fsconfig, fsmount, move_mount, open_tree */ \
	X(MOUNT,         "mount",         BW_RING_CRITICAL) \
	X(UMOUNT,        "umount",        BW_RING_CRITICAL) \
	X(PIVOT_ROOT,    "pivot_root",    BW_RING_CRITICAL) \
	X(CHROOT,        "chroot",        BW_RING_CRITICAL) \
	X(UNSHARE,       "unshare",       BW_RING_CRITICAL) \
	X(SETNS,         "setns",         BW_RING_CRITICAL) \
	X(CONNECT,       "connect",       BW_RING_COMMON)   \
	X(BIND,          "bind",          BW_RING_COMMON)   \
	X(LISTEN,        "listen",        BW_RING_COMMON)   \
	X(PTRACE,        "ptrace",        BW_RING_CRITICAL) \
	X(MODULE_LOAD,   "module_load",   BW_RING_CRITICAL) \
	X(BPF_LOAD,      "bpf_load",      BW_RING_CRITICAL) \
	X(MEMFD_CREATE,  "memfd_create",  BW_RING_COMMON)   \
	/* setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid, setfsgid */ \
	X(SETUID,        "setuid",        BW_RING_CRITICAL) \
	/* process_vm_readv, process_vm_writev: another process's memory, by pid */ \
	X(PROCESS_VM,    "process_vm",    BW_RING_CRITICAL) \
	/* an open of another process's /proc/<pid>/mem (decided from the procfs inode) */ \
	X(PROC_MEM,      "proc_mem",      BW_RING_CRITICAL) \
	/* anonymous memory made executable: mprotect adding PROT_EXEC, mmap PROT_WRITE|PROT_EXEC */ \
	X(MEM_EXEC,      "mem_exec",      BW_RING_COMMON)   \
	/* socket(2), raw and packet sockets only */ \
	X(SOCKET,        "socket",        BW_RING_COMMON)   \
	/* execve/execveat that failed (other than ENOENT/ENOTDIR): its own type, so exec rules and the process tree never see an image that did not start */ \
	X(EXEC_FAILED,   "exec_failed",   BW_RING_COMMON) \
	/* link, linkat: a new hard link (struct bw_pathop) */ \
	X(LINK,          "link",          BW_RING_COMMON)   \
	/* symlink, symlinkat */ \
	X(SYMLINK,       "symlink",       BW_RING_COMMON)   \
	/* rename, renameat, renameat2 */ \
	X(RENAME,        "rename",        BW_RING_COMMON)   \
	/* unlink, unlinkat (rmdir with AT_REMOVEDIR) */ \
	X(UNLINK,        "unlink",        BW_RING_COMMON)   \
	/* mkdir, mkdirat */ \
	X(MKDIR,         "mkdir",         BW_RING_COMMON)   \
	/* dup, dup2, dup3 of a socket (any other file is not reported): a shell's stdio onto a connection */ \
	X(DUP,           "dup",           BW_RING_COMMON)   \
	/* userfaultfd(2): page faults handled by a process, an exploitation primitive (rare: critical ring) */ \
	X(USERFAULTFD,   "userfaultfd",   BW_RING_CRITICAL)   \
	/* a file mapped executable (mmap PROT_EXEC of a file: a shared library), once per (mount namespace, file) */ \
	X(FILE_MAP,      "file_map",      BW_RING_COMMON)

/* Event types; also the index of the enabled-type map and the drop counters. */
#define BW_X_EV_ENUM(name, str, ring) BW_EV_##name,
enum bw_event_type {
	BW_EV_NONE = 0,
	BW_EVENT_TYPES(BW_X_EV_ENUM)
	BW_EV_MAX,
};
#undef BW_X_EV_ENUM

/* Bit t set: type t rides the critical ring (a mask, so the choice is one shift in BPF). */
#define BW_X_EV_RING(name, str, ring) | ((unsigned long long)(ring) << BW_EV_##name)
#define BW_CRITICAL_TYPES (0ULL BW_EVENT_TYPES(BW_X_EV_RING))

/* X(NAME, "name", TYPE): BW_SYS_NAME, the syscall behind an event of BW_EV_TYPE */
#define BW_SYSCALLS(X) \
	X(EXECVE, "execve", EXEC) X(EXECVEAT, "execveat", EXEC) \
	X(OPEN, "open", OPEN) X(OPENAT, "openat", OPEN) X(OPENAT2, "openat2", OPEN) X(CREAT, "creat", OPEN) \
	X(CHMOD, "chmod", CHMOD) X(FCHMOD, "fchmod", CHMOD) X(FCHMODAT, "fchmodat", CHMOD) \
	X(FCHMODAT2, "fchmodat2", CHMOD) \
	X(MOUNT, "mount", MOUNT) X(UMOUNT2, "umount2", UMOUNT) X(FSOPEN, "fsopen", MOUNT) \
	X(FSCONFIG, "fsconfig", MOUNT) X(FSMOUNT, "fsmount", MOUNT) X(MOVE_MOUNT, "move_mount", MOUNT) \
	X(OPEN_TREE, "open_tree", MOUNT) \
	X(PIVOT_ROOT, "pivot_root", PIVOT_ROOT) X(CHROOT, "chroot", CHROOT) X(UNSHARE, "unshare", UNSHARE) \
	X(SETNS, "setns", SETNS) \
	X(CONNECT, "connect", CONNECT) X(BIND, "bind", BIND) X(LISTEN, "listen", LISTEN) \
	X(PTRACE, "ptrace", PTRACE) X(INIT_MODULE, "init_module", MODULE_LOAD) \
	X(FINIT_MODULE, "finit_module", MODULE_LOAD) X(BPF, "bpf", BPF_LOAD) \
	X(MEMFD_CREATE, "memfd_create", MEMFD_CREATE) \
	X(SETUID, "setuid", SETUID) X(SETGID, "setgid", SETUID) X(SETREUID, "setreuid", SETUID) \
	X(SETREGID, "setregid", SETUID) X(SETRESUID, "setresuid", SETUID) X(SETRESGID, "setresgid", SETUID) \
	X(SETFSUID, "setfsuid", SETUID) X(SETFSGID, "setfsgid", SETUID) \
	X(PROCESS_VM_READV, "process_vm_readv", PROCESS_VM) X(PROCESS_VM_WRITEV, "process_vm_writev", PROCESS_VM) \
	X(MPROTECT, "mprotect", MEM_EXEC) X(MMAP, "mmap", MEM_EXEC) X(SOCKET, "socket", SOCKET) \
	/* the "shocker" door: a file opened by handle, no path at all */ \
	X(OPEN_BY_HANDLE_AT, "open_by_handle_at", OPEN) \
	X(LINK, "link", LINK) X(LINKAT, "linkat", LINK) X(SYMLINK, "symlink", SYMLINK) \
	X(SYMLINKAT, "symlinkat", SYMLINK) X(RENAME, "rename", RENAME) X(RENAMEAT, "renameat", RENAME) \
	X(RENAMEAT2, "renameat2", RENAME) X(UNLINK, "unlink", UNLINK) X(UNLINKAT, "unlinkat", UNLINK) \
	X(MKDIR, "mkdir", MKDIR) X(MKDIRAT, "mkdirat", MKDIR) \
	X(DUP, "dup", DUP) X(DUP2, "dup2", DUP) X(DUP3, "dup3", DUP) \
	X(USERFAULTFD, "userfaultfd", USERFAULTFD)

/* The syscall behind an event (architecture-neutral numbering, not __NR_*). */
#define BW_X_SYS_ENUM(name, str, type) BW_SYS_##name,
enum bw_syscall {
	BW_SYS_NONE = 0,
	BW_SYSCALLS(BW_X_SYS_ENUM)
	BW_SYS_MAX,
};
#undef BW_X_SYS_ENUM

/* Bounds of captured data (documented in docs/events.md). */
#define BW_UPATH_MAX   512   /* a path or string the caller passed, captured at syscall entry */
#define BW_USHORT_MAX  64    /* short caller strings: fs type, fsconfig key, memfd name */
#define BW_PATH_MAX    4096  /* a path resolved from kernel objects (dentry walk) */
#define BW_PATH_DEPTH  48    /* dentry components walked before the path is marked truncated */
#define BW_ARGS_MAX    4096  /* exec argv bytes, NUL-separated */
#define BW_TTY_MAX     64
#define BW_ENV_MAX     4096  /* exec environment bytes, NUL-separated (less when the record is full) */
#define BW_RECORD_MAX  16384 /* no record is larger; the decoder rejects larger ones */

/* Common header of every record. */
struct bw_hdr {
	__u16 type;    /* enum bw_event_type */
	__u16 version; /* BW_ABI_VERSION */
	__u32 size;    /* bytes in the whole record, string area included */
	__u64 ktime;   /* CLOCK_BOOTTIME ns when the event was emitted */
};

/* A string in the record's string area; len 0 means absent or empty. */
struct bw_str {
	__u16 off; /* from the start of the record */
	__u16 len; /* without the terminating NUL (the NUL is present in the record) */
};

/* The process an event belongs to: identified by (pid, start_time), never pid alone. */
struct bw_proc {
	__u32 pid;   /* thread-group id */
	__u32 tid;   /* thread id */
	__u32 ppid;  /* real parent's thread-group id */
	__u32 uid;
	__u32 euid;
	__u32 gid;
	__u32 egid;
	__u32 _pad0;
	__u64 start_time;        /* task start, ns since boot (matches /proc/<pid>/stat field 22 in ns) */
	__u64 parent_start_time; /* the real parent's start_time */
	__u64 cgroup_id;         /* cgroup v2 id of the task's default-hierarchy cgroup */
	__u32 mnt_ns;            /* namespace inode numbers, as in /proc/<pid>/ns/ links */
	__u32 pid_ns;
	__u32 net_ns;
	__u32 user_ns;
	char comm[16];
};

/* Record flags (struct bw_event.flags). */
#define BW_F_TRUNC_STR   (1u << 0) /* a caller string was longer than its bound */
#define BW_F_TRUNC_PATH  (1u << 1) /* a resolved path was deeper or longer than its bound */
#define BW_F_TRUNC_ARGS  (1u << 2) /* exec argv longer than BW_ARGS_MAX */
/*
 * open: the file has several hard links and was reached by a name that is not
 * watched, while another of its names is (a read-only prefix, or an inode the
 * agent watches): file.path is that watched name, upath how the caller got there.
 */
#define BW_F_FILE_ALIAS  (1u << 3)
/*
 * setns: the namespace joined is one of the kernel's initial namespaces (those
 * of init_task, the host's), decided in the kernel: the host's ids need not be
 * readable in /proc/1/ns (a sandboxed init, an agent without the host's pids).
 */
#define BW_F_NS_INITIAL  (1u << 4)
/*
 * A blocking rule (action: block) stopped the operation in enforce mode: the
 * LSM or fmod_ret hook refused it (res is -EPERM), or on the tracepoint tier
 * the process was sent SIGKILL as the open returned (res is the fd it never used).
 */
#define BW_F_BLOCKED     (1u << 5)

/* Prefix of every record. */
struct bw_event {
	struct bw_hdr hdr;
	struct bw_proc proc;
	__s64 res;     /* syscall return value (>=0 success, -errno failure); 0 for non-syscall events */
	__u16 syscall; /* enum bw_syscall */
	__u16 via;     /* enum bw_via: the door the operation came through */
	__u32 flags;   /* BW_F_* */
};

/*
 * The door an operation came through (struct bw_event.via): its syscall, or
 * an io_uring request with the same meaning (an IORING_OP_OPENAT is reported
 * as an openat, IORING_OP_CONNECT as a connect).
 */
enum bw_via {
	BW_VIA_SYSCALL = 0,
	BW_VIA_IO_URING = 1,
	BW_VIA_KERNEL = 2, /* seen only at the LSM layer: no syscall or io_uring hook reported it */
};

/*
 * The hook tier the agent runs (struct bw_config.tier), chosen by a probe at
 * start: BPF LSM where the kernel's active LSM list has bpf and an lsm program
 * loads; else fentry/fmod_ret on the security_* functions where a trampoline
 * program loads and attaches; else the syscall and io_uring tracepoints alone.
 */
enum bw_tier {
	BW_TIER_TRACEPOINTS = 0, /* enforcement by SIGKILL as the open returns */
	BW_TIER_FENTRY = 1,      /* fmod_ret/security_file_open refuses with -EPERM */
	BW_TIER_LSM = 2,         /* lsm/file_open refuses with -EPERM */
};

/* Where a file lives on an overlay filesystem. */
enum bw_layer {
	BW_LAYER_NONE = 0,  /* not on overlayfs */
	BW_LAYER_UPPER = 1, /* has an upper (container-writable) dentry: written or created in the container */
	BW_LAYER_LOWER = 2, /* only in a lower (image) layer */
};

/* Exec flags (struct bw_exec.exec_flags). */
#define BW_EXEC_UPPER  (1u << 0) /* executable is on an overlayfs upper layer */
#define BW_EXEC_LOWER  (1u << 1) /* executable is on an overlayfs lower layer */
#define BW_EXEC_MEMFD  (1u << 2) /* executable is a memfd (fileless execution) */
#define BW_EXEC_UMH    (1u << 3) /* started by the kernel's usermode helper (parent is a kernel thread) */
#define BW_EXEC_SCRIPT (1u << 4) /* the file exec'd was a #! script (or binfmt_misc input) and its file was found: script_* */
#define BW_EXEC_WRITABLE (1u << 5) /* the executable is writable by the process (Falco's EXE_WRITABLE): see bw_exe_writable */

/* What a standard descriptor of a new image is (struct bw_stdfd.type). */
enum bw_fd_kind {
	BW_FD_NONE = 0,   /* not open */
	BW_FD_FILE = 1,   /* regular file or directory */
	BW_FD_PIPE = 2,   /* pipe or FIFO */
	BW_FD_SOCKET = 3, /* socket: family, and for inet/inet6 the peer */
	BW_FD_TTY = 4,    /* terminal (tty, pts, console) */
	BW_FD_CHAR = 5,   /* another character device (/dev/null, ...) */
	BW_FD_OTHER = 6,  /* anything else (anonymous inodes, block devices) */
};

struct bw_stdfd {
	__u8 type;     /* enum bw_fd_kind */
	__u8 _pad0;
	__u16 family;  /* sockets: AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 port;    /* inet/inet6: the peer's port, host byte order (0: not connected) */
	__u16 _pad1;
	__u8 addr[16]; /* inet: peer IPv4 in the first 4 bytes; inet6: peer IPv6 */
};

struct bw_exec {
	struct bw_event ev;
	__u64 cap_effective;
	__u64 exe_ino;
	__u32 exe_dev;     /* kernel dev_t of the exe's superblock (MAJOR << 20 | MINOR) */
	__u32 exe_fs_magic;
	__u32 exec_flags;  /* BW_EXEC_* */
	__u32 argc;
	__u32 loginuid;    /* audit login uid (4294967295 when unset) */
	__u32 _pad0;
	struct bw_str filename; /* as passed to execve (bprm->filename) */
	struct bw_str exe;      /* resolved from the opened executable */
	struct bw_str args;     /* argv, NUL-separated */
	struct bw_str cgroup;   /* cgroup path (v2 default hierarchy, or the first v1 hierarchy where it is not "/") */
	struct bw_str tty;      /* controlling tty name, e.g. pts0 */
	struct bw_str exe_fs;   /* filesystem type name of the exe */
	struct bw_stdfd std[3]; /* what fds 0, 1, 2 are in the new image */
	__u64 script_ino;       /* a #! script (exec_flags BW_EXEC_SCRIPT): its inode */
	__u32 script_dev;       /* its superblock's dev_t */
	__u32 script_layer;     /* enum bw_layer of the script */
	struct bw_str script;   /* its file name (the dentry's; exec.filename is the path as given) */
	__u32 _pad1;
	__u64 cap_permitted;    /* permitted capability set of the new image */
	__u32 sid;              /* session id: the session leader's pid (host pid namespace) */
	__u32 pgid;             /* process group id (host pid namespace) */
	struct bw_str cwd;      /* working directory at exec, resolved (Falco's proc.cwd) */
	struct bw_str env;      /* environment of the new image, NUL-separated, at most BW_ENV_MAX bytes */
	__u32 vpid;             /* the pid in the process's own pid namespace (1: a container's first process) */
	__u32 _pad2;
};

/* A failed execve/execveat: the caller is unchanged; only what it passed is known. */
struct bw_exec_failed {
	struct bw_event ev;     /* res: -errno; ev.syscall is BW_SYS_NONE (evt.type is exec_failed, never execve) */
	__u32 call;             /* enum bw_syscall: BW_SYS_EXECVE or BW_SYS_EXECVEAT */
	__s32 dirfd;            /* execveat: dirfd (AT_FDCWD -100); execve: -100 */
	__u32 at_flags;         /* execveat flags (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW) */
	struct bw_str filename; /* the path as passed */
	struct bw_str cwd;      /* the caller's working directory, resolved (a relative filename is relative to it) */
	__u32 _pad0;
};

struct bw_fork {
	struct bw_event ev; /* proc is the child; ppid/parent_start_time name the parent */
	__u32 parent_tid;
	__u32 _pad0;
};

struct bw_exit {
	struct bw_event ev;
	__u32 exit_code; /* wait status the parent reaps: the group exit code, else the leader's task->exit_code */
	__u32 _pad0;
};

/* A file resolved from a struct file (open results, fchmod targets, setns fds, finit_module). */
struct bw_file {
	__u64 ino;
	__u32 dev;
	__u32 fs_magic;   /* superblock magic: CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, PROC_SUPER_MAGIC, ... */
	__u32 layer;      /* enum bw_layer */
	__u32 mode;       /* inode mode */
	struct bw_str path; /* full path from the dentry/mount chain (in the opener's mount namespace) */
	struct bw_str name; /* the dentry's own name */
	struct bw_str fs;   /* filesystem type name: cgroup, cgroup2, proc, sysfs, overlay, tmpfs, ext4, ... */
	__u32 _pad0;
};

struct bw_open {
	struct bw_event ev;
	__u32 open_flags;
	__u32 open_mode;
	__s32 dirfd;
	__u32 _pad0;
	struct bw_str upath; /* the path as the caller passed it */
	__u32 _pad1;
	struct bw_file file; /* filled when res >= 0 */
};

struct bw_chmod {
	struct bw_event ev;
	__u32 mode;     /* requested mode */
	__s32 dirfd;    /* fd for fchmod, dirfd for fchmodat */
	struct bw_str upath; /* path passed (chmod/fchmodat) */
	__u32 _pad1;
	struct bw_file file; /* for fchmod: the file behind the fd */
};

struct bw_cgroup {
	struct bw_event ev;
	__u64 cgroup_id;    /* kernfs id of the cgroup */
	__u32 hierarchy_id; /* cgroup_root.hierarchy_id (0 is cgroup2) */
	__u32 target_pid;   /* cgroup_attach: the task moved */
	__u32 subsys_mask;  /* controllers bound to the hierarchy */
	__u32 threadgroup;  /* cgroup_attach: whole thread group moved */
	struct bw_str path;      /* cgroup path within its hierarchy */
	struct bw_str hierarchy; /* named hierarchy (name=...) or empty */
};

struct bw_mount {
	struct bw_event ev;
	__u64 flags;     /* mount flags / umount flags / fsmount attr / move_mount flags ... */
	__s32 fd;        /* fsconfig/fsmount fs fd, move_mount from_dfd, open_tree dfd */
	__u32 cmd;       /* fsconfig cmd */
	struct bw_str source; /* mount source / move_mount from / open_tree path / fsconfig value / pivot_root new_root */
	struct bw_str target; /* mount target / umount target / move_mount to / pivot_root put_old / chroot path */
	struct bw_str fs;     /* fs type (mount, fsopen) or fsconfig key */
	__u32 _pad1;
};

struct bw_ns {
	struct bw_event ev;
	__u64 flags;  /* unshare: CLONE_* flags; setns: nstype */
	__s32 fd;     /* setns fd */
	__u32 ns_inum; /* setns: inode number of the namespace joined (nsfs fds) */
	struct bw_str ns_type; /* setns: mnt, net, pid, user, uts, ipc, cgroup, time (nsfs), empty for pidfds */
	struct bw_str fd_fs;   /* setns: filesystem of the fd (nsfs, pidfs, anon_inodefs) */
};

struct bw_net {
	struct bw_event ev;
	__u16 family;  /* AF_INET, AF_INET6, AF_UNIX */
	__u16 port;    /* host byte order */
	__s32 fd;
	__u8 addr[16]; /* IPv4 in the first 4 bytes, or IPv6 */
	__u32 backlog; /* listen */
	struct bw_str path; /* AF_UNIX path ('@' first for abstract names) */
	struct bw_str peer; /* connect, AF_UNIX: the path the listener bound (the socket reached, any name used) */
	__u16 sotype;   /* the socket's type (SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3, ...); 0: not read */
	__u16 protocol; /* its sk_protocol (IPPROTO_TCP 6, IPPROTO_UDP 17, ...) */
};

struct bw_ptrace {
	struct bw_event ev;
	__u64 request;
	__u32 target_pid;
	__u32 _pad0;
};

struct bw_module {
	struct bw_event ev;
	__u32 mod_flags; /* finit_module flags */
	__s32 fd;
	struct bw_str uargs; /* module parameters */
	__u32 _pad1;
	struct bw_file file; /* finit_module: the module file */
};

struct bw_bpf {
	struct bw_event ev;
	__u32 cmd;
	__u32 prog_type;
	__u32 insn_cnt;
	__u32 _pad0;
	struct bw_str prog_name;
	__u32 _pad1;
};

struct bw_memfd {
	struct bw_event ev;
	__u32 mfd_flags;
	__u32 _pad0;
	struct bw_str name;
	__u32 _pad1;
};

struct bw_setid {
	struct bw_event ev;
	__u32 id[3]; /* the ids passed (r, e, s as the syscall takes them; unused are 0xffffffff) */
	__u32 _pad0;
};

struct bw_process_vm {
	struct bw_event ev;
	__u32 target_pid; /* the pid argument (caller's pid namespace) */
	__u32 liovcnt;
	__u32 riovcnt;
	__u32 _pad0;
};

/* Access bits of struct bw_proc_mem.access (the file's f_mode read/write bits). */
#define BW_MEM_READ  (1u << 0)
#define BW_MEM_WRITE (1u << 1)

struct bw_proc_mem {
	struct bw_event ev;       /* res is the fd the open returned */
	__u64 target_start_time;  /* start_time of the process whose memory the file is */
	__u32 target_pid;         /* its thread-group id (initial pid namespace) */
	__u32 access;             /* BW_MEM_* */
};

struct bw_mem_exec {
	struct bw_event ev;
	__u64 addr;
	__u64 len;
	__u32 prot;      /* the protection asked for (PROT_*) */
	__u32 flags;     /* mmap: MAP_* flags; mprotect: 0 */
	__u32 prev_prot; /* mprotect: the mapping's PROT_* before the call (from vm_flags); mmap: 0 */
	__u32 _pad0;
};

struct bw_socket {
	struct bw_event ev;  /* res is the new fd */
	__u32 domain;        /* AF_* */
	__u32 type;          /* SOCK_* with SOCK_NONBLOCK/SOCK_CLOEXEC bits */
	__u32 protocol;
	__u32 _pad0;
};

/*
 * A path operation: link/linkat, symlink/symlinkat, rename/renameat/renameat2,
 * unlink/unlinkat, mkdir/mkdirat. The caller's strings are read at entry; at
 * exit the directory each relative string starts from (its dirfd's file, or
 * the working directory) is resolved from kernel objects, so that the agent
 * names the file the kernel reached, not the string (`../etc/shadow` from /tmp).
 */
struct bw_pathop {
	struct bw_event ev;
	__s32 olddirfd;  /* linkat, renameat*: olddirfd; unlinkat, mkdirat: dirfd; -100 (AT_FDCWD) otherwise */
	__s32 newdirfd;  /* linkat, renameat*: newdirfd; symlinkat: newdirfd; -100 otherwise */
	__u32 at_flags;  /* linkat (AT_SYMLINK_FOLLOW, AT_EMPTY_PATH), renameat2 (RENAME_*), unlinkat (AT_REMOVEDIR) */
	__u32 mode;      /* mkdir, mkdirat: the mode argument */
	struct bw_str oldpath; /* link, rename: oldpath; symlink: target (the link's content); unlink, mkdir: the path */
	struct bw_str newpath; /* link, rename: newpath; symlink: linkpath */
	struct bw_str olddir;  /* the directory oldpath starts from (relative oldpath only; for symlink: none) */
	struct bw_str newdir;  /* the directory newpath starts from (relative newpath only) */
};

/*
 * dup/dup2/dup3 onto a socket: the socket as a connect record describes it
 * (net.fd is the old fd, ev.res the new one), its peer in addr/port.
 */
struct bw_dup {
	struct bw_net net;
	__u32 dup_flags; /* dup3's flags (O_CLOEXEC); 0 for dup and dup2 */
	__u32 _pad0;
};

struct bw_userfaultfd {
	struct bw_event ev; /* res is the new fd */
	__u32 uffd_flags;   /* the flags argument: O_CLOEXEC, O_NONBLOCK, UFFD_USER_MODE_ONLY (1) */
	__u32 _pad0;
};

/*
 * A file mapped executable: ld.so mapping a library's text, dlopen, a JIT's
 * file-backed code. Reported once per (mount namespace, file) — the
 * file_map_seen map de-duplicates in the kernel — so a library loaded 10,000
 * times costs one record; the in-use evidence needs no more.
 */
struct bw_file_map {
	struct bw_event ev;  /* res 0: seen at syscall entry (the fd is valid there); ev.syscall BW_SYS_NONE */
	__u32 prot;          /* the protection asked for (PROT_EXEC set) */
	__u32 flags;         /* MAP_* flags */
	struct bw_file file; /* the file behind the fd */
};

/*
 * Key of file_map_seen: a file in a mount namespace (a container has its own).
 * The namespace by its 64-bit id, never reused (ns_common.ns_id, or
 * mnt_namespace.seq before 6.18), not by its inode number: the kernel hands a
 * freed namespace's inode number to the next one at once, and the next
 * container's libraries would then pass for already seen.
 */
struct bw_file_map_key {
	__u64 ino;
	__u64 mnt_ns_id;
	__u32 dev;
	__u32 _pad0;
};

/* Kernel-side counters (per-CPU array "counters"), read by the agent. */
enum bw_counter {
	BW_CNT_DROP_COMMON = 0,  /* records lost: common ring buffer full */
	BW_CNT_DROP_CRITICAL,    /* records lost: critical ring buffer full */
	BW_CNT_DROP_PENDING,     /* syscall entries not tracked: pending map full */
	BW_CNT_FILTER_TYPE,      /* events skipped: type not enabled */
	BW_CNT_FILTER_SELF,      /* events skipped: agent's own processes */
	BW_CNT_FILTER_READONLY,  /* read-only opens skipped (no prefix asked for them) */
	BW_CNT_EMITTED,          /* records submitted */
	BW_CNT_BLOCKED,          /* operations a blocking rule stopped (enforce mode) */
	BW_CNT_MAX,
};

/* Per-event-type drop counters live in "drops"; categories above in "counters". */

/* Agent settings pushed into the "config" array map (key 0). */
struct bw_config {
	__u32 agent_tgid;  /* events of this thread group (the agent itself) are not emitted */
	__u32 ro_prefixes; /* number of read-only open prefixes loaded in the ro_prefixes map */
	__u32 ro_gen;      /* generation of the prefixes: a cached read-only verdict of another one is stale */
	__u32 exec_opts;   /* BW_EXEC_OPT_*: what exec records carry beyond the always-read facts */
	__u32 enforce;     /* 1: blocking rules stop what they match (enforce mode); 0: monitor, alerts only */
	__u32 tier;        /* enum bw_tier: which hook decides (LSM/fmod_ret refuse, tracepoints kill) */
	__u32 host_mnt_ns;    /* the host's namespaces (pid 1's): a task in another mount namespace */
	__u32 host_cgroup_ns; /* and in another pid or cgroup namespace is in a container */
	__u32 block_facts; /* entries in block_facts (0: nothing to block, the hooks return at once) */
	__u32 _pad0;
};

/*
 * Key of block_facts: what a blocking rule compiles to. A write-open (FMODE_WRITE)
 * by a task in a container is stopped when the opened file's superblock has
 * fs_magic and its dentry is named name, with (depth >= 2) a parent named
 * parent and (depth 3) a grandparent named gparent ("/" is a filesystem's
 * root): release_agent on cgroup v1 is depth 1, core_pattern on procfs is
 * core_pattern/kernel/sys, depth 3. Names are NUL-padded and shorter than
 * BW_BLOCK_NAME - 1 bytes (a longer dentry name, read truncated, never equals one).
 */
#define BW_BLOCK_NAME 32
#define BW_BLOCK_FACTS_MAX 64
struct bw_block_key {
	__u32 fs_magic;
	__u32 depth; /* 1..3: name, then parent, then gparent compared */
	char name[BW_BLOCK_NAME];
	char parent[BW_BLOCK_NAME];
	char gparent[BW_BLOCK_NAME];
};

/* bw_config.exec_opts: read only while a loaded rule uses the field (or bulwark trace runs) */
#define BW_EXEC_OPT_ENV (1u << 0) /* the environment (proc.env): secrets, and up to 4 KiB a record */
#define BW_EXEC_OPT_CWD (1u << 1) /* the working directory (proc.cwd): a second dentry walk */

/* Key of the read-only open prefix LPM trie. */
#define BW_PREFIX_MAX 64
struct bw_prefix_key {
	__u32 prefixlen; /* in bits */
	__u8 data[BW_PREFIX_MAX];
};

/*
 * Key of the ro_dirs hash: a directory path ending with '/', zero-padded, in
 * which some prefix ends (the prefix's bytes up to its last '/', when more
 * bytes follow): files directly in it are decided one by one.
 */
struct bw_ro_dir {
	__u8 data[BW_PREFIX_MAX];
};

/*
 * Key of the ro_inodes hash (value: struct bw_ro_dir, the watched path): the
 * files of the rules' read-only paths by inode, filled by the agent at load
 * and reload, so that a hard link to one of them is known whatever its name.
 */
struct bw_ro_inode {
	__u64 ino;
	__u32 dev; /* kernel dev_t (MAJOR << 20 | MINOR) */
	__u32 _pad0;
};

/* Key and value of the per-directory read-only verdict cache (ro_dircache). */
struct bw_ro_dir_key {
	__u64 mnt;    /* struct vfsmount * the directory is reached through */
	__u64 dentry; /* the directory */
};
struct bw_ro_dir_val {
	__u64 parent;   /* the directory's d_parent when decided */
	__u64 hash_len; /* and its d_name.hash_len */
	/*
	 * Where the mount sat when decided (mnt_parent, mnt_mountpoint): a path runs up
	 * the mount tree, so the same directory of a mount moved by pivot_root or
	 * move_mount has another path (a container's rootfs before and after runc's
	 * pivot_root: /var/lib/docker/.../merged/etc/, then /etc/).
	 */
	__u64 mnt_parent, mnt_point;
	__u32 verdict;  /* BW_RO_* */
	__u32 gen;      /* bw_config.ro_gen when decided */
};
#define BW_RO_NONE 1 /* no file in it is under a prefix */
#define BW_RO_ALL  2 /* every file in it is */
#define BW_RO_SOME 3 /* a prefix ends in it: each file's own path decides */

_Static_assert(BW_EV_MAX <= 64, "BW_CRITICAL_TYPES is a 64-bit mask");
_Static_assert(BW_EV_SETUID == 21 && BW_EV_SOCKET == 25 && BW_EV_EXEC_FAILED == 26 && BW_SYS_SETFSGID == 37 && BW_SYS_OPEN_BY_HANDLE_AT == 43,
	       "event and syscall numbers are ABI: append, never reorder");
_Static_assert(sizeof(struct bw_hdr) == 16, "bw_hdr");
_Static_assert(sizeof(struct bw_str) == 4, "bw_str");
_Static_assert(sizeof(struct bw_proc) == 88, "bw_proc");
_Static_assert(sizeof(struct bw_event) == 120, "bw_event");
_Static_assert(sizeof(struct bw_stdfd) == 24, "bw_stdfd");
_Static_assert(sizeof(struct bw_exec) == 312, "bw_exec");
_Static_assert(sizeof(struct bw_exec_failed) == 144, "bw_exec_failed");
_Static_assert(sizeof(struct bw_fork) == 128, "bw_fork");
_Static_assert(sizeof(struct bw_exit) == 128, "bw_exit");
_Static_assert(sizeof(struct bw_file) == 40, "bw_file");
_Static_assert(sizeof(struct bw_open) == 184, "bw_open");
_Static_assert(sizeof(struct bw_chmod) == 176, "bw_chmod");
_Static_assert(sizeof(struct bw_cgroup) == 152, "bw_cgroup");
_Static_assert(sizeof(struct bw_mount) == 152, "bw_mount");
_Static_assert(sizeof(struct bw_ns) == 144, "bw_ns");
_Static_assert(sizeof(struct bw_net) == 160, "bw_net");
_Static_assert(sizeof(struct bw_ptrace) == 136, "bw_ptrace");
_Static_assert(sizeof(struct bw_module) == 176, "bw_module");
_Static_assert(sizeof(struct bw_bpf) == 144, "bw_bpf");
_Static_assert(sizeof(struct bw_memfd) == 136, "bw_memfd");
_Static_assert(sizeof(struct bw_setid) == 136, "bw_setid");
_Static_assert(sizeof(struct bw_process_vm) == 136, "bw_process_vm");
_Static_assert(sizeof(struct bw_proc_mem) == 136, "bw_proc_mem");
_Static_assert(sizeof(struct bw_mem_exec) == 152, "bw_mem_exec");
_Static_assert(sizeof(struct bw_socket) == 136, "bw_socket");
_Static_assert(sizeof(struct bw_pathop) == 152, "bw_pathop");
_Static_assert(sizeof(struct bw_ro_inode) == 16, "bw_ro_inode");
_Static_assert(sizeof(struct bw_dup) == 168, "bw_dup");
_Static_assert(sizeof(struct bw_userfaultfd) == 128, "bw_userfaultfd");
_Static_assert(sizeof(struct bw_file_map) == 168 && sizeof(struct bw_file_map_key) == 24, "bw_file_map");
_Static_assert(sizeof(struct bw_config) == 40, "bw_config");
_Static_assert(sizeof(struct bw_block_key) == 104, "bw_block_key");
_Static_assert(sizeof(struct bw_ro_dir) == 64 && sizeof(struct bw_ro_dir_key) == 16 && sizeof(struct bw_ro_dir_val) == 40,
	       "read-only directory maps");

#endif
