// SPDX-License-Identifier: Apache-2.0
/*
 * syslog output: RFC 5424 messages over UDP (RFC 5426, one datagram each),
 * TCP with octet-counting framing (RFC 6587 3.4.1: "LEN SP MSG") and TLS
 * (RFC 5425, the same framing) through OpenSSL, verifying the server's chain
 * and name unless tls_verify=0, with an optional client certificate.
 *
 * TCP gives no application-level acknowledgement: a write that succeeds may
 * still be lost if the receiver dies right after. Before every batch the
 * connection is checked for an EOF the peer sent (a closed receiver is noticed
 * and the batch goes to a new connection), which closes the common window;
 * for end-to-end acknowledgement use an HTTP output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "log.h"

#define UDP_MAX 65000 /* an IPv4 UDP payload is at most 65507 bytes */

struct syslog_sink {
	pthread_mutex_t fdlock; /* fd changes vs. interrupt from the stopping thread */
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	int pid;
	struct strbuf buf, msg;
};

static void ssl_err(char *why, size_t whylen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(why, whylen, "%s: %s", what, e ? buf : "connection closed");
	ERR_clear_error();
}

static void sys_close(struct syslog_sink *y)
{
	pthread_mutex_lock(&y->fdlock);
	if (y->ssl) {
		SSL_free(y->ssl);
		y->ssl = NULL;
	}
	if (y->fd >= 0)
		close(y->fd);
	y->fd = -1;
	pthread_mutex_unlock(&y->fdlock);
}

/* Non-blocking connect bounded by timeout_ms and the abort flag. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, unsigned timeout_ms, atomic_bool *abort)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int flags = fcntl(fd, F_GETFL), err = 0, waited = 0;
	socklen_t elen = sizeof(err);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, len) == 0)
		goto done;
	if (errno != EINPROGRESS)
		return -errno;
	for (;;) {
		int r = poll(&p, 1, 100);

		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		waited += 100;
		if (atomic_load(abort))
			return -ECANCELED;
		if ((unsigned)waited >= timeout_ms)
			return -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err)
		return -(err ? err : errno);
done:
	fcntl(fd, F_SETFL, flags);
	return 0;
}

/*
 * In TLS 1.3 the client's handshake ends before the server has checked the
 * client certificate: a server that refuses it says so in an alert right
 * after, and whatever was written meanwhile is lost. Wait briefly for that
 * alert (or the session tickets) before any alert is written.
 */
static bool tls_refused(struct sink *s, char *why, size_t whylen)
{
	struct syslog_sink *y = s->priv;
	struct pollfd p = { .fd = y->fd, .events = POLLIN };
	char buf[512];
	int flags, n, e;

	if (SSL_version(y->ssl) < TLS1_3_VERSION || poll(&p, 1, 200) <= 0)
		return false;
	flags = fcntl(y->fd, F_GETFL);
	fcntl(y->fd, F_SETFL, flags | O_NONBLOCK);
	do
		n = SSL_read(y->ssl, buf, sizeof(buf));
	while (n > 0);
	e = SSL_get_error(y->ssl, n);
	fcntl(y->fd, F_SETFL, flags);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return false;
	}
	ssl_err(why, whylen, "TLS: the server closed the connection after the handshake (client certificate refused?)");
	return true;
}

static int sys_connect(struct sink *s, char *why, size_t whylen)
{
	struct syslog_sink *y = s->priv;
	const struct output_config *c = s->cfg;
	struct addrinfo hints = { .ai_family = AF_UNSPEC }, *res = NULL, *ai;
	struct timeval tv = { .tv_sec = c->timeout_ms / 1000, .tv_usec = (c->timeout_ms % 1000) * 1000 };
	char port[8];
	int fd = -1, rc, one = 1;

	hints.ai_socktype = c->transport == TRANSPORT_UDP ? SOCK_DGRAM : SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", c->port);
	rc = getaddrinfo(c->host, port, &hints, &res);
	if (rc) {
		snprintf(why, whylen, "resolve %s: %s", c->host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	rc = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			rc = -errno;
			continue;
		}
		rc = connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, c->timeout_ms, s->abort);
		if (rc == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "connect %s:%u: %s", c->host, c->port, strerror(-rc));
		return rc;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (c->transport != TRANSPORT_UDP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_mutex_lock(&y->fdlock);
	y->fd = fd;
	pthread_mutex_unlock(&y->fdlock);
	if (c->transport != TRANSPORT_TLS)
		return 0;

	y->ssl = SSL_new(y->ctx);
	if (!y->ssl) {
		ssl_err(why, whylen, "TLS");
		goto fail;
	}
	SSL_set_fd(y->ssl, fd);
	{
		struct in6_addr a6;
		struct in_addr a4;
		bool ip = inet_pton(AF_INET, c->host, &a4) == 1 || inet_pton(AF_INET6, c->host, &a6) == 1;

		if (!ip)
			SSL_set_tlsext_host_name(y->ssl, c->host);
		if (c->tls_verify) {
			X509_VERIFY_PARAM *param = SSL_get0_param(y->ssl);

			if (ip)
				X509_VERIFY_PARAM_set1_ip_asc(param, c->host);
			else
				X509_VERIFY_PARAM_set1_host(param, c->host, 0);
		}
	}
	if (SSL_connect(y->ssl) != 1) {
		long v = SSL_get_verify_result(y->ssl);

		if (v != X509_V_OK) {
			snprintf(why, whylen, "TLS handshake with %s:%u: certificate verification failed: %s", c->host,
				 c->port, X509_verify_cert_error_string(v));
			ERR_clear_error();
		} else {
			ssl_err(why, whylen, "TLS handshake");
		}
		goto fail;
	}
	if (tls_refused(s, why, whylen))
		goto fail;
	return 0;
fail:
	sys_close(y);
	return -ECONNABORTED;
}

/*
 * Did the receiver close the connection? A syslog receiver sends no data, but
 * a TLS 1.3 server sends session tickets after the handshake: those are read
 * here (closing with unread bytes would reset the connection, and a reset
 * makes the receiver drop what it had not read yet).
 */
static bool peer_gone(struct syslog_sink *y)
{
	struct pollfd p = { .fd = y->fd, .events = POLLIN };
	char buf[512];
	int flags, n, e;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (!y->ssl)
		return recv(y->fd, buf, 1, MSG_PEEK | MSG_DONTWAIT) == 0 || (p.revents & (POLLERR | POLLHUP));
	flags = fcntl(y->fd, F_GETFL);
	fcntl(y->fd, F_SETFL, flags | O_NONBLOCK);
	n = SSL_read(y->ssl, buf, sizeof(buf));
	e = SSL_get_error(y->ssl, n);
	fcntl(y->fd, F_SETFL, flags);
	ERR_clear_error();
	return n <= 0 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
}

static int send_stream(struct sink *s, const char *p, size_t n, char *why, size_t whylen)
{
	struct syslog_sink *y = s->priv;
	ssize_t w;

	while (n) {
		if (atomic_load(s->abort))
			return -ECANCELED;
		if (y->ssl) {
			size_t written = 0;

			if (SSL_write_ex(y->ssl, p, n, &written) != 1) {
				ssl_err(why, whylen, "TLS write");
				return -EPIPE;
			}
			w = written;
		} else {
			w = send(y->fd, p, n, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				snprintf(why, whylen, "send: %s", strerror(errno));
				return -errno;
			}
		}
		p += w;
		n -= w;
	}
	return 0;
}

static int syslog_send(struct sink *s, struct batch *b, unsigned *retry_after_ms, char *why, size_t whylen)
{
	struct syslog_sink *y = s->priv;
	size_t i;
	int rc;

	(void)retry_after_ms;
	if (y->fd >= 0 && s->cfg->transport != TRANSPORT_UDP && peer_gone(y))
		sys_close(y);
	if (y->fd < 0 && (rc = sys_connect(s, why, whylen)))
		return rc;
	if (s->cfg->transport == TRANSPORT_UDP) {
		for (i = 0; i < b->n; i++) {
			strbuf_reset(&y->msg);
			format_syslog5424(&y->msg, s->cfg, b->items[i].a, y->pid);
			if (y->msg.len > UDP_MAX) {
				b->items[i].status = ITEM_DEAD;
				snprintf(b->items[i].reason, sizeof(b->items[i].reason),
					 "message of %zu bytes is too large for UDP (max %d)", y->msg.len, UDP_MAX);
				continue;
			}
			if (send(y->fd, y->msg.buf, y->msg.len, MSG_NOSIGNAL) < 0) {
				/* ECONNREFUSED: an ICMP port unreachable came back, nobody listens */
				rc = -errno;
				snprintf(why, whylen, "send to %s:%u: %s", s->cfg->host, s->cfg->port, strerror(errno));
				sys_close(y);
				if (i == 0)
					return rc;
				for (; i < b->n; i++)
					b->items[i].status = ITEM_RETRY;
				return 0;
			}
			b->items[i].status = ITEM_OK;
		}
		return 0;
	}
	strbuf_reset(&y->buf);
	for (i = 0; i < b->n; i++) {
		size_t start;

		strbuf_reset(&y->msg);
		format_syslog5424(&y->msg, s->cfg, b->items[i].a, y->pid);
		start = y->buf.len;
		strbuf_addf(&y->buf, "%zu ", y->msg.len);
		(void)start;
		strbuf_add(&y->buf, y->msg.buf, y->msg.len);
	}
	rc = send_stream(s, y->buf.buf, y->buf.len, why, whylen);
	if (rc) {
		/* part of the batch may have arrived: resending it duplicates, never loses (same uuids) */
		sys_close(y);
		return rc;
	}
	for (i = 0; i < b->n; i++)
		b->items[i].status = ITEM_OK;
	if (y->buf.cap > (4u << 20))
		strbuf_free(&y->buf);
	return 0;
}

/*
 * Orderly close: close_notify (TLS) and a half-close, then wait (bounded) for
 * the receiver to close its side, which it does once it has read everything
 * we sent. An abrupt close can make a TLS receiver drop the last records it
 * had buffered.
 */
static void syslog_close(struct sink *s)
{
	struct syslog_sink *y = s->priv;
	struct pollfd p = { .events = POLLIN };
	char buf[256];
	int waited = 0;

	if (y->fd < 0 || s->cfg->transport == TRANSPORT_UDP)
		goto out;
	if (y->ssl)
		SSL_shutdown(y->ssl);
	shutdown(y->fd, SHUT_WR);
	p.fd = y->fd;
	while (waited < 2000 && !atomic_load(s->abort)) {
		int r = poll(&p, 1, 100);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			ssize_t n = y->ssl ? SSL_read(y->ssl, buf, sizeof(buf)) : recv(y->fd, buf, sizeof(buf), 0);

			if (n <= 0)
				break; /* the receiver closed: everything was read */
		}
		waited += 100;
	}
out:
	sys_close(y);
}

static void syslog_interrupt(struct sink *s)
{
	struct syslog_sink *y = s->priv;

	pthread_mutex_lock(&y->fdlock);
	if (y->fd >= 0)
		shutdown(y->fd, SHUT_RDWR);
	pthread_mutex_unlock(&y->fdlock);
}

static void syslog_free(struct sink *s)
{
	struct syslog_sink *y = s->priv;

	if (!y)
		return;
	sys_close(y);
	SSL_CTX_free(y->ctx);
	strbuf_free(&y->buf);
	strbuf_free(&y->msg);
	pthread_mutex_destroy(&y->fdlock);
	free(y);
	s->priv = NULL;
}

static const struct sink_ops syslog_ops = {
	.send = syslog_send,
	.interrupt = syslog_interrupt,
	.close = syslog_close,
	.free = syslog_free,
};

int sink_syslog_new(struct sink *s, char *err, size_t errlen)
{
	const struct output_config *c = s->cfg;
	struct syslog_sink *y = calloc(1, sizeof(*y));

	if (!y) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&y->fdlock, NULL);
	y->fd = -1;
	y->pid = getpid();
	s->ops = &syslog_ops;
	s->priv = y;
	if (c->transport != TRANSPORT_TLS)
		return 0;
	y->ctx = SSL_CTX_new(TLS_client_method());
	if (!y->ctx)
		goto ssl_fail;
	SSL_CTX_set_min_proto_version(y->ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(y->ctx, SSL_MODE_AUTO_RETRY);
	if (c->tls_verify) {
		SSL_CTX_set_verify(y->ctx, SSL_VERIFY_PEER, NULL);
		if (c->ca[0] ? SSL_CTX_load_verify_locations(y->ctx, c->ca, NULL) != 1 :
			       SSL_CTX_set_default_verify_paths(y->ctx) != 1) {
			ssl_err(err, errlen, c->ca[0] ? "CA file (ca=)" : "system CA store");
			syslog_free(s);
			return -EINVAL;
		}
	}
	if (c->cert[0]) {
		if (SSL_CTX_use_certificate_chain_file(y->ctx, c->cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(y->ctx, c->key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(y->ctx) != 1) {
			ssl_err(err, errlen, "client certificate/key (cert=, key=)");
			syslog_free(s);
			return -EINVAL;
		}
	}
	return 0;
ssl_fail:
	ssl_err(err, errlen, "TLS");
	syslog_free(s);
	return -ENOMEM;
}
