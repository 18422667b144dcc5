// SPDX-License-Identifier: Apache-2.0
/*
 * Workload generator for the benchmarks: a storm of one syscall pattern at a
 * fixed rate (or as fast as possible) for a fixed time, from N processes.
 *
 *   loadgen MODE [-r OPS_PER_S] [-d SECONDS] [-p PROCS] [-a ARG]
 *   MODE: openw   open(O_WRONLY|O_CREAT|O_TRUNC)+close in directory ARG
 *         openr   open(O_RDONLY)+close of file ARG
 *         exec    fork+exec of ARG (a tiny static binary), waited for
 *         connect connect to 127.0.0.1:ARG (a listener), close
 *
 * Prints one line: "MODE ops=N seconds=S rate=R".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
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

int main(int argc, char **argv)
{
	const char *mode, *arg = "/tmp";
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
	total = mmap(NULL, sizeof(*total) * procs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	start = now();
	for (i = 0; i < procs; i++) {
		if (fork() == 0) {
			double per_proc = rate / procs, end = start + seconds;
			unsigned long n = 0;

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
		wait(NULL);
	t = now() - start;
	{
		unsigned long ops = 0;

		for (i = 0; i < procs; i++)
			ops += total[i];
		printf("%s ops=%lu seconds=%.2f rate=%.0f\n", mode, ops, t, ops / t);
	}
	return 0;
}
