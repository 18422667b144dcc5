// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer harness: the Prometheus /metrics and /healthz endpoint (agent/metrics.c).
 *  - byte 0 even: the rest is a raw request sent over a real TCP connection to the agent's
 *    own server (libmicrohttpd with the agent's handler, started once on 127.0.0.1 at a
 *    free port), the write side then closed: whatever arrives must be answered or refused
 *    within the harness's timeout, and a 200 may only carry /metrics's or /healthz's body.
 *  - byte 0 odd: the rest is rule names (NUL- or newline-separated), counted as matches
 *    and rendered: every line of the exposition must stay valid (a name, labels whose values
 *    are escaped and valid UTF-8, a number), whatever the names hold.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

static struct metrics *server;
static struct sockaddr_in addr;

static void start_server(void)
{
	struct health_config h = { 0 };
	socklen_t len = sizeof(addr);
	char listen[64], err[256];
	int fd;

	/* a free port: bind to 0, read it back, release it for the server */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || getsockname(fd, (struct sockaddr *)&addr, &len))
		abort();
	close(fd);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", ntohs(addr.sin_port));
	server = metrics__new(listen, &h, err, sizeof(err));
	if (!server) {
		fprintf(stderr, "fuzz_metrics: %s\n", err);
		abort();
	}
}

static void request(const uint8_t *data, size_t size)
{
	static char resp[1 << 20];
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		abort(); /* the server stopped accepting */
	while (size && (n = send(fd, data, size, MSG_NOSIGNAL)) > 0)
		data += n, size -= (size_t)n;
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* the server's connection timeout is 10 s; an answer must come well before */
		if (poll(&p, 1, 5000) != 1) {
			fprintf(stderr, "fuzz_metrics: no answer and no close within 5 s\n");
			__builtin_trap();
		}
		n = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
		if (n <= 0 || got + (size_t)n >= sizeof(resp) - 1)
			break;
		got += (size_t)n;
	}
	resp[got] = '\0';
	close(fd);
	if (!strncmp(resp, "HTTP/1.", 7) && !strncmp(resp + 8, " 200 ", 5)) {
		char *end = strstr(resp, "\r\n\r\n");

		/* the first answer's head: a 200 is /metrics's text or /healthz's JSON, nothing else
		 * (HEAD included; what follows may be the answer to a pipelined request) */
		if (end)
			*end = '\0';
		if (!strstr(resp, "Content-Type: text/plain; version=0.0.4") && !strstr(resp, "Content-Type: application/json")) {
			fprintf(stderr, "fuzz_metrics: a 200 that is neither /metrics nor /healthz:\n%s\n", resp);
			__builtin_trap();
		}
	}
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, j, k;

	while (i < n) {
		unsigned c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			k = 1;
		else if ((c & 0xf0) == 0xe0)
			k = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			k = 3;
		else
			return false;
		if (i + k >= n)
			return false;
		for (j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* One exposition line: # comment, or name[{l="v",...}] value. */
static void check_line(const char *l, size_t n)
{
	size_t i = 0;

	if (!n || l[0] == '#')
		return;
	while (i < n && (l[i] == '_' || l[i] == ':' || (l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
			 (i && l[i] >= '0' && l[i] <= '9')))
		i++;
	if (!i)
		__builtin_trap();
	if (i < n && l[i] == '{') {
		for (i++; i < n && l[i] != '}';) {
			size_t v0;

			while (i < n && l[i] != '=')
				i++;
			if (i + 1 >= n || l[i + 1] != '"')
				__builtin_trap();
			v0 = i += 2;
			while (i < n && l[i] != '"') {
				if (l[i] == '\\') {
					if (i + 1 >= n || (l[i + 1] != '\\' && l[i + 1] != '"' && l[i + 1] != 'n'))
						__builtin_trap(); /* an escape Prometheus does not know */
					i++;
				}
				i++;
			}
			if (i >= n || !utf8_valid((const unsigned char *)l + v0, i - v0))
				__builtin_trap(); /* unterminated, or not UTF-8: the scrape fails */
			i++;
			if (i < n && l[i] == ',')
				i++;
		}
		if (i >= n)
			__builtin_trap();
		i++;
	}
	if (i >= n || l[i] != ' ' || i + 1 >= n)
		__builtin_trap();
}

static void rule_names(const uint8_t *data, size_t size)
{
	struct health_config h = { 0 };
	struct pipeline_stats ps = { 0 };
	struct metrics_run run = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct metrics *m;
	char err[256], *text = malloc(size + 1), *p, *q;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	m = metrics__new(NULL, &h, err, sizeof(err));
	if (!m)
		abort();
	/* names end at a NUL (what a C string would be) or a newline */
	for (p = text; p < text + size; p = q + 1) {
		q = p + strcspn(p, "\n");
		*q = '\0';
		if (*p)
			metrics__rule_match(m, p);
	}
	metrics__publish(m, &ps, &run);
	metrics__render(m, &sb);
	for (p = sb.buf; p && *p; p = q + 1) {
		q = strchr(p, '\n');
		if (!q)
			__builtin_trap(); /* the exposition ends with a newline */
		check_line(p, (size_t)(q - p));
	}
	strbuf_free(&sb);
	metrics__free(m);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!server) {
		log_set_level(LOG_ERROR); /* libmicrohttpd's complaints about garbage are expected */
		start_server();
	}
	if (size < 1)
		return 0;
	if (data[0] & 1)
		rule_names(data + 1, size - 1);
	else
		request(data + 1, size - 1);
	return 0;
}
