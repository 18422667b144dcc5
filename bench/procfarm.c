// SPDX-License-Identifier: Apache-2.0
/*
 * Synthetic containers and processes for the agent's memory figure: creates
 * N_CGROUPS cgroups named like Docker's cgroupfs driver names them,
 * CGROUP_ROOT/docker/<64 hex>, and N_PROCS processes spread over them, each
 * moving itself into its cgroup and then executing SLEEPER (which waits to
 * be killed), paced at PER_S. An agent running meanwhile sees each one's
 * fork, cgroup attach and exec, and tracks N_PROCS processes in N_CGROUPS
 * containers (the Docker daemon does not know them: their metadata lookups
 * fail and are retried with back-off, as for a container not yet registered).
 *
 *   procfarm CGROUP_ROOT N_PROCS N_CGROUPS SLEEPER [PER_S]
 *
 * CGROUP_ROOT is a directory in a mounted cgroup hierarchy (created if
 * missing). Prints "farm ready" once every process has executed SLEEPER,
 * then waits for SIGINT/SIGTERM or end of input, kills the processes and
 * removes the cgroups.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char root[4096];
static size_t n_cg;

static void cg_path(char *buf, size_t len, size_t i, const char *file)
{
	/* a fixed, recognisable id per index: "b0b0" then the index, zero-padded to 64 hex digits */
	snprintf(buf, len, "%s/docker/b0b0%060zx%s%s", root, i, file ? "/" : "", file ? file : "");
}

static void cleanup(void)
{
	char path[4200];
	size_t i;

	for (i = 0; i < n_cg; i++) {
		cg_path(path, sizeof(path), i, NULL);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/docker", root);
	rmdir(path);
	rmdir(root);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n_procs, i, started = 0;
	double rate = 2000, start;
	const char *sleeper;
	char path[4200];
	pid_t *pids;
	sigset_t set;
	int sig;

	if (argc < 5) {
		fprintf(stderr, "usage: procfarm CGROUP_ROOT N_PROCS N_CGROUPS SLEEPER [PER_S]\n");
		return 2;
	}
	snprintf(root, sizeof(root), "%s", argv[1]);
	n_procs = strtoul(argv[2], NULL, 10);
	n_cg = strtoul(argv[3], NULL, 10);
	sleeper = argv[4];
	if (argc > 5)
		rate = atof(argv[5]);
	if (n_cg == 0 || n_procs == 0 || rate <= 0 || !(pids = calloc(n_procs, sizeof(*pids)))) {
		fprintf(stderr, "procfarm: bad arguments\n");
		return 2;
	}
	/* the signals that end the farm wait in sigwait, never kill it early */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	snprintf(path, sizeof(path), "%s/docker", root);
	if ((mkdir(root, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n_cg; i++) {
		cg_path(path, sizeof(path), i, NULL);
		if (mkdir(path, 0755) && errno != EEXIST) {
			perror(path);
			cleanup();
			return 1;
		}
	}
	start = now();
	for (i = 0; i < n_procs; i++) {
		while (now() < start + i / rate)
			usleep(500);
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			break;
		}
		if (pids[i] == 0) {
			int fd;

			sigprocmask(SIG_UNBLOCK, &set, NULL);
			cg_path(path, sizeof(path), i % n_cg, "cgroup.procs");
			fd = open(path, O_WRONLY);
			if (fd < 0 || write(fd, "0", 1) != 1)
				_exit(126);
			close(fd);
			execl(sleeper, "sleeper", (char *)NULL);
			_exit(127);
		}
		started++;
	}
	printf("farm ready: %zu processes in %zu cgroups under %s/docker\n", started, n_cg, root);
	fflush(stdout);
	if (started == n_procs)
		sigwait(&set, &sig);
	for (i = 0; i < started; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < started; i++)
		waitpid(pids[i], NULL, 0);
	cleanup();
	return started == n_procs ? 0 : 1;
}
