/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Every map of the sensor. The program files are linked into one object
 * (bpftool gen object); each includes this header, so maps are __weak and the
 * linker keeps one instance of each.
 */
#ifndef BULWARK_MAPS_BPF_H
#define BULWARK_MAPS_BPF_H

#include "lib/common.bpf.h"

#define BW_PENDING_ENTRIES 4096

/* Opens, connects, forks, exits: the high-volume events. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} rb_common SEC(".maps") __weak;

/*
 * Exec, cgroup/procfs/sysfs writes, mounts, namespaces, module and BPF loads,
 * ptrace, setuid: rare and security-critical, so a flood of opens in rb_common
 * can never take their room.
 */
#define BW_RB_CRITICAL_SIZE (4 << 20)
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BW_RB_CRITICAL_SIZE);
} rb_critical SEC(".maps") __weak;

/* Per-CPU record under construction: fixed part + string area, twice the record bound for verifier-friendly offsets. */
struct bw_scratch {
	__u8 buf[BW_RECORD_MAX * 2];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_scratch);
} scratch SEC(".maps") __weak;

/*
 * Per-CPU buffer where a path is assembled backwards from its dentries. The
 * write position lives here, not on the stack: the verifier then sees an
 * unknown (masked) scalar on every iteration and can prune the walk's states
 * instead of exploring every combination of branches.
 */
/* A dentry's parent and name (d_parent, then d_name): bpf/lib/path.bpf.h reads both at once. */
struct bw_dentry_link {
	struct dentry *parent;
	struct qstr name;
};

/* A mount's parent, the dentry it is mounted on, and its own root (mnt_parent, mnt_mountpoint, mnt.mnt_root). */
struct bw_mount_link {
	struct mount *parent;
	struct dentry *mountpoint;
	struct dentry *root;
};

struct bw_pathbuf {
	__u32 pos;
	__u32 _pad0;
	struct bw_mount_link ml; /* the links read on the walk (off the stack) */
	struct bw_dentry_link dl;
	char buf[BW_PATH_MAX * 2];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_pathbuf);
} pathbuf SEC(".maps") __weak;

/*
 * Per-CPU windows for the read-only open filter: the first bytes of the
 * struct file and of its inode, each fetched with one read, and its trie key
 * (the BPF stack cannot hold them beside the record being built and the
 * hard-link check's path walks).
 */
struct bw_winbuf {
	char file[128];
	char inode[128];
	struct bw_prefix_key key; /* the trie key being built */
	/* a read-only open handed to open_alias_tail (bpf/progs/file.bpf.c): the file, syscall, result */
	__u64 alias_file;
	__s64 alias_ret;
	__u32 alias_syscall;
	__u32 _pad0;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_winbuf);
} winbuf SEC(".maps") __weak;

/*
 * The hard-link check of read-only opens, one program (open_alias_tail) that
 * the open exits tail-call: its path walk is verified once, not once per
 * exit program. Filled by the agent after load (slot 0).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} open_alias_prog SEC(".maps") __weak;

/* What a syscall's entry saw (arguments and caller strings), kept until its exit; keyed by thread id. */
struct bw_pending {
	__u64 args[6];
	__u16 syscall;
	__u16 type;
	__u32 flags;     /* BW_F_* noted at entry */
	__u32 deferred;  /* bit i: slot i could not be read at entry (page not present); read again at exit */
	__u64 extra[4];  /* facts resolved at entry (setns ns inum, listen socket, ...) */
	__u64 uptr[3];   /* caller pointers of the deferred slots s0, s1, s2 */
	char s0[BW_UPATH_MAX];
	char s1[BW_UPATH_MAX];
	char s2[BW_USHORT_MAX];
};
/* LRU so that an entry whose exit never fires cannot leak a slot forever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BW_PENDING_ENTRIES);
	__type(key, __u32);
	__type(value, struct bw_pending);
} pending SEC(".maps") __weak;

/*
 * What an io_uring request's submission saw (its opcode's arguments), kept
 * until its completion; keyed by the request (struct io_kiocb *). LRU: a
 * request cancelled without a completion cannot leak a slot forever.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct bw_pending);
} uring_pending SEC(".maps") __weak;

/* Per-CPU staging area for a pending entry (too large for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_pending);
} pending_stage SEC(".maps") __weak;

/* Event types the agent asked for (1 = emit), indexed by enum bw_event_type. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BW_EV_MAX);
	__type(key, __u32);
	__type(value, __u32);
} enabled_types SEC(".maps") __weak;

/* Agent settings (key 0). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_config);
} bw_config_map SEC(".maps") __weak;

/* Path prefixes whose read-only opens are reported (longest-prefix match on the caller's path). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_prefix_key);
	__type(value, __u32);
} ro_prefixes SEC(".maps") __weak;

/* Directories in which a read-only prefix ends (struct bw_ro_dir; the agent keeps it with ro_prefixes). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_ro_dir);
	__type(value, __u32);
} ro_dirs SEC(".maps") __weak;

/*
 * Watched files by inode (struct bw_ro_inode → struct bw_ro_dir, the watched
 * path): a read-only open of a file with several links is kept when its
 * inode is one of them, whatever name reached it (a hard link to /etc/shadow).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bw_ro_inode);
	__type(value, struct bw_ro_dir);
} ro_inodes SEC(".maps") __weak;

/*
 * The read-only verdict of a directory as reached through a mount: every
 * file in it is watched, none is, or each is decided by its own path.
 * Read-only opens come in bursts from few directories, so the dentry walk
 * and the trie are paid once per directory, not once per open. An entry
 * holds the directory's parent and name hash when it was decided, and is
 * used only while they are the same (a renamed or reused dentry is decided
 * again), and while its prefix generation is current (bw_config.ro_gen).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct bw_ro_dir_key);
	__type(value, struct bw_ro_dir_val);
} ro_dircache SEC(".maps") __weak;

/* Counters by category (enum bw_counter), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

/* Records lost by event type (ring buffer full), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_EV_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps") __weak;

/* Key of exit_claims: a process is (tgid, start time), never a bare pid. */
struct bw_exit_key {
	__u32 tgid;
	__u32 _pad;
	__u64 start_time;
};

/*
 * Processes whose exit record is sent, on kernels whose exit tracepoint has
 * no group_dead (before 6.16): needed only while a group's threads exit, so
 * least-recently-used entries may go.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct bw_exit_key);
	__type(value, __u8);
} exit_claims SEC(".maps") __weak;

/*
 * mem_exec: the processes already reported making anonymous memory executable,
 * key tgid, value its start_time. Only a process's first W->X is reported: a
 * JIT (node, java) does it thousands of times and a rule can use no more than
 * "this process did it". LRU: a forgotten process is reported once more.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} mem_exec_seen SEC(".maps") __weak;

/*
 * file_map: the (mount namespace, file) pairs already reported mapped
 * executable. LRU: a forgotten pair is reported once more, which the agent
 * de-duplicates again; the evidence stays correct either way.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bw_file_map_key);
	__type(value, __u8);
} file_map_seen SEC(".maps") __weak;

/* bw_block_match's key under construction, per CPU (no stack room for it in the open exit). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_block_key);
} block_key_scratch SEC(".maps") __weak;

/* What the blocking rules compile to (struct bw_block_key; the agent fills it from action: block rules). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BW_BLOCK_FACTS_MAX);
	__type(key, struct bw_block_key);
	__type(value, __u32);
} block_facts SEC(".maps") __weak;

/*
 * Threads whose open the LSM or fmod_ret hook just refused, key tid: the
 * open's syscall exit or io_uring completion, in the same thread, marks its
 * record blocked. Set by the hook, cleared at a write-open's entry; LRU so a
 * mark nobody took cannot fill it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} block_marks SEC(".maps") __weak;

#endif
