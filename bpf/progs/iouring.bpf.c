// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * io_uring, the side door of the syscall tracepoints: an IORING_OP_OPENAT,
 * OPENAT2 or CONNECT never passes through open*() or connect(). Its request
 * is seen at submission (its arguments, prepared by then) and its result at
 * completion, through the io_uring tracepoints as tp_btf. It is reported as
 * the syscall it stands for (evt.type openat, openat2, connect) with via
 * io_uring; one request is one event.
 *
 * The submission tracepoint is io_uring_submit_sqe(req, force_nonblock) up to
 * Linux 6.3 and io_uring_submit_req(req) since; io_uring_complete gives
 * (ctx, req, user_data, res, cflags, extra1, extra2) up to 6.2 and
 * (ctx, req, cqe) since. The agent loads the programs the running kernel's
 * BTF names (agent/sensor.c).
 */
#include "../lib/open.bpf.h"
#include "../lib/net.bpf.h"

#define BW_O_LARGEFILE 00100000

/* the request's per-opcode area (io_kiocb.cmd), as the opcode's prep left it */
#define bw_req_cmd(req, type) ((type *)&(req)->cmd)

/* A pending entry for request @req, staged per CPU; NULL when its type is not wanted. */
static __always_inline struct bw_pending *bw_uring_begin(__u32 type, __u32 syscall)
{
	if (!bw_wanted(type))
		return NULL;
	return bw_pending_begin(type, syscall, NULL, 0);
}

static __always_inline void bw_uring_commit(struct io_kiocb *req, struct bw_pending *p)
{
	__u64 key = (__u64)req;

	if (bpf_map_update_elem(&uring_pending, &key, p, BPF_ANY))
		bw_count(BW_CNT_DROP_PENDING);
}

static __always_inline void bw_uring_open(struct io_kiocb *req, __u32 syscall)
{
	struct io_open *op = bw_req_cmd(req, struct io_open);
	struct filename *fn = BPF_CORE_READ(op, filename);
	struct bw_pending *p = bw_uring_begin(BW_EV_OPEN, syscall);
	long n;

	if (!p)
		return;
	/*
	 * io_uring adds O_LARGEFILE to every open on 64-bit kernels, as the
	 * kernel does for a 64-bit caller's open() without showing it in the
	 * argument: dropped, so that the request reads as the syscall would.
	 */
	p->extra[0] = BPF_CORE_READ(op, how.flags) & ~BW_O_LARGEFILE;
	p->extra[1] = BPF_CORE_READ(op, how.mode);
	p->extra[2] = (__u64)(__s64)BPF_CORE_READ(op, dfd);
	/* a fixed-file slot: the result is no descriptor */
	p->extra[3] = BPF_CORE_READ(op, file_slot);
	/* the kernel's copy of the caller's path (getname at prep): what the open will resolve */
	n = bpf_probe_read_kernel_str(p->s0, BW_UPATH_MAX, BPF_CORE_READ(fn, name));
	if (n == BW_UPATH_MAX)
		p->flags |= BW_F_TRUNC_STR;
	bw_uring_commit(req, p);
}

static __always_inline void bw_uring_connect(struct io_kiocb *req)
{
	struct io_connect *c = bw_req_cmd(req, struct io_connect);
	struct bw_pending *p = bw_uring_begin(BW_EV_CONNECT, BW_SYS_CONNECT);
	void *uaddr;

	if (!p)
		return;
	uaddr = BPF_CORE_READ(c, addr);
	/* the fd the caller named (sqe->fd, kept in the cqe area until completion) */
	p->args[0] = (__u64)(__s64)BPF_CORE_READ(req, cqe.fd);
	p->args[1] = (__u64)uaddr;
	bw_pending_sockaddr(p, uaddr, (__u32)BPF_CORE_READ(c, addr_len));
	bw_uring_commit(req, p);
}

static __always_inline int bw_uring_submit(struct io_kiocb *req)
{
	__u8 op = BPF_CORE_READ(req, opcode);

	if (op == IORING_OP_OPENAT)
		bw_uring_open(req, BW_SYS_OPENAT);
	else if (op == IORING_OP_OPENAT2)
		bw_uring_open(req, BW_SYS_OPENAT2);
	else if (op == IORING_OP_CONNECT)
		bw_uring_connect(req);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(uring_submit_req, struct io_kiocb *req)
{
	return bw_uring_submit(req);
}

SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(uring_submit_sqe, struct io_kiocb *req)
{
	return bw_uring_submit(req);
}

/*
 * The completion runs in the submitting task or in one of its io-wq workers,
 * which share its descriptor table: an OPENAT's result is found there.
 */
static __always_inline void bw_uring_open_done(struct bw_pending *p, long ret)
{
	__u32 flags = p->extra[0], blocked;
	struct bw_alias alias = {};
	struct file *file = NULL;
	void *rec;

	if (ret >= 0 && p->extra[3] == 0)
		file = bw_fd_file(ret);
	if (!bw_write_intent(flags)) {
		struct bw_config *cfg = bw_config();
		struct bw_prefix_key *key;
		struct bw_winbuf *wb;
		bool watched = false;
		__u32 zero = 0;

		wb = bpf_map_lookup_elem(&winbuf, &zero);
		if (!wb)
			return;
		key = &wb->key;
		__builtin_memset(key, 0, sizeof(*key));
		/* read-only: the file opened decides; without one (failure, fixed slot), the path string */
		if (cfg && cfg->ro_prefixes && file) {
			watched = bw_ro_watched_file(file, key, cfg->ro_gen, &alias);
		} else if (cfg && cfg->ro_prefixes) {
			bpf_probe_read_kernel_str(key->data, sizeof(key->data), p->s0);
			watched = bw_ro_prefix_match(key);
		}
		if (!watched) {
			bw_count(BW_CNT_FILTER_READONLY);
			return;
		}
	}
	blocked = bw_block_exit(ret, file);
	rec = blocked & BW_BLOCK_REPORTED ? NULL : bw_scratch();
	if (rec)
		bw_open_send(rec, p->syscall, BW_VIA_IO_URING, ret, p->flags | blocked, flags, p->extra[1], (__s32)p->extra[2],
			     p->s0, NULL, file, &alias);
}

static __always_inline int bw_uring_complete(void *req, long ret)
{
	__u64 key = (__u64)req;
	struct bw_pending *p = bpf_map_lookup_elem(&uring_pending, &key);

	if (!p)
		return 0;
	if (p->type == BW_EV_OPEN)
		bw_uring_open_done(p, ret);
	else if (p->type == BW_EV_CONNECT)
		bw_net_send(p, ret, BW_EV_CONNECT, BW_VIA_IO_URING);
	bpf_map_delete_elem(&uring_pending, &key);
	return 0;
}

/* Linux 6.3 and later: the posted cqe */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete_cqe, void *ring, void *req, struct io_uring_cqe *cqe)
{
	return bw_uring_complete(req, BPF_CORE_READ(cqe, res));
}

/* before: the result as an argument */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete_res, void *ring, void *req, __u64 user_data, int res)
{
	return bw_uring_complete(req, res);
}
