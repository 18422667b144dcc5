// SPDX-License-Identifier: Apache-2.0
/*
 * Opens a file for writing through one door and writes a line into it, as a
 * breakout would: the test drivers run it in a container (Docker on the
 * host, a new mount and pid namespace in the test VM) against a cgroup v1
 * release_agent and assert whether the open was refused, the writer killed,
 * or the write landed. Statically linked, so that it runs in any container.
 *
 * Usage: opener DOOR PATH DATA
 *   DOOR: syscall (openat of PATH), relative (chdir to its directory, openat
 *   of its name), symlink (openat of a new symlink to PATH), handle
 *   (open_by_handle_at of PATH's handle), uring (an io_uring IORING_OP_OPENAT)
 * Prints one line "door=D open=OK|ERRNO open_ns=N write=OK|ERRNO"; exit
 * status 0 when the write landed, 1 when the open was refused with EPERM,
 * 2 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int uring_open(const char *path)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int r;

	r = io_uring_queue_init(4, &ring, 0);
	if (r < 0)
		return r;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_WRONLY, 0);
	io_uring_submit(&ring);
	r = io_uring_wait_cqe(&ring, &cqe);
	if (r == 0) {
		r = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	/* the ring is left open: its fd table entry is the opened file's */
	return r;
}

static int handle_open(const char *path)
{
	struct {
		struct file_handle fh;
		unsigned char buf[128];
	} h = { .fh.handle_bytes = 128 };
	int mount_id, mfd, fd;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	/* any fd on the mount (an O_PATH one is refused: EBADF) */
	mfd = open(path, O_RDONLY);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_WRONLY);
	return fd < 0 ? -errno : fd;
}

int main(int argc, char **argv)
{
	const char *door, *path, *data;
	char dir[PATH_MAX], link[64];
	long long t0, t1;
	int fd, e = 0;
	ssize_t w;

	if (argc != 4) {
		fprintf(stderr, "usage: opener syscall|relative|symlink|handle|uring PATH DATA\n");
		return 2;
	}
	door = argv[1], path = argv[2], data = argv[3];
	if (!strcmp(door, "relative")) {
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (!slash || chdir(slash == dir ? "/" : (*slash = '\0', dir)))
			return 2;
		path = strrchr(path, '/') + 1;
	} else if (!strcmp(door, "symlink")) {
		snprintf(link, sizeof(link), "/tmp/opener-link.%d", getpid());
		if (symlink(path, link))
			return 2;
		path = link;
	}
	t0 = now_ns();
	if (!strcmp(door, "uring"))
		fd = uring_open(path);
	else if (!strcmp(door, "handle"))
		fd = handle_open(path);
	else
		fd = openat(AT_FDCWD, path, O_WRONLY);
	if (fd < 0 && strcmp(door, "uring") && strcmp(door, "handle"))
		fd = -errno;
	t1 = now_ns();
	if (!strcmp(door, "symlink"))
		unlink(link);
	if (fd < 0) {
		printf("door=%s open=%s open_ns=%lld write=-\n", door, strerrorname_np(-fd), t1 - t0);
		return -fd == EPERM ? 1 : 2;
	}
	w = write(fd, data, strlen(data));
	if (w < 0)
		e = errno;
	printf("door=%s open=OK open_ns=%lld write=%s\n", door, t1 - t0, w < 0 ? strerrorname_np(e) : "OK");
	return w < 0 ? 2 : 0;
}
