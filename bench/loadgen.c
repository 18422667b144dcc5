// SPDX-License-Identifier: Apache-2.0
/*
 * Workload generator for the benchmarks: a storm of one syscall pattern at a
 * fixed rate (or as fast as possible) for a fixed time, from N processes.
 *
 *   loadgen MODE [-r OPS_PER_S] [-d SECONDS] [-p PROCS] [-a ARG]
 *   MODE: openw   open(O_WRONLY|O_CREAT|O_TRUNC)+close in directory ARG
 *         openwk  open(O_WRONLY)+close of existing files in directory ARG (created
 *                 first): write intent without the filesystem's truncate cost, the
 *                 cheapest event the rules receive (throughput tests)
 *         openwx  open(O_WRONLY) of names that do not exist in directory ARG: refused
 *                 (ENOENT) write-opens, reported with their result and no file to
 *                 resolve; the cheapest event the kernel makes (throughput tests)
 *         openr   open(O_RDONLY)+close of file ARG
 *         openw1  open(O_WRONLY)+close of file ARG, e.g. /proc/self/comm: a storm of
 *                 the opens that travel on the critical ring (procfs, sysfs, cgroup files)
 *         exec    fork+exec of ARG (a tiny static binary), waited for
 *         getppid a syscall no hook is interested in: what merely having syscall hooks costs
 *         connect connect to 127.0.0.1:ARG (a listener), close; without -a a
 *                 listener that accepts and closes is started on a free port
 *
 * Prints one line: "MODE ops=N seconds=S rate=R".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one_op(const char *mode, const char *arg, unsigned long i)
{
	char path[4096];
	int fd;

	if (strcmp(mode, "openw") == 0) {
		snprintf(path, sizeof(path), "%s/f%lu", arg, i % 64);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return -1;
		return close(fd);
	}
	if (strcmp(mode, "openwk") == 0) {
		snprintf(path, sizeof(path), "%s/f%lu", arg, i % 64);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			return -1;
		return close(fd);
	}
	if (strcmp(mode, "openwx") == 0) {
		snprintf(path, sizeof(path), "%s/missing%lu", arg, i % 64);
		return open(path, O_WRONLY) < 0 && errno == ENOENT ? 0 : -1;
	}
	if (strcmp(mode, "getppid") == 0)
		return syscall(SYS_getppid) > 0 ? 0 : -1;
	if (strcmp(mode, "openw1") == 0) {
		fd = open(arg, O_WRONLY);
		if (fd < 0)
			return -1;
		return close(fd);
	}
	if (strcmp(mode, "openr") == 0) {
		fd = open(arg, O_RDONLY);
		if (fd < 0)
			return -1;
		return close(fd);
	}
	if (strcmp(mode, "exec") == 0) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			execl(arg, arg, (char *)NULL);
			_exit(127);
		}
		return waitpid(pid, &status, 0) == pid ? 0 : -1;
	}
	if (strcmp(mode, "connect") == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(atoi(arg)) };

		inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return -1;
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		return close(fd);
	}
	fprintf(stderr, "unknown mode %s\n", mode);
	exit(2);
}

/* The files openwk opens, so that its opens never create or truncate. */
static int make_files(const char *dir)
{
	char path[4096];
	unsigned long i;
	int fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/f%lu", dir, i);
		fd = open(path, O_WRONLY | O_CREAT, 0600);
		if (fd < 0 || close(fd))
			return -1;
	}
	return 0;
}

/*
 * A listener on 127.0.0.1 (free port) served by a child that accepts and
 * closes until killed: a listener nobody accepts on fills its backlog and
 * then stalls connect(). Returns the port, or -1.
 */
static int start_listener(pid_t *child)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4096) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len))
		return -1;
	*child = fork();
	if (*child < 0)
		return -1;
	if (*child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c >= 0)
				close(c);
		}
	}
	close(fd);
	return ntohs(sin.sin_port);
}

int main(int argc, char **argv)
{
	const char *mode, *arg = NULL;
	char port[16];
	pid_t listener = -1;
	double rate = 0, seconds = 5, start, t;
	int procs = 1, c, i;
	unsigned long *total;

	if (argc < 2) {
		fprintf(stderr, "usage: loadgen MODE [-r OPS_PER_S] [-d SECONDS] [-p PROCS] [-a ARG]\n");
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "r:d:p:a:")) != -1) {
		switch (c) {
		case 'r': rate = atof(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case 'a': arg = optarg; break;
		default: return 2;
		}
	}
	if (strcmp(mode, "connect") == 0 && !arg) {
		int p = start_listener(&listener);

		if (p < 0) {
			perror("listener");
			return 1;
		}
		snprintf(port, sizeof(port), "%d", p);
		arg = port;
	}
	if (!arg)
		arg = "/tmp";
	if (strcmp(mode, "openwk") == 0 && make_files(arg)) {
		perror(arg);
		return 1;
	}
	total = mmap(NULL, sizeof(*total) * procs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	start = now();
	for (i = 0; i < procs; i++) {
		if (fork() == 0) {
			double per_proc = rate / procs, end = start + seconds;
			unsigned long n = 0;

			/* a generator killed early takes its workers along */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);

			while ((t = now()) < end) {
				/* paced: never ahead of the schedule for the requested rate */
				if (per_proc > 0 && n >= (t - start) * per_proc) {
					struct timespec ts = { 0, 20000 };

					nanosleep(&ts, NULL);
					continue;
				}
				if (one_op(mode, arg, n) < 0 && errno != ECONNREFUSED) {
					perror(mode);
					_exit(1);
				}
				n++;
			}
			total[i] = n;
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++)
		if (wait(NULL) == listener)
			i--; /* not a worker */
	t = now() - start;
	if (listener > 0) {
		kill(listener, SIGKILL);
		waitpid(listener, NULL, 0);
	}
	{
		unsigned long ops = 0;

		for (i = 0; i < procs; i++)
			ops += total[i];
		printf("%s ops=%lu seconds=%.2f rate=%.0f\n", mode, ops, t, ops / t);
	}
	return 0;
}
