// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* connect and bind (address from the caller's sockaddr at entry), listen (address from the socket). */
#include "../lib/net.bpf.h"

static __always_inline int bw_sockaddr_enter(void *ctx, __u32 type, __u32 syscall)
{
	__u64 len = BW_ARGS(ctx)[2] & 0xffffffff;
	struct bw_pending *p;

	if (!bw_wanted(type))
		return 0;
	p = bw_pending_begin(type, syscall, ctx, 3);
	if (!p)
		return 0;
	/* raw sockaddr bytes, zero-filled beyond the caller's length */
	bw_pending_sockaddr(p, (void *)BW_ARGS(ctx)[1], len);
	bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_ENTER(connect) { return bw_sockaddr_enter(ctx, BW_EV_CONNECT, BW_SYS_CONNECT); }
BW_SYSCALL_ENTER(bind) { return bw_sockaddr_enter(ctx, BW_EV_BIND, BW_SYS_BIND); }

/* listen(fd, backlog): the bound local address is read from the socket behind fd. */
BW_SYSCALL_ENTER(listen)
{
	struct bw_pending *p;
	struct socket *sock;
	struct sock *sk;
	struct file *file;
	__u16 family = 0;

	if (!bw_wanted(BW_EV_LISTEN))
		return 0;
	p = bw_pending_begin(BW_EV_LISTEN, BW_SYS_LISTEN, ctx, 2);
	if (!p)
		return 0;
	__builtin_memset(p->s0, 0, BW_SOCKADDR_MAX + 2);
	file = bw_fd_file(BW_ARGS(ctx)[0]);
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (sk)
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (sk) {
		__u16 port = BPF_CORE_READ(sk, __sk_common.skc_num);

		/* stored as a sockaddr so that exit decodes connect, bind and listen alike */
		if (family == AF_INET) {
			struct sockaddr_in *sin = (void *)p->s0;

			sin->sin_family = AF_INET;
			sin->sin_port = __builtin_bswap16(port);
			sin->sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		} else if (family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (void *)p->s0;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = __builtin_bswap16(port);
			BPF_CORE_READ_INTO(&sin6->sin6_addr, sk, __sk_common.skc_v6_rcv_saddr);
		} else {
			*(__u16 *)p->s0 = family;
		}
	}
	/* only the family and the inet address are taken from the socket: no unix path follows */
	p->extra[0] = (family == AF_INET || family == AF_INET6) ? BW_SOCKADDR_MAX : sizeof(__u16);
	bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_net_exit(void *ctx, __u32 type)
{
	struct bw_pending *p = bw_pending_take(type);

	if (!p)
		return 0;
	bw_net_send(p, BW_RET(ctx), type, BW_VIA_SYSCALL);
	bw_pending_end();
	return 0;
}

BW_SYSCALL_EXIT(connect) { return bw_net_exit(ctx, BW_EV_CONNECT); }
BW_SYSCALL_EXIT(bind) { return bw_net_exit(ctx, BW_EV_BIND); }
BW_SYSCALL_EXIT(listen) { return bw_net_exit(ctx, BW_EV_LISTEN); }
