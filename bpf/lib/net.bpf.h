/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The connect/bind/listen record, shared by the syscall exits (net.bpf.c) and the io_uring completion (iouring.bpf.c). */
#ifndef BULWARK_NET_BPF_H
#define BULWARK_NET_BPF_H

#include "syscall.bpf.h"

#define BW_SOCKADDR_MAX 128 /* sizeof(struct sockaddr_storage) */

/* The socket's type and protocol (Falco's fd.l4proto), from the socket behind the fd. */
static __always_inline void bw_net_sock_type(struct bw_net *n)
{
	struct file *file = bw_fd_file(n->fd);
	struct socket *sock = file ? BPF_CORE_READ(file, private_data) : NULL;
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;

	if (!sk)
		return;
	n->sotype = BPF_CORE_READ(sock, type);
	n->protocol = BPF_CORE_READ(sk, sk_protocol);
}

/*
 * After a unix connect: the address the listening socket bound, from the
 * connected socket's peer (for a stream socket the server-side socket, which
 * shares the listener's address). It names the socket really reached, whatever
 * path, symlink or bind mount the client used (-v /var/run/docker.sock:/x.sock).
 */
static __always_inline void bw_unix_peer(void *rec, __u32 *cursor, struct bw_net *n, int fd)
{
	struct file *file = bw_fd_file(fd);
	struct unix_sock *peer;
	struct unix_address *addr;
	struct socket *sock;
	struct sock *sk;

	/* the fd may have been replaced since the call: a socket of the unix family only */
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & 00170000) != 0140000)
		return;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return;
	peer = (struct unix_sock *)BPF_CORE_READ((struct unix_sock *)sk, peer);
	addr = peer ? BPF_CORE_READ(peer, addr) : NULL;
	/* an unnamed peer, or an abstract name (sun_path starts with NUL): no path */
	if (addr && BPF_CORE_READ(addr, len) > 2)
		bw_put_kstr(rec, cursor, &n->peer, &addr->name[0].sun_path, 110, &n->ev.flags, BW_F_TRUNC_STR);
}

/*
 * Builds and sends a record from a pending entry: fd in args[0], the caller's
 * sockaddr pointer in args[1], its bytes in s0 and its length in extra[0].
 */
static __always_inline void bw_net_send(struct bw_pending *p, long ret, __u32 type, __u32 via)
{
	__u32 cursor = sizeof(struct bw_net);
	struct bw_net *n;
	void *rec = bw_scratch();
	__u16 family;

	if (!rec)
		return;
	n = (struct bw_net *)bw_begin_syscall(rec, p, sizeof(struct bw_net), ret);
	n->ev.via = via;
	n->fd = (__s32)p->args[0];
	bw_net_sock_type(n);
	if (type == BW_EV_LISTEN) {
		n->backlog = p->args[1];
	} else if (*(__u16 *)p->s0 == 0) {
		/* the sockaddr's page was not present at entry; the syscall has faulted it in */
		__u64 len = p->extra[0];

		bw_barrier_var(len);
		bpf_probe_read_user(p->s0, len & (BW_SOCKADDR_MAX * 2 - 1), (void *)p->args[1]);
	}
	family = *(__u16 *)p->s0;
	n->family = family;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)p->s0;

		n->port = __builtin_bswap16(sin->sin_port);
		__builtin_memcpy(n->addr, &sin->sin_addr, 4);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (void *)p->s0;

		n->port = __builtin_bswap16(sin6->sin6_port);
		__builtin_memcpy(n->addr, &sin6->sin6_addr, 16);
	} else if (family == AF_UNIX && p->extra[0] > 2) {
		/* sun_path at offset 2; an abstract name starts with NUL and is shown with '@' */
		char *path = p->s0 + 2;

		if (path[0] == '\0' && p->extra[0] > 3) {
			path[0] = '@';
			/* abstract names are not NUL-terminated: end the name at the caller's length */
			p->s0[p->extra[0] & (BW_SOCKADDR_MAX - 1)] = '\0';
		}
		bw_put_saved(rec, &cursor, &n->path, path, 110, &n->ev.flags);
		if (type == BW_EV_CONNECT && ret == 0)
			bw_unix_peer(rec, &cursor, n, (int)p->args[0]);
	}
	bw_submit(rec, cursor);
}

/* Copies the caller's sockaddr (@len bytes at @uaddr) into the pending entry, zero-filled beyond. */
static __always_inline void bw_pending_sockaddr(struct bw_pending *p, const void *uaddr, __u64 len)
{
	if (len > BW_SOCKADDR_MAX)
		len = BW_SOCKADDR_MAX;
	__builtin_memset(p->s0, 0, BW_SOCKADDR_MAX + 2);
	bw_barrier_var(len);
	bpf_probe_read_user(p->s0, len & (BW_SOCKADDR_MAX * 2 - 1), uaddr);
	p->extra[0] = len;
}

#endif
