// SPDX-License-Identifier: Apache-2.0
/*
 * End-to-end latency from a syscall to its alert in a file.
 *
 *   latency ALERT_FILE DIR [-n COUNT] [-r PER_S] [-t TIMEOUT_S]
 *
 * Performs COUNT write-opens of DIR/trigger-<seq> (paced at PER_S), each
 * stamped with CLOCK_MONOTONIC just before the open(2), while a thread
 * follows ALERT_FILE (inotify) and stamps, with the same clock, the moment
 * each alert line naming trigger-<seq> can be read from the file. The alert's
 * own "time" is the kernel's event time, which says nothing of the agent's
 * delay: arrival in the file is what a reader of the file sees. The figure
 * includes the open itself, the ring buffer, the agent's batching pause, rule
 * evaluation, the output queue and thread, the write(2), and inotify's wake-up
 * of this reader (a few microseconds).
 *
 * Prints one JSON object: sent, received, median_us, p90_us, p99_us, max_us.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 100000

static uint64_t *sent_ns, *seen_ns;
static size_t count;
static const char *alert_path;
static atomic_int stop;
static atomic_size_t received;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Every "trigger-<seq>" in a complete line marks that probe's arrival. */
static void scan_line(const char *line, uint64_t t)
{
	const char *p = strstr(line, "trigger-");
	char *end;
	unsigned long seq;

	if (!p)
		return;
	seq = strtoul(p + 8, &end, 10);
	if (end == p + 8 || seq >= count || seen_ns[seq])
		return;
	seen_ns[seq] = t;
	atomic_fetch_add(&received, 1);
}

static void *watch(void *arg)
{
	static char buf[1 << 16];
	size_t have = 0;
	int in = inotify_init1(IN_CLOEXEC), fd = open(alert_path, O_RDONLY | O_CLOEXEC);
	char ev[4096];

	(void)arg;
	if (in < 0 || fd < 0 || inotify_add_watch(in, alert_path, IN_MODIFY) < 0) {
		perror(alert_path);
		exit(1);
	}
	lseek(fd, 0, SEEK_END); /* alerts from before this run are not ours */
	while (!atomic_load(&stop)) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		ssize_t n;

		/* read first, then wait: a write between the two still wakes poll */
		while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
			uint64_t t = now_ns();
			char *line = buf, *nl;

			have += n;
			buf[have] = '\0';
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				scan_line(line, t);
				line = nl + 1;
			}
			have -= line - buf;
			memmove(buf, line, have);
			if (have == sizeof(buf) - 1)
				have = 0; /* a line longer than the buffer is no alert of ours */
		}
		if (poll(&pfd, 1, 50) > 0 && read(in, ev, sizeof(ev)) < 0 && errno != EAGAIN)
			break;
	}
	close(fd);
	close(in);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double rate = 50, timeout = 10;
	const char *dir;
	uint64_t *lat, start, deadline;
	size_t i, n = 0;
	pthread_t th;
	char path[4096];
	int c;

	count = 150;
	if (argc < 3) {
		fprintf(stderr, "usage: latency ALERT_FILE DIR [-n COUNT] [-r PER_S] [-t TIMEOUT_S]\n");
		return 2;
	}
	alert_path = argv[1];
	dir = argv[2];
	optind = 3;
	while ((c = getopt(argc, argv, "n:r:t:")) != -1) {
		switch (c) {
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'r': rate = atof(optarg); break;
		case 't': timeout = atof(optarg); break;
		default: return 2;
		}
	}
	if (count == 0 || count > MAX_COUNT || rate <= 0) {
		fprintf(stderr, "latency: COUNT must be 1..%d and PER_S positive\n", MAX_COUNT);
		return 2;
	}
	sent_ns = calloc(count, sizeof(*sent_ns));
	seen_ns = calloc(count, sizeof(*seen_ns));
	lat = calloc(count, sizeof(*lat));
	if (!sent_ns || !seen_ns || !lat || pthread_create(&th, NULL, watch, NULL)) {
		perror("latency");
		return 1;
	}
	usleep(100000); /* the watcher is at the end of the file */
	start = now_ns();
	for (i = 0; i < count; i++) {
		uint64_t due = start + (uint64_t)(i * 1e9 / rate);
		int fd;

		while (now_ns() < due)
			usleep(200);
		snprintf(path, sizeof(path), "%s/trigger-%zu", dir, i);
		sent_ns[i] = now_ns();
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	deadline = now_ns() + (uint64_t)(timeout * 1e9);
	while (atomic_load(&received) < count && now_ns() < deadline)
		usleep(10000);
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	for (i = 0; i < count; i++)
		if (seen_ns[i])
			lat[n++] = seen_ns[i] > sent_ns[i] ? seen_ns[i] - sent_ns[i] : 0;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	if (n == 0) {
		printf("{\"sent\": %zu, \"received\": 0}\n", count);
		return 1;
	}
	/* nearest-rank percentiles */
	printf("{\"sent\": %zu, \"received\": %zu, \"median_us\": %.0f, \"p90_us\": %.0f, \"p99_us\": %.0f, "
	       "\"max_us\": %.0f}\n",
	       count, n, lat[(n - 1) / 2] / 1e3, lat[(n * 90 + 99) / 100 - 1] / 1e3, lat[(n * 99 + 99) / 100 - 1] / 1e3,
	       lat[n - 1] / 1e3);
	return 0;
}
