// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* connect and bind (address from the caller's sockaddr at entry), listen (address from the socket), raw sockets, dup of sockets. */
#include "../lib/net.bpf.h"
#include "../lib/fd.bpf.h"

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

/*
 * socket(domain, type, protocol): packet sockets (AF_PACKET, or the obsolete
 * SOCK_PACKET type) and raw IP sockets (SOCK_RAW in AF_INET/AF_INET6), what
 * sniffers, scanners and hand-made packets need. Everything else is dropped
 * here: the ordinary sockets of every client and server, and netlink, whose
 * sockets are SOCK_RAW too (glibc's getaddrinfo, runc, ip, udev open them).
 */
#define AF_PACKET 17
#define SOCK_RAW  3
#define SOCK_PACKET 10
#define SOCK_TYPE_MASK 0xf

static __always_inline bool bw_socket_wanted(__u64 domain, __u64 type)
{
	type &= SOCK_TYPE_MASK;
	return domain == AF_PACKET || type == SOCK_PACKET ||
	       (type == SOCK_RAW && (domain == AF_INET || domain == AF_INET6));
}

BW_SYSCALL_ENTER(socket)
{
	struct bw_pending *p;

	if (!bw_socket_wanted(BW_ARGS(ctx)[0], BW_ARGS(ctx)[1]))
		return 0;
	if (!bw_wanted(BW_EV_SOCKET))
		return 0;
	p = bw_pending_begin(BW_EV_SOCKET, BW_SYS_SOCKET, ctx, 3);
	if (p)
		bw_pending_commit(p);
	return 0;
}

BW_SYSCALL_EXIT(socket)
{
	struct bw_pending *p = bw_pending_take(BW_EV_SOCKET);
	struct bw_socket *s;
	void *rec;

	if (!p)
		return 0;
	rec = bw_scratch();
	if (rec) {
		s = (struct bw_socket *)bw_begin_syscall(rec, p, sizeof(*s), BW_RET(ctx));
		s->domain = p->args[0];
		s->type = p->args[1];
		s->protocol = p->args[2];
		bw_submit(rec, sizeof(*s));
	}
	bw_pending_end();
	return 0;
}

/*
 * dup(oldfd) / dup2(oldfd, newfd) / dup3(oldfd, newfd, flags): reported only
 * when the file duplicated is a socket (decided at exit from the new fd's
 * file: S_IFSOCK), for a shell whose stdin/stdout become a connection.
 * Shells dup pipes and files at every redirection; those stay in the kernel.
 */
static __always_inline int bw_dup_enter(void *ctx, __u32 syscall, int nargs)
{
	struct bw_pending *p;

	if (!bw_wanted(BW_EV_DUP))
		return 0;
	p = bw_pending_begin(BW_EV_DUP, syscall, ctx, nargs);
	if (p)
		bw_pending_commit(p);
	return 0;
}

static __always_inline int bw_dup_exit(void *ctx)
{
	struct bw_pending *p = bw_pending_take(BW_EV_DUP);
	long ret = BW_RET(ctx);
	struct socket *sock;
	struct file *file;
	struct sock *sk;
	struct bw_dup *d;
	void *rec;

	if (!p)
		return 0;
	file = ret >= 0 ? bw_fd_file(ret) : NULL;
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & BW_S_IFMT) != BW_S_IFSOCK)
		goto end;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	rec = bw_scratch();
	if (!rec || !sk)
		goto end;
	d = (struct bw_dup *)bw_begin_syscall(rec, p, sizeof(*d), ret);
	d->net.fd = (__s32)p->args[0];
	d->dup_flags = p->syscall == BW_SYS_DUP3 ? (__u32)p->args[2] : 0;
	d->net.sotype = BPF_CORE_READ(sock, type);
	d->net.protocol = BPF_CORE_READ(sk, sk_protocol);
	d->net.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (d->net.family == AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(d->net.addr, &a, 4);
		d->net.port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	} else if (d->net.family == AF_INET6) {
		bpf_core_read(d->net.addr, 16, &sk->__sk_common.skc_v6_daddr);
		d->net.port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	}
	bw_submit(rec, sizeof(*d));
end:
	bw_pending_end();
	return 0;
}

BW_SYSCALL_ENTER(dup) { return bw_dup_enter(ctx, BW_SYS_DUP, 1); }
BW_SYSCALL_EXIT(dup) { return bw_dup_exit(ctx); }
BW_SYSCALL_ENTER(dup2) { return bw_dup_enter(ctx, BW_SYS_DUP2, 2); }
BW_SYSCALL_EXIT(dup2) { return bw_dup_exit(ctx); }
BW_SYSCALL_ENTER(dup3) { return bw_dup_enter(ctx, BW_SYS_DUP3, 3); }
BW_SYSCALL_EXIT(dup3) { return bw_dup_exit(ctx); }

