// SPDX-License-Identifier: Apache-2.0
/*
 * The syscalls of Falco's event-generator specs (../shared/falco-rules/e2e-evtgen), performed for
 * real by tests/e2e/falco_evtgen.sh. Statically linked, so that the same file runs on the host and,
 * bind-mounted, in a busybox container.
 *
 * The process is run under whatever name a spec asks for (a symlink to this file: the kernel names
 * the task after the path executed), with the spec's arguments; what it does comes from the
 * environment, never from its arguments (a rule reads those): EG_OPS is a ';'-separated list of
 *
 *   user=NAME                  setgid/setuid to the user (from /etc/passwd: the container's or the host's)
 *   sleep=SECONDS / msleep=MILLISECONDS
 *   open=PATH,FLAGS / openat=PATH,FLAGS / openat2=PATH,FLAGS   FLAGS: r, w, wt (O_TRUNC), wa (O_APPEND); w* create 0644
 *   socket=packet|inet         socket(AF_PACKET, SOCK_RAW) or socket(AF_INET, SOCK_STREAM)
 *   connect=IP:PORT            a TCP connect (IPv4 or [IPv6]), kept open for the ops that follow
 *   dup2=FD / dup3=FD          the connected socket onto FD (0, 1, 2 or any other)
 *   memfd                      this program copied into a memfd and executed from it (fexecve)
 *   listen=IP:PORT             a TCP listener there (the server of a spec's clientServer resource)
 *   exec=PATH|ARG0|ARG1...     fork, exec PATH with these argv in the child and wait; the child's
 *                              ops are EG_OPS1 (its own children's EG_OPS2, and so on: shifted down)
 *
 * Exit status 0 when every op succeeded (an exec'd child's status included), else 1 with a message.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_PACKET
#define AF_PACKET 17
#endif

static int sock = -1;

static int die(const char *op, const char *arg)
{
	fprintf(stderr, "evtgen: %s %s: %s\n", op, arg, strerror(errno));
	return 1;
}

static int open_flags(const char *f)
{
	if (strcmp(f, "r") == 0)
		return O_RDONLY;
	if (strcmp(f, "wt") == 0)
		return O_WRONLY | O_CREAT | O_TRUNC;
	if (strcmp(f, "wa") == 0)
		return O_WRONLY | O_CREAT | O_APPEND;
	return O_WRONLY | O_CREAT;
}

static int op_open(const char *call, char *arg)
{
	char *comma = strrchr(arg, ',');
	int flags, fd;

	if (!comma)
		return errno = EINVAL, die(call, arg);
	*comma = '\0';
	flags = open_flags(comma + 1);
	if (strcmp(call, "open") == 0) {
		fd = syscall(SYS_open, arg, flags, 0644);
	} else if (strcmp(call, "openat") == 0) {
		fd = syscall(SYS_openat, AT_FDCWD, arg, flags, 0644);
	} else {
		struct open_how how = { .flags = flags, .mode = flags & O_CREAT ? 0644 : 0 };

		fd = syscall(SYS_openat2, AT_FDCWD, arg, &how, sizeof(how));
	}
	if (fd < 0)
		return die(call, arg);
	close(fd);
	return 0;
}

/* IP:PORT or [IPv6]:PORT into a socket address; 0 or -1 */
static int parse_addr(char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	char *colon = strrchr(arg, ':');
	int port;

	memset(ss, 0, sizeof(*ss));
	if (!colon)
		return -1;
	*colon = '\0';
	port = atoi(colon + 1);
	if (arg[0] == '[') {
		struct sockaddr_in6 *s6 = (void *)ss;

		arg[strlen(arg) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, arg + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	*len = sizeof(struct sockaddr_in);
	return inet_pton(AF_INET, arg, &((struct sockaddr_in *)ss)->sin_addr) == 1 ? 0 : -1;
}

static int op_connect(char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (parse_addr(arg, &ss, &len))
		return errno = EINVAL, die("connect", arg);
	sock = socket(ss.ss_family, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (void *)&ss, len) < 0)
		return die("connect", arg);
	return 0;
}

/* kept open until the process exits: a connect to it completes without an accept */
static int op_listen(char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, s;

	if (parse_addr(arg, &ss, &len))
		return errno = EINVAL, die("listen", arg);
	s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) || bind(s, (void *)&ss, len) ||
	    listen(s, 16))
		return die("listen", arg);
	return 0;
}

static int op_memfd(void)
{
	static char *const argv[] = { "eg_memfd", NULL };
	char *const envp[] = { "EG_OPS=", NULL };
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), mfd = memfd_create("eg_memfd", 0);
	ssize_t n;
	pid_t pid;
	int status;

	if (in < 0 || mfd < 0)
		return die("memfd", "create");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return die("memfd", "write");
	close(in);
	pid = fork();
	if (pid == 0) {
		fexecve(mfd, argv, envp);
		_exit(die("memfd", "fexecve"));
	}
	close(mfd);
	waitpid(pid, &status, 0);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int op_exec(char *arg)
{
	char *argv[32];
	int argc = 0, status;
	char *p = arg, *bar;
	pid_t pid;

	while (argc < 31) {
		bar = strchr(p, '|');
		argv[argc++] = p;
		if (!bar)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	argv[argc] = NULL;
	if (argc < 2)
		return errno = EINVAL, die("exec", arg);
	pid = fork();
	if (pid == 0) {
		char var[16];
		int i;

		for (i = 0; i < 8; i++) {
			const char *down;

			snprintf(var, sizeof(var), "EG_OPS%d", i + 1);
			down = getenv(var);
			snprintf(var, sizeof(var), i ? "EG_OPS%d" : "EG_OPS", i);
			setenv(var, down ? down : "", 1);
		}
		execv(argv[0], argv + 1);
		_exit(die("exec", argv[0]));
	}
	waitpid(pid, &status, 0);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* /etc/passwd read by hand: a static program has no NSS modules (none in a busybox image either) */
static int op_user(const char *name)
{
	FILE *f = fopen("/etc/passwd", "r");
	char line[512];
	unsigned int uid, gid;
	size_t n = strlen(name);

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':' && sscanf(line + n, ":%*[^:]:%u:%u:", &uid, &gid) == 2) {
			fclose(f);
			if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
				return die("user", name);
			return 0;
		}
	if (f)
		fclose(f);
	return errno = ENOENT, die("user", name);
}

int main(void)
{
	const char *env = getenv("EG_OPS");
	char *ops = strdup(env ? env : ""), *op = ops, *next, *val;
	int rc = 0;

	while (op && *op && rc == 0) {
		next = strchr(op, ';');
		if (next)
			*next++ = '\0';
		val = strchr(op, '=');
		if (val)
			*val++ = '\0';
		if (strcmp(op, "user") == 0 && val)
			rc = op_user(val);
		else if (strcmp(op, "sleep") == 0 && val)
			sleep(atoi(val));
		else if (strcmp(op, "msleep") == 0 && val)
			usleep(atoi(val) * 1000);
		else if ((strcmp(op, "open") == 0 || strcmp(op, "openat") == 0 || strcmp(op, "openat2") == 0) && val)
			rc = op_open(op, val);
		else if (strcmp(op, "socket") == 0 && val) {
			int s = strcmp(val, "packet") == 0 ? socket(AF_PACKET, SOCK_RAW, 0) : socket(AF_INET, SOCK_STREAM, 0);

			rc = s < 0 ? die("socket", val) : (close(s), 0);
		} else if (strcmp(op, "connect") == 0 && val)
			rc = op_connect(val);
		else if ((strcmp(op, "dup2") == 0 || strcmp(op, "dup3") == 0) && val) {
			int fd = atoi(val);
			int r = op[3] == '2' ? dup2(sock, fd) : dup3(sock, fd, 0);

			rc = r < 0 ? die(op, val) : 0;
		} else if (strcmp(op, "memfd") == 0)
			rc = op_memfd();
		else if (strcmp(op, "exec") == 0 && val)
			rc = op_exec(val);
		else if (strcmp(op, "listen") == 0 && val)
			rc = op_listen(val);
		else
			rc = (errno = EINVAL, die("unknown op", op));
		op = next;
	}
	free(ops);
	return rc;
}
