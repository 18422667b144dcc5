// SPDX-License-Identifier: Apache-2.0
/*
 * Injection techniques for the e2e attacks, run inside a container (built
 * static by tests/e2e/attacks.c and bind-mounted read-only). Each mode does one
 * thing to itself or to its own child, then cleans up.
 *   poke    a child offers itself (PTRACE_TRACEME); the parent writes its memory (POKEDATA)
 *   peek    the same child, only read (PEEKDATA): the benign twin
 *   vmwrite process_vm_writev into a paused child
 *   wx      anonymous memory written, made executable and run
 *   ro      anonymous memory made read-only (a guard or a frozen arena): the benign twin
 *   connect PATH [LISTEN]  connects to the unix socket PATH (the busybox image has no unix
 *           client); with LISTEN, first binds and listens there itself (its own socket)
 *   install SRC DST MODE  what a package manager does with each file: writes DST.dpkg-new
 *           with MODE (octal), then renames it over DST (run as "dpkg": the benign twin)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long word = 1;

static int traced_child(int poke)
{
	pid_t c = fork();
	int status, rc = 1;

	if (c == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(c, &status, 0) == c && WIFSTOPPED(status)) {
		if (poke)
			rc = ptrace(PTRACE_POKEDATA, c, (void *)&word, (void *)42L) != 0;
		else
			rc = ptrace(PTRACE_PEEKDATA, c, (void *)&word, NULL) != 1;
	}
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return rc;
}

static int vmwrite(void)
{
	long v = 7;
	struct iovec l = { &v, sizeof(v) }, r = { (void *)&word, sizeof(v) };
	pid_t c = fork();
	int rc;

	if (c == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	rc = process_vm_writev(c, &l, 1, &r, 1, 0) != sizeof(v);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return rc;
}

static int protect(int exec)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	p[0] = 0xc3; /* x86-64 ret */
	if (mprotect(p, 4096, exec ? PROT_READ | PROT_EXEC : PROT_READ))
		return 1;
	if (exec)
		((void (*)(void))p)();
	return 0;
}

static int unix_connect(const char *path, const char *listen_path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int l = -1, c = socket(AF_UNIX, SOCK_STREAM, 0), rc;

	if (listen_path) {
		l = socket(AF_UNIX, SOCK_STREAM, 0);
		strncpy(a.sun_path, listen_path, sizeof(a.sun_path) - 1);
		unlink(listen_path);
		if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
			return 1;
	}
	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	rc = connect(c, (struct sockaddr *)&a, sizeof(a)) ? 1 : 0;
	close(c);
	if (listen_path) {
		close(l);
		unlink(listen_path);
	}
	return rc;
}

static int install(const char *src, const char *dst, const char *mode)
{
	char tmp[4096], buf[65536];
	int in = open(src, O_RDONLY), out;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s.dpkg-new", dst);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, (mode_t)strtol(mode, NULL, 8));
	if (in < 0 || out < 0)
		return 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			return 1;
	close(in);
	if (fsync(out) || close(out))
		return 1;
	return rename(tmp, dst) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (!strcmp(m, "poke") || !strcmp(m, "peek"))
		return traced_child(!strcmp(m, "poke"));
	if (!strcmp(m, "vmwrite"))
		return vmwrite();
	if (!strcmp(m, "wx") || !strcmp(m, "ro"))
		return protect(!strcmp(m, "wx"));
	if (!strcmp(m, "install") && argc > 4)
		return install(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "connect") && argc > 2)
		return unix_connect(argv[2], argc > 3 ? argv[3] : NULL);
	return 2;
}
