// SPDX-License-Identifier: Apache-2.0
/* The connect sweep windows (agent/netwatch.c): distinct ports and hosts per process, bounded. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "netwatch.h"

#define SEC 1000000000ULL

static struct bw_net rec;
static struct event_view view = { (const struct bw_event *)&rec, sizeof(rec) };

/* One connect of process (pid, start) to addr:port at t ns. */
static struct netwatch_counts connect_at(struct netwatch *nw, uint32_t pid, const char *addr, uint16_t port,
					 uint64_t t)
{
	struct netwatch_counts c;

	memset(&rec, 0, sizeof(rec));
	rec.ev.hdr.type = BW_EV_CONNECT;
	rec.ev.hdr.ktime = t;
	rec.ev.proc.pid = pid;
	rec.ev.proc.start_time = 1000 + pid;
	rec.ev.res = -ECONNREFUSED;
	rec.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(rec.family, addr, rec.addr);
	rec.port = port;
	netwatch__observe(nw, &view, t, &c);
	return c;
}

static void test_port_sweep_counts_distinct_ports(void)
{
	struct netwatch *nw = netwatch__new(16, 10 * SEC);
	struct netwatch_counts c = { 0 };
	int i;

	for (i = 1; i <= 20; i++)
		c = connect_at(nw, 100, "127.0.0.1", i, i * SEC / 10);
	CHECK_INT(c.ports, 20);
	CHECK_INT(c.hosts, 1);
	/* past the window, the old ones are forgotten */
	c = connect_at(nw, 100, "127.0.0.1", 80, 20 * SEC);
	CHECK_INT(c.ports, 1);
	netwatch__free(nw);
}

static void test_same_destination_stays_one(void)
{
	struct netwatch *nw = netwatch__new(16, 10 * SEC);
	struct netwatch_counts c = { 0 };
	int i;

	for (i = 0; i < 200; i++)
		c = connect_at(nw, 101, "10.0.0.5", 8080, i * SEC / 100);
	CHECK_INT(c.ports, 1);
	CHECK_INT(c.hosts, 1);
	netwatch__free(nw);
}

static void test_host_sweep_and_saturation(void)
{
	struct netwatch *nw = netwatch__new(16, 10 * SEC);
	struct netwatch_counts c = { 0 };
	char addr[32];
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 250, 1 + i % 250);
		c = connect_at(nw, 102, addr, 22, SEC + i);
	}
	CHECK_INT(c.hosts, NETWATCH_SLOTS); /* the last 64 connects are remembered */
	CHECK_INT(c.ports, 1);
	c = connect_at(nw, 102, "2001:db8::1", 22, SEC + 200);
	CHECK_INT(c.hosts, NETWATCH_SLOTS);
	netwatch__free(nw);
}

static void test_processes_apart_and_bounded(void)
{
	struct netwatch *nw = netwatch__new(8, 10 * SEC);
	struct netwatch_stats st;
	struct netwatch_counts c;
	uint32_t pid;

	connect_at(nw, 200, "127.0.0.1", 1, SEC);
	c = connect_at(nw, 201, "127.0.0.1", 2, SEC);
	CHECK_INT(c.ports, 1); /* another process: its own window */
	for (pid = 300; pid < 400; pid++)
		connect_at(nw, pid, "127.0.0.1", 3, 2 * SEC + pid);
	netwatch__stats(nw, &st);
	CHECK(st.tracked <= 8, "tracked %u > 8 windows", st.tracked);
	CHECK(st.evictions >= 102 - 8, "evictions %llu", (unsigned long long)st.evictions);
	CHECK_INT(st.observed, 102);
	netwatch__free(nw);
}

/* A scan made of many short processes in one container (a shell loop of nc) adds up. */
static void test_container_processes_share_a_window(void)
{
	struct netwatch *nw = netwatch__new(16, 10 * SEC);
	struct netwatch_counts c = { 0 };
	uint32_t i;

	for (i = 0; i < 20; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.ev.hdr.type = BW_EV_CONNECT;
		rec.ev.hdr.ktime = SEC + i;
		rec.ev.proc.pid = 500 + i;
		rec.ev.proc.start_time = 7000 + i;
		rec.ev.proc.pid_ns = 4026532304u;
		rec.family = AF_INET;
		rec.port = 1 + i;
		netwatch__observe(nw, &view, rec.ev.hdr.ktime, &c);
	}
	CHECK_INT(c.ports, 20);
	/* host processes (the initial pid namespace) each have their own */
	rec.ev.proc.pid_ns = 0xeffffffcu;
	rec.ev.proc.pid = 600;
	netwatch__observe(nw, &view, 2 * SEC, &c);
	CHECK_INT(c.ports, 1);
	netwatch__free(nw);
}

static void test_other_events_are_zero(void)
{
	struct netwatch *nw = netwatch__new(16, 10 * SEC);
	struct netwatch_counts c;

	memset(&rec, 0, sizeof(rec));
	rec.ev.hdr.type = BW_EV_LISTEN;
	rec.family = AF_INET;
	netwatch__observe(nw, &view, SEC, &c);
	CHECK_INT(c.ports, 0);
	rec.ev.hdr.type = BW_EV_CONNECT;
	rec.family = AF_UNIX;
	netwatch__observe(nw, &view, SEC, &c);
	CHECK_INT(c.ports, 0);
	netwatch__observe(nw, NULL, SEC, &c);
	CHECK_INT(c.hosts, 0);
	netwatch__free(nw);
}

int main(void)
{
	RUN(test_port_sweep_counts_distinct_ports);
	RUN(test_same_destination_stays_one);
	RUN(test_host_sweep_and_saturation);
	RUN(test_processes_apart_and_bounded);
	RUN(test_container_processes_share_a_window);
	RUN(test_other_events_are_zero);
	return check_summary();
}
