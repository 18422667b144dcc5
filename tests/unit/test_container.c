// SPDX-License-Identifier: Apache-2.0
/*
 * Containers without a runtime: identity from cgroup paths as they appear in
 * /proc/<pid>/cgroup (the path part of a line), and posture from the texts the
 * runtimes answer with (an OCI runtime spec, a Docker Engine inspect answer),
 * written out here so that every expected bit is known.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "container.h"

/* ---- identity from cgroup paths -------------------------------------------------------- */

#define ID1 "0a1b2c3d4e5f60718293a4b5c6d7e8f9" "0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210" "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
#define ID63 "0a1b2c3d4e5f60718293a4b5c6d7e8f9" "0123456789abcdef0123456789abcde"
#define ID65 "0a1b2c3d4e5f60718293a4b5c6d7e8f9" "0123456789abcdef0123456789abcdef0"
#define ID_UPPER "0A1B2C3D4E5F60718293A4B5C6D7E8F9" "0123456789ABCDEF0123456789ABCDEF"
#define ID_LAST_UPPER "0a1b2c3d4e5f60718293a4b5c6d7e8f9" "0123456789abcdef0123456789abcdeF"
#define ID_NONHEX "0a1b2c3d4e5f60718293a4b5c6d7e8f9" "0123456789abcdef0123456789abcdeg"
#define POD "6d8e2f1a-3b4c-4d5e-8f90-a1b2c3d4e5f6"  /* as the API server gives it */
#define POD_ "6d8e2f1a_3b4c_4d5e_8f90_a1b2c3d4e5f6" /* as the systemd cgroup driver writes it */
#define POD35 "6d8e2f1a-3b4c-4d5e-8f90-a1b2c3d4e5f"
#define POD37 "6d8e2f1a-3b4c-4d5e-8f90-a1b2c3d4e5f60"
#define POD_BADCHAR "6d8e2f1a-3b4c-4d5e-8f90-a1b2c3d4e5fz" /* 36 characters, the last one not hex */

_Static_assert(sizeof(ID1) == 65 && sizeof(ID2) == 65 && sizeof(ID_UPPER) == 65 && sizeof(ID_LAST_UPPER) == 65 &&
		       sizeof(ID_NONHEX) == 65,
	       "64-character ids");
_Static_assert(sizeof(ID63) == 64 && sizeof(ID65) == 66, "63 and 65 characters");
_Static_assert(sizeof(POD) == 37 && sizeof(POD_) == 37 && sizeof(POD_BADCHAR) == 37, "36-character pod UIDs");
_Static_assert(sizeof(POD35) == 36 && sizeof(POD37) == 38, "35 and 37 characters");

struct ident_case {
	const char *path;
	enum container_runtime rt;
	const char *id;
	const char *pod_uid;
};

static void check_ident(const struct ident_case *c, int want_rc)
{
	struct container_ident out;
	int rc;

	/* garbage first: every field must be written, the host case included */
	memset(&out, 0x5a, sizeof(out));
	rc = container_ident_from_cgroup(c->path, &out);
	CHECK(rc == want_rc && out.runtime == c->rt, "\"%s\": rc %d runtime %s (%d), want rc %d runtime %s", c->path, rc,
	      container_runtime_name(out.runtime), (int)out.runtime, want_rc, container_runtime_name(c->rt));
	CHECK(memchr(out.id, '\0', sizeof(out.id)) && strcmp(out.id, c->id) == 0, "\"%s\": id \"%.*s\", want \"%s\"",
	      c->path, (int)sizeof(out.id), out.id, c->id);
	CHECK(memchr(out.pod_uid, '\0', sizeof(out.pod_uid)) && strcmp(out.pod_uid, c->pod_uid) == 0,
	      "\"%s\": pod_uid \"%.*s\", want \"%s\"", c->path, (int)sizeof(out.pod_uid), out.pod_uid, c->pod_uid);
}

/* Docker, containerd (plain and nerdctl), podman: no Kubernetes. */
static void test_ident_runtimes(void)
{
	static const struct ident_case cases[] = {
		/* Docker, cgroupfs driver: v1 "4:memory:/docker/<id>", v2 "0::/docker/<id>" */
		{ "/docker/" ID1, RUNTIME_DOCKER, ID1, "" },
		/* Docker, systemd driver: v1 "1:name=systemd:/system.slice/...", v2 "0::/system.slice/..." */
		{ "/system.slice/docker-" ID1 ".scope", RUNTIME_DOCKER, ID1, "" },
		/* v2, a container running systemd: the process sits in a child of the container's cgroup */
		{ "/system.slice/docker-" ID1 ".scope/init.scope", RUNTIME_DOCKER, ID1, "" },
		{ "/system.slice/cri-containerd-" ID1 ".scope", RUNTIME_CONTAINERD, ID1, "" },
		{ "/system.slice/nerdctl-" ID1 ".scope", RUNTIME_CONTAINERD, ID1, "" },
		/* podman: systemd driver (rootful) and cgroupfs driver */
		{ "/machine.slice/libpod-" ID1 ".scope", RUNTIME_PODMAN, ID1, "" },
		{ "/libpod_parent/libpod-" ID1, RUNTIME_PODMAN, ID1, "" },
		/* a bare id is attributed to the runtime whose parent cgroup holds it */
		{ "/libpod_parent/" ID1, RUNTIME_PODMAN, ID1, "" },
		/*
		 * containerd's default namespace with the cgroupfs driver (ctr run): the path names
		 * no runtime, so the code reports RUNTIME_UNKNOWN (the cache asks the runtimes later).
		 */
		{ "/default/" ID1, RUNTIME_UNKNOWN, ID1, "" },
		/* docker-in-docker: the innermost container is the one the process is in */
		{ "/docker/" ID2 "/docker/" ID1, RUNTIME_DOCKER, ID1, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_ident(&cases[i], 0);
}

/* Kubelet layouts: the pod UID comes back with dashes whatever the cgroup driver wrote. */
static void test_ident_kubernetes(void)
{
	static const struct ident_case cases[] = {
		/* cgroupfs driver (v1 and v2 alike): the runtime is not named for containerd/dockershim */
		{ "/kubepods/besteffort/pod" POD "/" ID1, RUNTIME_UNKNOWN_K8S, ID1, POD },
		{ "/kubepods/burstable/pod" POD "/" ID1, RUNTIME_UNKNOWN_K8S, ID1, POD },
		{ "/kubepods/pod" POD "/" ID1, RUNTIME_UNKNOWN_K8S, ID1, POD }, /* guaranteed QoS */
		/* systemd driver */
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_ ".slice/cri-containerd-" ID1
		  ".scope",
		  RUNTIME_CONTAINERD, ID1, POD },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_ ".slice/cri-containerd-" ID1
		  ".scope",
		  RUNTIME_CONTAINERD, ID1, POD },
		{ "/kubepods.slice/kubepods-pod" POD_ ".slice/cri-containerd-" ID1 ".scope", RUNTIME_CONTAINERD, ID1, POD },
		/* systemd-style cgroupsPath under a containerd.service on cgroup v1 ("slice:prefix:name") */
		{ "/system.slice/containerd.service/kubepods-burstable-pod" POD_ ".slice:cri-containerd:" ID1,
		  RUNTIME_CONTAINERD, ID1, POD },
		/* CRI-O, systemd and cgroupfs drivers */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_ ".slice/crio-" ID1 ".scope",
		  RUNTIME_CRIO, ID1, POD },
		{ "/kubepods/besteffort/pod" POD "/crio-" ID1, RUNTIME_CRIO, ID1, POD },
		/* kind: a Kubernetes node in a Docker container (v2); the pod's container is the innermost */
		{ "/system.slice/docker-" ID2 ".scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice"
		  "/kubelet-kubepods-besteffort-pod" POD_ ".slice/cri-containerd-" ID1 ".scope",
		  RUNTIME_CONTAINERD, ID1, POD },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_ident(&cases[i], 0);
}

/* A pod component whose UID is malformed: no pod_uid, the container is still found. */
static void test_ident_bad_pod_uid(void)
{
	static const struct ident_case cases[] = {
		{ "/kubepods/besteffort/pod" POD35 "/" ID1, RUNTIME_UNKNOWN_K8S, ID1, "" },
		{ "/kubepods/besteffort/pod" POD37 "/" ID1, RUNTIME_UNKNOWN_K8S, ID1, "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD35 ".slice/cri-containerd-" ID1
		  ".scope",
		  RUNTIME_CONTAINERD, ID1, "" },
		/* right length, but not a UID: nothing of it may leak into pod_uid */
		{ "/kubepods/besteffort/pod" POD_BADCHAR "/" ID1, RUNTIME_UNKNOWN_K8S, ID1, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_ident(&cases[i], 0);
}

/* Paths that are not a container's: -ENOENT and {RUNTIME_NONE, "host", ""}. */
static void test_ident_host(void)
{
	static const char *const paths[] = {
		"/",
		"",
		"/init.scope",
		"/user.slice/user-1000.slice/session-2.scope",
		"/system.slice/docker.service",
		"/system.slice/containerd.service",
		/* conmon monitors a container from outside it */
		"/machine.slice/libpod-conmon-" ID1 ".scope",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_ ".slice/crio-conmon-" ID1 ".scope",
		"/kubepods/besteffort/pod" POD "/crio-conmon-" ID1,
		/* not a 64-character lowercase hex id */
		"/docker/" ID63,
		"/docker/" ID65,
		"/system.slice/docker-" ID63 ".scope",
		"/system.slice/docker-" ID65 ".scope",
		"/docker/" ID_UPPER,
		"/docker/" ID_LAST_UPPER,
		"/docker/" ID_NONHEX,
		"/system.slice/cri-containerd-" ID_NONHEX ".scope",
		/* a pod's cgroup, no container in it */
		"/kubepods/besteffort/pod" POD,
		"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_ ".slice",
		"/docker",
	};

	struct container_ident out;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct ident_case c = { paths[i], RUNTIME_NONE, "host", "" };

		check_ident(&c, -ENOENT);
	}
	/* no path at all (a process whose cgroup is not known) */
	memset(&out, 0x5a, sizeof(out));
	CHECK_INT(container_ident_from_cgroup(NULL, &out), -ENOENT);
	CHECK(out.runtime == RUNTIME_NONE && strcmp(out.id, "host") == 0 && !out.pod_uid[0], "NULL path: %d \"%.8s\"",
	      (int)out.runtime, out.id);
}

/* ---- names ----------------------------------------------------------------------------------- */

static void test_risk_names(void)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} risks[] = {
		{ RISK_ROOT_USER, "root_user" },
		{ RISK_PRIVILEGED, "privileged" },
		{ RISK_DANGEROUS_CAPS, "dangerous_caps" },
		{ RISK_NO_SECCOMP, "no_seccomp" },
		{ RISK_PRIV_ESCALATION, "priv_escalation" },
		{ RISK_WRITABLE_ROOTFS, "writable_rootfs" },
		{ RISK_HOST_PID, "host_pid" },
		{ RISK_HOST_NETWORK, "host_network" },
		{ RISK_HOST_IPC, "host_ipc" },
		{ RISK_SENSITIVE_MOUNT, "sensitive_mount" },
	};
	uint32_t all = 0;
	size_t i;

	for (i = 0; i < sizeof(risks) / sizeof(risks[0]); i++) {
		CHECK_STR(container_risk_name(__builtin_ctz(risks[i].bit)), risks[i].name);
		all |= risks[i].bit;
	}
	/* the table is every bit, contiguous from bit 0; nothing past the last */
	CHECK_INT(all, (1u << (sizeof(risks) / sizeof(risks[0]))) - 1);
	CHECK(container_risk_name(sizeof(risks) / sizeof(risks[0])) == NULL, "a name past the last bit");
	CHECK(container_risk_name(31) == NULL && container_risk_name(~0u) == NULL, "a name for a far bit");
}

static void test_runtime_names(void)
{
	CHECK_STR(container_runtime_name(RUNTIME_NONE), "host");
	CHECK_STR(container_runtime_name(RUNTIME_DOCKER), "docker");
	CHECK_STR(container_runtime_name(RUNTIME_CONTAINERD), "containerd");
	CHECK_STR(container_runtime_name(RUNTIME_CRIO), "cri-o");
	CHECK_STR(container_runtime_name(RUNTIME_PODMAN), "podman");
	CHECK_STR(container_runtime_name(RUNTIME_UNKNOWN_K8S), "kubernetes");
	CHECK_STR(container_runtime_name(RUNTIME_UNKNOWN), "unknown");
	CHECK_STR(container_runtime_name((enum container_runtime)(RUNTIME_UNKNOWN + 1)), "unknown");
	CHECK_STR(container_runtime_name((enum container_runtime)1000), "unknown");
}

/* ---- text helpers ------------------------------------------------------------------------- */

/* @base with its one occurrence of @from replaced by @to; the change must apply exactly once. */
static char *with(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t bl = strlen(base), fl = strlen(from), tl = strlen(to);
	char *out;

	CHECK(at && !strstr(at + 1, from), "\"%s\" is not in the text exactly once", from);
	if (!at)
		return strdup(base);
	out = malloc(bl - fl + tl + 1);
	if (!out)
		abort();
	memcpy(out, base, at - base);
	memcpy(out + (at - base), to, tl);
	memcpy(out + (at - base) + tl, at + fl, bl - (at - base) - fl + 1);
	return out;
}

static const char *const all_caps[] = {
	"CAP_CHOWN",          "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",       "CAP_FSETID",
	"CAP_KILL",           "CAP_SETGID",       "CAP_SETUID",          "CAP_SETPCAP",      "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",    "CAP_NET_RAW",      "CAP_IPC_LOCK",
	"CAP_IPC_OWNER",      "CAP_SYS_MODULE",   "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",   "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",      "CAP_SYS_ADMIN",    "CAP_SYS_BOOT",        "CAP_SYS_NICE",     "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",         "CAP_LEASE",        "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",  "CAP_SETFCAP",      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",    "CAP_SYSLOG",
	"CAP_WAKE_ALARM",     "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",     "CAP_PERFMON",      "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

/* The first @n capabilities (kernel numbering) as a JSON array body: "CAP_CHOWN", "CAP_DAC_OVERRIDE", ... */
static void caps_json(char *buf, size_t size, size_t n)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : "", all_caps[i]);
}

/* ---- OCI runtime spec ------------------------------------------------------------------------ */

/* Docker's default set (moby oci/caps/defaults.go). */
#define DEFAULT_CAPS                                                                                      \
	"\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FSETID\", \"CAP_FOWNER\", \"CAP_MKNOD\", \"CAP_NET_RAW\", " \
	"\"CAP_SETGID\", \"CAP_SETUID\", \"CAP_SETFCAP\", \"CAP_SETPCAP\", \"CAP_NET_BIND_SERVICE\", "          \
	"\"CAP_SYS_CHROOT\", \"CAP_KILL\", \"CAP_AUDIT_WRITE\""

#define CTR_DIR "/var/lib/docker/containers/" ID1

#define SECCOMP_BLOCK                                                                                      \
	"    \"seccomp\": {\n"                                                                                 \
	"      \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,\n"                                \
	"      \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n"              \
	"      \"syscalls\": [\n"                                                                              \
	"        {\"names\": [\"accept\", \"accept4\", \"access\", \"bind\", \"brk\", \"clone\", \"close\", "   \
	"\"execve\", \"exit_group\", \"openat\", \"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"      \
	"        {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", "                              \
	"\"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}\n"                                 \
	"      ]\n"                                                                                            \
	"    },\n"

/* What dockerd hands runc for `docker run --user 1000 --read-only --security-opt no-new-privileges nginx`. */
static const char oci_base[] =
	"{\n"
	"  \"ociVersion\": \"1.0.2-dev\",\n"
	"  \"process\": {\n"
	"    \"user\": {\"uid\": 1000, \"gid\": 1000, \"additionalGids\": [1000]},\n"
	"    \"args\": [\"/docker-entrypoint.sh\", \"nginx\", \"-g\", \"daemon off;\"],\n"
	"    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"HOSTNAME=0a1b2c3d4e5f\"],\n"
	"    \"cwd\": \"/\",\n"
	"    \"capabilities\": {\n"
	"      \"bounding\": [" DEFAULT_CAPS "],\n"
	"      \"effective\": [" DEFAULT_CAPS "],\n"
	"      \"permitted\": [" DEFAULT_CAPS "]\n"
	"    },\n"
	"    \"apparmorProfile\": \"docker-default\",\n"
	"    \"noNewPrivileges\": true,\n"
	"    \"oomScoreAdj\": 0\n"
	"  },\n"
	"  \"root\": {\"path\": \"/var/lib/docker/overlay2/3c5e7a/merged\", \"readonly\": true},\n"
	"  \"hostname\": \"0a1b2c3d4e5f\",\n"
	"  \"mounts\": [\n"
	"    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\", \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
	"    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	"    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},\n"
	"    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
	"    {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"ro\", \"nosuid\", \"noexec\", \"nodev\"]},\n"
	"    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
	"    {\"destination\": \"/dev/shm\", \"type\": \"bind\", \"source\": \"" CTR_DIR "/mounts/shm\", \"options\": [\"rbind\", \"rprivate\"]},\n"
	"    {\"destination\": \"/etc/resolv.conf\", \"type\": \"bind\", \"source\": \"" CTR_DIR "/resolv.conf\", \"options\": [\"rbind\", \"rprivate\"]},\n"
	"    {\"destination\": \"/etc/hostname\", \"type\": \"bind\", \"source\": \"" CTR_DIR "/hostname\", \"options\": [\"rbind\", \"rprivate\"]},\n"
	"    {\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": \"" CTR_DIR "/hosts\", \"options\": [\"rbind\", \"rprivate\"]}\n"
	"  ],\n"
	"  \"hooks\": {\"prestart\": [{\"path\": \"/proc/1234/exe\", \"args\": [\"libnetwork-setkey\", \"-exec-root=/var/run/docker\", \"" ID1 "\", \"9f8e7d6c5b4a\"]}]},\n"
	"  \"linux\": {\n"
	"    \"sysctl\": {\"net.ipv4.ip_unprivileged_port_start\": \"0\", \"net.ipv4.ping_group_range\": \"0 2147483647\"},\n"
	"    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}], \"blockIO\": {}},\n"
	"    \"cgroupsPath\": \"system.slice:docker:" ID1 "\",\n"
	"    \"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\"}, {\"type\": \"uts\"}, {\"type\": \"pid\"}, "
	"{\"type\": \"ipc\"}, {\"type\": \"cgroup\"}],\n"
	SECCOMP_BLOCK
	"    \"maskedPaths\": [\"/proc/asound\", \"/proc/acpi\", \"/proc/kcore\", \"/proc/keys\", \"/sys/firmware\"],\n"
	"    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]\n"
	"  }\n"
	"}\n";

#define MOUNTS_START "\"mounts\": [\n"
#define CONTAINERD_ANNOTATIONS                                                                         \
	"  \"annotations\": {\n"                                                                           \
	"    \"io.kubernetes.cri.container-name\": \"nginx\",\n"                                           \
	"    \"io.kubernetes.cri.container-type\": \"container\",\n"                                       \
	"    \"io.kubernetes.cri.image-name\": \"docker.io/library/nginx:1.25\",\n"                        \
	"    \"io.kubernetes.cri.sandbox-id\": \"" ID2 "\",\n"                                             \
	"    \"io.kubernetes.cri.sandbox-name\": \"web-7d9f8b6c5-x2x4k\",\n"                              \
	"    \"io.kubernetes.cri.sandbox-namespace\": \"shop\",\n"                                         \
	"    \"io.kubernetes.cri.sandbox-uid\": \"" POD "\"\n"                                             \
	"  },\n"
#define CRIO_ANNOTATIONS                                                                               \
	"  \"annotations\": {\n"                                                                           \
	"    \"io.container.manager\": \"cri-o\",\n"                                                       \
	"    \"io.kubernetes.container.name\": \"node-exporter\",\n"                                       \
	"    \"io.kubernetes.cri-o.ContainerType\": \"container\",\n"                                      \
	"    \"io.kubernetes.cri-o.Image\": \"sha256:" ID2 "\",\n"                                         \
	"    \"io.kubernetes.cri-o.ImageName\": \"quay.io/prometheus/node-exporter:v1.7.0\",\n"            \
	"    \"io.kubernetes.cri-o.SandboxID\": \"" ID2 "\",\n"                                            \
	"    \"io.kubernetes.container.ports\": \"[{\\\"name\\\":\\\"metrics\\\",\\\"containerPort\\\":9100,"           \
	"\\\"protocol\\\":\\\"TCP\\\"},{\\\"containerPort\\\":53,\\\"protocol\\\":\\\"UDP\\\"}]\",\n"                   \
	"    \"io.kubernetes.pod.name\": \"node-exporter-5xk2p\",\n"                                       \
	"    \"io.kubernetes.pod.namespace\": \"monitoring\",\n"                                           \
	"    \"io.kubernetes.pod.uid\": \"" POD "\"\n"                                                     \
	"  },\n"

static int parse_oci(const char *text, struct container_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	return container_parse_oci_spec(text, ci);
}

static void test_oci_default(void)
{
	struct container_info ci;

	CHECK_INT(parse_oci(oci_base, &ci), 0);
	CHECK(ci.risks == 0, "risks 0x%x", ci.risks);
	CHECK_STR(ci.user, "1000");
	CHECK_STR(ci.privileged_caps, "");
	CHECK_STR(ci.sensitive_mounts, "");
	CHECK(ci.cap_add == 0, "cap_add 0x%llx", (unsigned long long)ci.cap_add);
	/* no annotations: no metadata invented */
	CHECK_STR(ci.name, "");
	CHECK_STR(ci.image, "");
	CHECK_STR(ci.image_repo, "");
	CHECK_STR(ci.k8s_pod, "");
	CHECK_STR(ci.ident.pod_uid, "");
}

struct spec_change {
	const char *what, *from, *to;
	uint32_t risks;
	const char *privileged_caps, *sensitive_mounts;
};

static void check_change(const char *base, int (*parse)(const char *, struct container_info *),
			 const struct spec_change *c)
{
	char *text = with(base, c->from, c->to);
	struct container_info ci;
	int rc = parse(text, &ci);

	CHECK(rc == 0, "%s: rc %d", c->what, rc);
	CHECK(ci.risks == c->risks, "%s: risks 0x%x, want 0x%x", c->what, ci.risks, c->risks);
	CHECK(strcmp(ci.privileged_caps, c->privileged_caps) == 0, "%s: privileged_caps \"%s\", want \"%s\"", c->what,
	      ci.privileged_caps, c->privileged_caps);
	CHECK(strcmp(ci.sensitive_mounts, c->sensitive_mounts) == 0, "%s: sensitive_mounts \"%s\", want \"%s\"", c->what,
	      ci.sensitive_mounts, c->sensitive_mounts);
	free(text);
}

/* One change to the default spec at a time; each sets exactly its bit. */
static void test_oci_one_change(void)
{
	static const struct spec_change changes[] = {
		{ "uid 0", "\"uid\": 1000,", "\"uid\": 0,", RISK_ROOT_USER, "", "" },
		{ "no uid", "\"uid\": 1000, ", "", RISK_ROOT_USER, "", "" },
		{ "CAP_SYS_ADMIN effective", "\"effective\": [", "\"effective\": [\"CAP_SYS_ADMIN\", ", RISK_DANGEROUS_CAPS,
		  "CAP_SYS_ADMIN", "" },
		{ "CAP_SYS_PTRACE and CAP_NET_ADMIN effective", "\"effective\": [",
		  "\"effective\": [\"CAP_SYS_PTRACE\", \"CAP_NET_ADMIN\", ", RISK_DANGEROUS_CAPS,
		  "CAP_SYS_PTRACE,CAP_NET_ADMIN", "" },
		{ "CAP_BPF effective", "\"effective\": [", "\"effective\": [\"CAP_BPF\", ", RISK_DANGEROUS_CAPS, "CAP_BPF",
		  "" },
		{ "no seccomp", SECCOMP_BLOCK, "", RISK_NO_SECCOMP, "", "" },
		{ "noNewPrivileges absent", "\"noNewPrivileges\": true,\n", "", RISK_PRIV_ESCALATION, "", "" },
		{ "noNewPrivileges false", "\"noNewPrivileges\": true,", "\"noNewPrivileges\": false,",
		  RISK_PRIV_ESCALATION, "", "" },
		{ "root writable", "\"readonly\": true", "\"readonly\": false", RISK_WRITABLE_ROOTFS, "", "" },
		{ "root readonly absent", ", \"readonly\": true", "", RISK_WRITABLE_ROOTFS, "", "" },
		{ "no pid namespace", "{\"type\": \"pid\"}, ", "", RISK_HOST_PID, "", "" },
		{ "no network namespace", "{\"type\": \"network\"}, ", "", RISK_HOST_NETWORK, "", "" },
		{ "no ipc namespace", "{\"type\": \"ipc\"}, ", "", RISK_HOST_IPC, "", "" },
		/* joining another container's namespace (a Kubernetes pod's sandbox) is not the host's */
		{ "network namespace joined", "{\"type\": \"network\"}",
		  "{\"type\": \"network\", \"path\": \"/proc/4242/ns/net\"}", 0, "", "" },
		/* runc infers a bind mount from its options when "type" is absent */
		{ "bind of /", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/host\", \"source\": \"/\", \"options\": [\"rbind\", \"rw\"]},\n",
		  RISK_SENSITIVE_MOUNT, "", "/" },
		{ "bind of docker.sock", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/var/run/docker.sock\", \"type\": \"bind\", \"source\": "
			       "\"/var/run/docker.sock\", \"options\": [\"rbind\", \"rprivate\"]},\n",
		  RISK_SENSITIVE_MOUNT, "", "/var/run/docker.sock" },
		{ "bind of a container's own hosts file", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/etc/hosts2\", \"type\": \"bind\", \"source\": "
			       "\"/var/lib/docker/containers/x/hosts\", \"options\": [\"rbind\", \"rprivate\"]},\n",
		  0, "", "" },
		/* "type": "bind" alone makes it a bind mount */
		{ "read-only bind of /etc", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/host/etc\", \"type\": \"bind\", \"source\": \"/etc\", "
			       "\"options\": [\"ro\"]},\n",
		  RISK_SENSITIVE_MOUNT, "", "/etc" },
		/* a new procfs instance is the container's own, whatever its source is spelled */
		{ "proc mount with source /proc", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/proc2\", \"type\": \"proc\", \"source\": \"/proc\", "
			       "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n",
		  0, "", "" },
		/* the same place twice is one entry; a path that is a prefix of another is its own entry */
		{ "binds of docker.sock, /run and docker.sock again", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/var/run/docker.sock\", \"type\": \"bind\", \"source\": "
			       "\"/var/run/docker.sock\", \"options\": [\"rbind\"]},\n"
			       "    {\"destination\": \"/host/run\", \"type\": \"bind\", \"source\": \"/run\", "
			       "\"options\": [\"rbind\"]},\n"
			       "    {\"destination\": \"/sock\", \"type\": \"bind\", \"source\": \"/var/run/docker.sock\", "
			       "\"options\": [\"rbind\"]},\n",
		  RISK_SENSITIVE_MOUNT, "", "/var/run/docker.sock,/run" },
		{ "binds of / twice", MOUNTS_START,
		  MOUNTS_START "    {\"destination\": \"/a\", \"source\": \"/\", \"options\": [\"rbind\"]},\n"
			       "    {\"destination\": \"/b\", \"source\": \"/\", \"options\": [\"rbind\"]},\n",
		  RISK_SENSITIVE_MOUNT, "", "/" },
	};
	size_t i;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		check_change(oci_base, parse_oci, &changes[i]);
}

/* The full capability set is --privileged; Docker's count is 38 or more (old kernels have fewer). */
static void test_oci_capability_count(void)
{
	static const char from[] = "\"effective\": [" DEFAULT_CAPS "]";
	/* the first 37, 38 and 40 capabilities in kernel order all include dangerous ones */
	static const char want_37[] = "CAP_DAC_READ_SEARCH,CAP_NET_ADMIN,CAP_SYS_MODULE,CAP_SYS_RAWIO,CAP_SYS_PTRACE,"
				      "CAP_SYS_ADMIN,CAP_SYS_BOOT,CAP_MAC_OVERRIDE,CAP_MAC_ADMIN,CAP_SYSLOG";
	static const char want_40[] = "CAP_DAC_READ_SEARCH,CAP_NET_ADMIN,CAP_SYS_MODULE,CAP_SYS_RAWIO,CAP_SYS_PTRACE,"
				      "CAP_SYS_ADMIN,CAP_SYS_BOOT,CAP_MAC_OVERRIDE,CAP_MAC_ADMIN,CAP_SYSLOG,"
				      "CAP_PERFMON,CAP_BPF";
	static const struct {
		size_t n;
		uint32_t risks;
		const char *caps;
	} cases[] = {
		{ 37, RISK_DANGEROUS_CAPS, want_37 },
		{ 38, RISK_PRIVILEGED | RISK_DANGEROUS_CAPS, want_37 },
		{ 40, RISK_PRIVILEGED | RISK_DANGEROUS_CAPS, want_40 },
		{ 41, RISK_PRIVILEGED | RISK_DANGEROUS_CAPS, want_40 },
	};
	char caps[2048], to[2100], what[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spec_change c = { what, from, to, cases[i].risks, cases[i].caps, "" };

		caps_json(caps, sizeof(caps), cases[i].n);
		snprintf(to, sizeof(to), "\"effective\": [%s]", caps);
		snprintf(what, sizeof(what), "%zu capabilities", cases[i].n);
		check_change(oci_base, parse_oci, &c);
	}
}

static void test_oci_containerd_annotations(void)
{
	char *text = with(oci_base, "  \"ociVersion\": \"1.0.2-dev\",\n",
			  "  \"ociVersion\": \"1.1.0\",\n" CONTAINERD_ANNOTATIONS);
	struct container_info ci;

	CHECK_INT(parse_oci(text, &ci), 0);
	CHECK_STR(ci.k8s_pod, "web-7d9f8b6c5-x2x4k");
	CHECK_STR(ci.k8s_namespace, "shop");
	CHECK_STR(ci.ident.pod_uid, POD);
	CHECK_STR(ci.k8s_container, "nginx");
	CHECK_STR(ci.name, "nginx");
	CHECK_STR(ci.image, "docker.io/library/nginx:1.25");
	CHECK_STR(ci.image_repo, "docker.io/library/nginx");
	CHECK_STR(ci.image_tag, "1.25");
	CHECK(ci.risks == 0, "annotations changed the posture: 0x%x", ci.risks);
	free(text);
}

static void test_oci_crio_annotations(void)
{
	char *text = with(oci_base, "  \"ociVersion\": \"1.0.2-dev\",\n",
			  "  \"ociVersion\": \"1.0.2-dev\",\n" CRIO_ANNOTATIONS);
	struct container_info ci;

	CHECK_INT(parse_oci(text, &ci), 0);
	CHECK_STR(ci.k8s_pod, "node-exporter-5xk2p");
	CHECK_STR(ci.k8s_namespace, "monitoring");
	CHECK_STR(ci.ident.pod_uid, POD);
	CHECK_STR(ci.k8s_container, "node-exporter");
	CHECK_STR(ci.name, "node-exporter");
	CHECK_STR(ci.image, "quay.io/prometheus/node-exporter:v1.7.0");
	CHECK_STR(ci.image_repo, "quay.io/prometheus/node-exporter");
	CHECK_STR(ci.image_tag, "v1.7.0");
	CHECK(ci.risks == 0, "annotations changed the posture: 0x%x", ci.risks);
	/* containerPorts from the kubelet's annotation: TCP only (a UDP port has no listener) */
	CHECK_INT(ci.n_ports, 1);
	CHECK(container_declares_port(&ci, 9100) && !container_declares_port(&ci, 53), "declared ports");
	free(text);
}

/* What is already known (the pod UID from the cgroup path, a name from Docker) is not overwritten. */
static void test_oci_annotations_keep_known(void)
{
	char *text = with(oci_base, "  \"ociVersion\": \"1.0.2-dev\",\n",
			  "  \"ociVersion\": \"1.0.2-dev\",\n" CONTAINERD_ANNOTATIONS);
	struct container_info ci;

	memset(&ci, 0, sizeof(ci));
	strcpy(ci.ident.pod_uid, "11111111-2222-3333-4444-555555555555");
	strcpy(ci.name, "k8s_nginx_web");
	CHECK_INT(container_parse_oci_spec(text, &ci), 0);
	CHECK_STR(ci.ident.pod_uid, "11111111-2222-3333-4444-555555555555");
	CHECK_STR(ci.name, "k8s_nginx_web");
	CHECK_STR(ci.k8s_container, "nginx");
	free(text);
}

static void test_oci_invalid(void)
{
	static const char *const texts[] = {
		"",
		"{",
		"{\"ociVersion\": \"1.0.2\", \"process\": {\"user\": {\"uid\": 0}},}",
		"[{\"ociVersion\": \"1.0.2\"}]",
		"\"config\"",
		"null",
	};
	struct container_info ci;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		int rc = parse_oci(texts[i], &ci);

		CHECK(rc == -EINVAL, "\"%s\": rc %d", texts[i], rc);
		CHECK(ci.risks == 0, "\"%s\": risks 0x%x on an invalid spec", texts[i], ci.risks);
	}
	/* half a valid spec is still invalid */
	{
		char half[sizeof(oci_base) / 2];

		memcpy(half, oci_base, sizeof(half) - 1);
		half[sizeof(half) - 1] = '\0';
		CHECK_INT(parse_oci(half, &ci), -EINVAL);
	}
}

/* ---- Docker Engine inspect ------------------------------------------------------------------ */

#define IMAGE_ID "sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a0fedcba9876543210fedcba9876543210"

/* GET /containers/<id>/json for `docker run -d --name web --cap-add SYS_ADMIN --security-opt
 * seccomp=unconfined --pid host -v /:/host localhost:5000/team/app:2.1` (abridged). */
static const char inspect_risky[] =
	"{\n"
	"  \"Id\": \"" ID1 "\",\n"
	"  \"Created\": \"2024-05-14T09:12:03.512345678Z\",\n"
	"  \"Path\": \"/app/server\",\n"
	"  \"Args\": [\"--port\", \"8080\"],\n"
	"  \"State\": {\"Status\": \"running\", \"Running\": true, \"Paused\": false, \"Pid\": 48213, "
	"\"ExitCode\": 0, \"StartedAt\": \"2024-05-14T09:12:04.0191Z\"},\n"
	"  \"Image\": \"" IMAGE_ID "\",\n"
	"  \"ResolvConfPath\": \"" CTR_DIR "/resolv.conf\",\n"
	"  \"HostnamePath\": \"" CTR_DIR "/hostname\",\n"
	"  \"HostsPath\": \"" CTR_DIR "/hosts\",\n"
	"  \"Name\": \"/web\",\n"
	"  \"RestartCount\": 0,\n"
	"  \"Driver\": \"overlay2\",\n"
	"  \"Platform\": \"linux\",\n"
	"  \"AppArmorProfile\": \"docker-default\",\n"
	"  \"HostConfig\": {\n"
	"    \"Binds\": [\"/:/host\"],\n"
	"    \"NetworkMode\": \"default\",\n"
	"    \"PortBindings\": {},\n"
	"    \"RestartPolicy\": {\"Name\": \"no\", \"MaximumRetryCount\": 0},\n"
	"    \"CapAdd\": [\"SYS_ADMIN\"],\n"
	"    \"CapDrop\": null,\n"
	"    \"CgroupnsMode\": \"private\",\n"
	"    \"IpcMode\": \"private\",\n"
	"    \"PidMode\": \"host\",\n"
	"    \"Privileged\": false,\n"
	"    \"PublishAllPorts\": false,\n"
	"    \"ReadonlyRootfs\": false,\n"
	"    \"SecurityOpt\": [\"seccomp=unconfined\"],\n"
	"    \"UTSMode\": \"\",\n"
	"    \"UsernsMode\": \"\",\n"
	"    \"Runtime\": \"runc\",\n"
	"    \"MaskedPaths\": [\"/proc/asound\", \"/proc/acpi\", \"/proc/kcore\"],\n"
	"    \"ReadonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\"]\n"
	"  },\n"
	"  \"Mounts\": [\n"
	"    {\"Type\": \"bind\", \"Source\": \"/\", \"Destination\": \"/host\", \"Mode\": \"\", \"RW\": true, "
	"\"Propagation\": \"rprivate\"}\n"
	"  ],\n"
	"  \"Config\": {\n"
	"    \"Hostname\": \"0a1b2c3d4e5f\",\n"
	"    \"User\": \"\",\n"
	"    \"Env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\n"
	"    \"Cmd\": [\"--port\", \"8080\"],\n"
	"    \"Image\": \"localhost:5000/team/app:2.1\",\n"
	"    \"WorkingDir\": \"/app\",\n"
	"    \"Entrypoint\": [\"/app/server\"],\n"
	"    \"Labels\": {\"org.opencontainers.image.source\": \"https://example.com/team/app\"}\n"
	"  },\n"
	"  \"NetworkSettings\": {\"Networks\": {\"bridge\": {\"IPAddress\": \"172.17.0.2\"}}},\n"
	"  \"GraphDriver\": {\"Name\": \"overlay2\", \"Data\": {\"MergedDir\": \"/var/lib/docker/overlay2/9f1e/merged\", "
	"\"UpperDir\": \"/var/lib/docker/overlay2/9f1e/diff\", \"WorkDir\": \"/var/lib/docker/overlay2/9f1e/work\"}}\n"
	"}\n";

static int parse_inspect(const char *text, struct container_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	return container_parse_docker_inspect(text, ci);
}

/* The risky container made hardened: --user 1000, no cap-add, no-new-privileges, --read-only, no host pid, no mounts. */
static char *hardened(void)
{
	char *a = with(inspect_risky, "\"User\": \"\"", "\"User\": \"1000\"");
	char *b = with(a, "\"CapAdd\": [\"SYS_ADMIN\"]", "\"CapAdd\": null");
	char *c = with(b, "\"SecurityOpt\": [\"seccomp=unconfined\"]", "\"SecurityOpt\": [\"no-new-privileges:true\"]");
	char *d = with(c, "\"ReadonlyRootfs\": false", "\"ReadonlyRootfs\": true");
	char *e = with(d, "\"PidMode\": \"host\"", "\"PidMode\": \"\"");
	char *f = with(e, "\"Binds\": [\"/:/host\"]", "\"Binds\": null");
	char *g = with(f, "{\"Type\": \"bind\", \"Source\": \"/\", \"Destination\": \"/host\", \"Mode\": \"\", "
			  "\"RW\": true, \"Propagation\": \"rprivate\"}",
		       "");

	free(a), free(b), free(c), free(d), free(e), free(f);
	return g;
}

static void test_inspect_risky(void)
{
	struct container_info ci;

	CHECK_INT(parse_inspect(inspect_risky, &ci), 0);
	CHECK_STR(ci.name, "web");
	CHECK_STR(ci.image, "localhost:5000/team/app:2.1");
	CHECK_STR(ci.image_repo, "localhost:5000/team/app");
	CHECK_STR(ci.image_tag, "2.1");
	CHECK_STR(ci.image_id, IMAGE_ID);
	CHECK_STR(ci.user, "");
	CHECK(ci.risks == (RISK_ROOT_USER | RISK_DANGEROUS_CAPS | RISK_NO_SECCOMP | RISK_PRIV_ESCALATION |
			   RISK_WRITABLE_ROOTFS | RISK_HOST_PID | RISK_SENSITIVE_MOUNT),
	      "risks 0x%x", ci.risks);
	CHECK_STR(ci.privileged_caps, "CAP_SYS_ADMIN");
	CHECK_STR(ci.sensitive_mounts, "/");
	CHECK(ci.cap_add != 0, "no capability bit for SYS_ADMIN");
	CHECK_STR(ci.k8s_pod, "");
	/* the writable layer, for a host exec of a file in it (the release_agent escape) */
	CHECK_STR(ci.upper_dir, "/var/lib/docker/overlay2/9f1e/diff");
}

/* Declared ports: the image's EXPOSE and --expose (ExposedPorts), -p (PortBindings); TCP only, once each. */
static void test_inspect_declared_ports(void)
{
	char *a = with(inspect_risky, "\"WorkingDir\": \"/app\",",
		       "\"WorkingDir\": \"/app\", \"ExposedPorts\": {\"8080/tcp\": {}, \"53/udp\": {}, \"9000/tcp\": {}, "
		       "\"bogus/tcp\": {}, \"70000/tcp\": {}},");
	char *b = with(a, "\"ReadonlyRootfs\": false", "\"ReadonlyRootfs\": false, \"PortBindings\": {\"9000/tcp\": "
		       "[{\"HostIp\": \"\", \"HostPort\": \"19000\"}], \"9443/tcp\": null}");
	struct container_info ci;

	CHECK_INT(parse_inspect(b, &ci), 0);
	CHECK_INT(ci.n_ports, 3);
	CHECK(container_declares_port(&ci, 8080) && container_declares_port(&ci, 9000) &&
	      container_declares_port(&ci, 9443), "declared ports");
	CHECK(!container_declares_port(&ci, 53) && !container_declares_port(&ci, 19000) &&
	      !container_declares_port(&ci, 4444), "undeclared ports");
	CHECK_INT(parse_inspect(inspect_risky, &ci), 0);
	CHECK_INT(ci.n_ports, 0);
	free(a), free(b);
}

/* containers/storage's list (podman, CRI-O): names and the image from the metadata document in a string. */
static void test_storage_names_and_image(void)
{
	static const char text[] =
		"[{\"id\":\"" ID2 "\",\"names\":[\"other\"],\"image\":\"aaa\"},"
		"{\"id\":\"" ID1 "\",\"names\":[\"web-pod\",\"alias\"],\"image\":\"358a8000b473\",\"layer\":\"8329\","
		"\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/nginx:1.25\\\",\\\"name\\\":\\\"web-pod\\\"}\"}]";
	struct container_info ci = { 0 };

	snprintf(ci.ident.id, sizeof(ci.ident.id), "%s", ID1);
	CHECK_INT(container_parse_storage(text, &ci), 0);
	CHECK_STR(ci.name, "web-pod");
	CHECK_STR(ci.image, "docker.io/library/nginx:1.25");
	CHECK_STR(ci.image_repo, "docker.io/library/nginx");
	CHECK_STR(ci.image_tag, "1.25");
	CHECK_STR(ci.image_id, "358a8000b473");
	/* what a runtime said first stays */
	memset(&ci, 0, sizeof(ci));
	snprintf(ci.ident.id, sizeof(ci.ident.id), "%s", ID1);
	snprintf(ci.name, sizeof(ci.name), "from-annotations");
	CHECK_INT(container_parse_storage(text, &ci), 0);
	CHECK_STR(ci.name, "from-annotations");
	/* not listed, a damaged document, a metadata string that is no JSON */
	snprintf(ci.ident.id, sizeof(ci.ident.id), "%s", "feedface");
	CHECK_INT(container_parse_storage(text, &ci), -ENOENT);
	CHECK_INT(container_parse_storage("[{\"id\":", &ci), -ENOENT);
	memset(&ci, 0, sizeof(ci));
	snprintf(ci.ident.id, sizeof(ci.ident.id), "%s", ID1);
	CHECK_INT(container_parse_storage("[{\"id\":\"" ID1 "\",\"names\":[1],\"metadata\":\"{no\"}]", &ci), 0);
	CHECK_STR(ci.name, "");
	CHECK_STR(ci.image, "");
}

static void test_inspect_hardened(void)
{
	char *text = hardened();
	struct container_info ci;

	CHECK_INT(parse_inspect(text, &ci), 0);
	CHECK(ci.risks == 0, "risks 0x%x", ci.risks);
	CHECK_STR(ci.user, "1000");
	CHECK_STR(ci.name, "web");
	CHECK_STR(ci.privileged_caps, "");
	CHECK_STR(ci.sensitive_mounts, "");
	CHECK(ci.cap_add == 0, "cap_add 0x%llx", (unsigned long long)ci.cap_add);
	free(text);
}

/* One change to the hardened container at a time. */
static void test_inspect_one_change(void)
{
	static const struct spec_change changes[] = {
		/* --privileged: every capability, no seccomp, every host device */
		{ "Privileged", "\"Privileged\": false", "\"Privileged\": true",
		  RISK_PRIVILEGED | RISK_NO_SECCOMP | RISK_SENSITIVE_MOUNT, "", "" },
		{ "CapAdd ALL", "\"CapAdd\": null", "\"CapAdd\": [\"ALL\"]", RISK_PRIVILEGED, "", "" },
		{ "CapAdd CAP_NET_ADMIN", "\"CapAdd\": null", "\"CapAdd\": [\"CAP_NET_ADMIN\"]", RISK_DANGEROUS_CAPS,
		  "CAP_NET_ADMIN", "" },
		{ "CapAdd SYS_PTRACE and CAP_SYS_PTRACE", "\"CapAdd\": null",
		  "\"CapAdd\": [\"SYS_PTRACE\", \"CAP_SYS_PTRACE\"]", RISK_DANGEROUS_CAPS, "CAP_SYS_PTRACE", "" },
		{ "CapAdd harmless", "\"CapAdd\": null", "\"CapAdd\": [\"NET_BIND_SERVICE\", \"CAP_CHOWN\"]", 0, "", "" },
		{ "User 0", "\"User\": \"1000\"", "\"User\": \"0\"", RISK_ROOT_USER, "", "" },
		{ "User root", "\"User\": \"1000\"", "\"User\": \"root\"", RISK_ROOT_USER, "", "" },
		{ "User 0:0", "\"User\": \"1000\"", "\"User\": \"0:0\"", RISK_ROOT_USER, "", "" },
		{ "User root:root", "\"User\": \"1000\"", "\"User\": \"root:root\"", RISK_ROOT_USER, "", "" },
		{ "User 1000:0", "\"User\": \"1000\"", "\"User\": \"1000:0\"", 0, "", "" },
		{ "seccomp unconfined", "[\"no-new-privileges:true\"]", "[\"no-new-privileges:true\", \"seccomp=unconfined\"]",
		  RISK_NO_SECCOMP, "", "" },
		{ "no SecurityOpt", "\"SecurityOpt\": [\"no-new-privileges:true\"]", "\"SecurityOpt\": null",
		  RISK_PRIV_ESCALATION, "", "" },
		{ "no-new-privileges=false", "\"no-new-privileges:true\"", "\"no-new-privileges=false\"",
		  RISK_PRIV_ESCALATION, "", "" },
		{ "no-new-privileges bare", "\"no-new-privileges:true\"", "\"no-new-privileges\"", 0, "", "" },
		{ "no-new-privileges=true", "\"no-new-privileges:true\"", "\"no-new-privileges=true\"", 0, "", "" },
		{ "writable root", "\"ReadonlyRootfs\": true", "\"ReadonlyRootfs\": false", RISK_WRITABLE_ROOTFS, "", "" },
		{ "PidMode host", "\"PidMode\": \"\"", "\"PidMode\": \"host\"", RISK_HOST_PID, "", "" },
		{ "PidMode container", "\"PidMode\": \"\"", "\"PidMode\": \"container:" ID2 "\"", 0, "", "" },
		{ "NetworkMode host", "\"NetworkMode\": \"default\"", "\"NetworkMode\": \"host\"", RISK_HOST_NETWORK, "",
		  "" },
		{ "IpcMode host", "\"IpcMode\": \"private\"", "\"IpcMode\": \"host\"", RISK_HOST_IPC, "", "" },
		{ "bind of docker.sock", "\"Mounts\": [\n",
		  "\"Mounts\": [\n    {\"Type\": \"bind\", \"Source\": \"/var/run/docker.sock\", \"Destination\": "
		  "\"/var/run/docker.sock\", \"Mode\": \"\", \"RW\": true, \"Propagation\": \"rprivate\"}",
		  RISK_SENSITIVE_MOUNT, "", "/var/run/docker.sock" },
		{ "bind of a project directory", "\"Mounts\": [\n",
		  "\"Mounts\": [\n    {\"Type\": \"bind\", \"Source\": \"/home/dev/app\", \"Destination\": \"/app\", "
		  "\"Mode\": \"\", \"RW\": true, \"Propagation\": \"rprivate\"}",
		  0, "", "" },
		/* a volume lives under /var/lib/docker but is not a bind of the host's tree */
		{ "named volume", "\"Mounts\": [\n",
		  "\"Mounts\": [\n    {\"Type\": \"volume\", \"Name\": \"data\", \"Source\": \"/var/lib/docker\", "
		  "\"Destination\": \"/data\", \"Driver\": \"local\", \"Mode\": \"z\", \"RW\": true, \"Propagation\": \"\"}",
		  0, "", "" },
	};
	char *base = hardened();
	size_t i;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		check_change(base, parse_inspect, &changes[i]);
	free(base);
}

/* Image references: the tag is after the last colon of the last path component, before any digest. */
static void test_inspect_image_refs(void)
{
	static const struct {
		const char *image, *repo, *tag;
	} refs[] = {
		{ "app@sha256:abcd", "app", "" },
		{ "nginx:1.25@sha256:0123abcd", "nginx", "1.25" },
		{ "localhost:5000/app", "localhost:5000/app", "" },
		{ "localhost:5000/team/app@sha256:abcd", "localhost:5000/team/app", "" },
		{ "nginx", "nginx", "" },
		{ "docker.io/library/redis:7-alpine", "docker.io/library/redis", "7-alpine" },
	};
	char *base = hardened();
	size_t i;

	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		char to[256];
		char *text;
		struct container_info ci;

		snprintf(to, sizeof(to), "\"Image\": \"%s\",\n    \"WorkingDir\"", refs[i].image);
		text = with(base, "\"Image\": \"localhost:5000/team/app:2.1\",\n    \"WorkingDir\"", to);
		CHECK_INT(parse_inspect(text, &ci), 0);
		CHECK(strcmp(ci.image, refs[i].image) == 0 && strcmp(ci.image_repo, refs[i].repo) == 0 &&
			      strcmp(ci.image_tag, refs[i].tag) == 0,
		      "\"%s\": image \"%s\" repo \"%s\" tag \"%s\", want repo \"%s\" tag \"%s\"", refs[i].image, ci.image,
		      ci.image_repo, ci.image_tag, refs[i].repo, refs[i].tag);
		free(text);
	}
	free(base);
}

/* dockershim-era containers carry the Kubernetes names as labels. */
static void test_inspect_k8s_labels(void)
{
	char *base = hardened();
	char *text = with(base, "\"Labels\": {\"org.opencontainers.image.source\": \"https://example.com/team/app\"}",
			  "\"Labels\": {\"io.kubernetes.container.name\": \"app\", \"io.kubernetes.pod.name\": "
			  "\"app-6b7c9d-q2w3e\", \"io.kubernetes.pod.namespace\": \"team\", \"io.kubernetes.pod.uid\": "
			  "\"" POD "\"}");
	struct container_info ci;

	CHECK_INT(parse_inspect(text, &ci), 0);
	CHECK_STR(ci.name, "web"); /* Docker's name stays */
	CHECK_STR(ci.k8s_container, "app");
	CHECK_STR(ci.k8s_pod, "app-6b7c9d-q2w3e");
	CHECK_STR(ci.k8s_namespace, "team");
	CHECK_STR(ci.ident.pod_uid, POD);
	CHECK(ci.risks == 0, "risks 0x%x", ci.risks);
	free(text);
	free(base);
}

static void test_inspect_invalid(void)
{
	static const char *const texts[] = {
		"",
		"{\"Name\": \"/web\",",
		"[]",
		"{\"message\": \"No such container: 0a1b2c3d4e5f\"}", /* the 404 body */
		"{\"Name\": \"/web\", \"Config\": null}",
	};
	struct container_info ci;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		int rc = parse_inspect(texts[i], &ci);

		CHECK(rc == -EINVAL, "\"%s\": rc %d", texts[i], rc);
		CHECK(ci.risks == 0 && !ci.name[0], "\"%s\": filled in on an invalid answer", texts[i]);
	}
}

/* Writes a file, creating its directories. */
static void put_file(const char *path, const char *text)
{
	char cmd[PATH_MAX + 32];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	CHECK(system(cmd) == 0, "mkdir for %s", path);
	f = fopen(path, "w");
	CHECK(f != NULL, "create %s", path);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The cache's answer for @path: asks, waits for the worker's answer (up to 5 s) and asks again. */
static const struct container_info *lookup_answered(struct container_cache *cc, const char *path, bool *announce)
{
	struct pollfd pfd = { .fd = container_cache__fd(cc), .events = POLLIN };
	const struct container_info *ci = container_cache__lookup(cc, path, true, announce);
	int i;

	for (i = 0; !ci && errno == EINPROGRESS && i < 50; i++) {
		poll(&pfd, 1, 100);
		container_cache__collect(cc);
		ci = container_cache__lookup(cc, path, true, announce);
	}
	return ci;
}

/*
 * A containerd container on a host seen under a prefix (a DaemonSet's /host):
 * the cache finds its bundle, its rootfs (relative to the bundle), the overlay
 * upperdir mounted there, and then names it for a host path inside that layer.
 */
static void test_layer_path_owner(void)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char root[] = "/tmp/bulwark-ctr-test.XXXXXX", path[PATH_MAX], text[2048];
	const char *const no_state[] = { "/run/none" };
	struct container_opts opts = { .docker_socket = "", .docker_root = "", .state_dirs = no_state, .n_state_dirs = 1,
				       .capacity = 8 };
	struct container_cache *cc;
	const struct container_info *ci;
	bool announce;

	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	opts.host_root = root;
	snprintf(path, sizeof(path), "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json", root, id);
	put_file(path, "{\"process\":{\"user\":{\"uid\":0}},\"root\":{\"path\":\"rootfs\"},"
		       "\"annotations\":{\"io.kubernetes.cri.container-name\":\"app\","
		       "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.25\"}}");
	snprintf(path, sizeof(path), "%s/proc/1/mountinfo", root);
	snprintf(text, sizeof(text),
		 "22 1 8:1 / / rw,relatime - ext4 /dev/vda rw\n"
		 "400 22 0:50 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/rootfs rw,relatime - overlay "
		 "overlay rw,lowerdir=/var/lib/containerd/snap/1/fs,upperdir=/var/lib/containerd/snap/2/fs,"
		 "workdir=/var/lib/containerd/snap/2/work\n",
		 id);
	put_file(path, text);

	cc = container_cache__new(&opts);
	CHECK(cc != NULL, "cache");
	if (!cc)
		return;
	snprintf(path, sizeof(path), "/kubepods/besteffort/pod5d7c3a52-8d2e-4f4e-9a55-0a1b2c3d4e5f/%s", id);
	ci = lookup_answered(cc, path, &announce);
	CHECK(ci && ci->metadata_known, "bundle not found");
	if (ci) {
		CHECK_STR(ci->rootfs, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/0123456789abcdef0123456789abcdef"
				      "0123456789abcdef0123456789abcdef/rootfs");
		CHECK_STR(ci->upper_dir, "/var/lib/containerd/snap/2/fs");
		CHECK_STR(ci->name, "app");
	}
	ci = container_cache__by_layer_path(cc, "/var/lib/containerd/snap/2/fs/tmp/cmd");
	CHECK(ci && strcmp(ci->ident.id, id) == 0, "the layer's container not found");
	/* a sibling directory that merely shares the prefix, and the lower layer, are not its layer */
	CHECK(container_cache__by_layer_path(cc, "/var/lib/containerd/snap/2/fsx/cmd") == NULL, "prefix of a name");
	CHECK(container_cache__by_layer_path(cc, "/var/lib/containerd/snap/1/fs/bin/sh") == NULL, "lower layer");
	container_cache__free(cc);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	CHECK(system(path) == 0, "cleanup");
}

/* ---- lookups by the worker ------------------------------------------------------------------------ */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A cache over a fake host at @root whose Docker data root is <root>/docker (no API, no OCI state). */
static struct container_cache *docker_files_cache(const char *root)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/docker/containers'", root);
	CHECK(system(cmd) == 0, "%s", cmd);
	return container_cache__new(&(struct container_opts){ .docker_socket = "", .docker_root = "/docker",
							      .host_root = root, .capacity = 128 });
}

static void docker_config(const char *root, const char *id, const char *name)
{
	char path[PATH_MAX], text[256];

	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", root, id);
	snprintf(text, sizeof(text), "{\"Name\":\"/%s\",\"Config\":{\"Image\":\"localhost/%s:1\"}}", name, name);
	put_file(path, text);
}

static void remove_tree(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "%s", cmd);
}

/*
 * A container no runtime knows: the first lookup makes events wait, the
 * worker tries it 7 times over about 63 ms (backing off from 1 ms), then
 * answers "unknown"; the container is announced with its id alone. The next
 * event past the backoff asks again, and that lookup makes nothing wait.
 */
static void test_worker_unknown_container(void)
{
	static const char id[] = "7107107107107107107107107107107107107107107107107107107107107107";
	char root[] = "/tmp/bulwark-ctr-test.XXXXXX", path[128];
	struct container_cache *cc;
	struct container_stats st;
	const struct container_info *ci;
	bool announce;
	uint64_t t0;

	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	cc = docker_files_cache(root);
	if (!cc)
		return;
	snprintf(path, sizeof(path), "/docker/%s", id);
	t0 = mono_ms();
	ci = container_cache__lookup(cc, path, true, &announce);
	CHECK(!ci && errno == EINPROGRESS && !announce, "the first lookup does not make the event wait");
	ci = lookup_answered(cc, path, &announce);
	CHECK(mono_ms() - t0 >= 60, "answered after %llu ms: no retries", (unsigned long long)(mono_ms() - t0));
	CHECK(ci && !ci->metadata_known && strcmp(ci->ident.id, id) == 0, "unknown container");
	CHECK(announce, "not announced with its id");
	container_cache__stats(cc, &st);
	CHECK_INT(st.lookups, 1);
	CHECK_INT(st.worker_lookups, 7);
	CHECK_INT(st.failures, 1);
	CHECK_INT(st.retries, 0);
	/* the backoff: not asked again before 20 ms, then asked without making events wait */
	ci = container_cache__lookup(cc, path, true, &announce);
	CHECK(ci && !announce, "asked again at once, or announced twice");
	usleep(30000);
	ci = container_cache__lookup(cc, path, true, &announce);
	CHECK(ci != NULL, "a retry makes events wait");
	container_cache__stats(cc, &st);
	CHECK_INT(st.retries, 1);
	CHECK_INT(st.lookups, 2);
	container_cache__free(cc);
	remove_tree(root);
}

/* Docker's files written a few ms after the first lookup: the worker's retries find them. */
static void test_worker_retries_until_files_appear(void)
{
	static const char id[] = "7207207207207207207207207207207207207207207207207207207207207207";
	char root[] = "/tmp/bulwark-ctr-test.XXXXXX", path[128];
	struct container_cache *cc;
	struct container_stats st;
	const struct container_info *ci;
	bool announce;

	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	cc = docker_files_cache(root);
	if (!cc)
		return;
	snprintf(path, sizeof(path), "/docker/%s", id);
	ci = container_cache__lookup(cc, path, true, &announce);
	CHECK(!ci && errno == EINPROGRESS, "the first lookup does not make the event wait");
	usleep(5000);
	docker_config(root, id, "late");
	ci = lookup_answered(cc, path, &announce);
	CHECK(ci && ci->metadata_known, "the worker gave up before the files appeared");
	if (ci)
		CHECK_STR(ci->name, "late");
	CHECK(announce, "not announced");
	container_cache__stats(cc, &st);
	CHECK(st.worker_lookups >= 2 && st.worker_lookups <= 7, "%llu attempts", (unsigned long long)st.worker_lookups);
	CHECK_INT(st.failures, 0);
	CHECK_INT(st.docker_ok, 1);
	CHECK(st.latency_us_max > 0, "no latency recorded");
	container_cache__free(cc);
	remove_tree(root);
}

/*
 * Every request slot busy (the worker stuck in a slow read, 64 more asked):
 * the 65th container is not asked (counted) and its events do not wait; it
 * is asked at a later event. Freeing the cache joins the worker.
 */
static void test_worker_requests_full(void)
{
	static const char slow[] = "7307307307307307307307307307307307307307307307307307307307307307";
	char root[] = "/tmp/bulwark-ctr-test.XXXXXX", path[PATH_MAX];
	struct container_cache *cc;
	struct container_stats st;
	const struct container_info *ci;
	bool announce;
	int i, fd;

	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	cc = docker_files_cache(root);
	if (!cc)
		return;
	snprintf(path, sizeof(path), "%s/docker/containers/%s", root, slow);
	CHECK(mkdir(path, 0700) == 0, "mkdir");
	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", root, slow);
	CHECK(mkfifo(path, 0600) == 0, "mkfifo");
	snprintf(path, sizeof(path), "/docker/%s", slow);
	CHECK(container_cache__lookup(cc, path, true, &announce) == NULL, "the slow one does not wait");
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/docker/%064x", i + 1);
		ci = container_cache__lookup(cc, path, true, &announce);
		CHECK((i < 63) == (ci == NULL), "container %d: %s", i, ci ? "not waiting" : "waiting");
	}
	container_cache__stats(cc, &st);
	CHECK_INT(st.requests_full, 1);
	CHECK_INT(st.lookups, 65);
	/* the FIFO's reader is the worker: an answer written there ends the slow lookup (an empty one would be retried) */
	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", root, slow);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open the FIFO");
	if (fd >= 0) {
		static const char answer[] = "{\"Name\":\"/slow\",\"Config\":{}}";

		CHECK(write(fd, answer, sizeof(answer) - 1) == sizeof(answer) - 1, "write the FIFO");
		close(fd);
	}
	container_cache__free(cc);
	remove_tree(root);
}

/*
 * A cache of one entry: container A is asked, then B evicts it and takes its
 * slot while A's request is out. A's answer (quick: its files exist) must be
 * dropped, not applied to the slot's new owner B (unknown to every runtime).
 */
static void test_answer_for_evicted_entry(void)
{
	static const char id_a[] = "7307307307307307307307307307307307307307307307307307307307307307";
	static const char id_b[] = "7407407407407407407407407407407407407407407407407407407407407407";
	char root[] = "/tmp/bulwark-ctr-test.XXXXXX", path_a[128], path_b[128], cmd[PATH_MAX + 32];
	struct container_cache *cc;
	struct container_stats st;
	const struct container_info *ci;
	bool announce;

	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/docker/containers'", root);
	CHECK(system(cmd) == 0, "%s", cmd);
	docker_config(root, id_a, "a");
	cc = container_cache__new(&(struct container_opts){ .docker_socket = "", .docker_root = "/docker",
							    .host_root = root, .capacity = 1 });
	if (!cc)
		return;
	snprintf(path_a, sizeof(path_a), "/docker/%s", id_a);
	snprintf(path_b, sizeof(path_b), "/docker/%s", id_b);
	CHECK(container_cache__lookup(cc, path_a, true, &announce) == NULL, "A does not wait");
	CHECK(container_cache__lookup(cc, path_b, true, &announce) == NULL, "B does not wait");
	ci = lookup_answered(cc, path_b, &announce);
	CHECK(ci && strcmp(ci->ident.id, id_b) == 0, "B's entry lost its id");
	CHECK(ci && !ci->metadata_known && !ci->name[0], "A's answer applied to B's slot (name \"%s\")", ci ? ci->name : "");
	container_cache__stats(cc, &st);
	CHECK_INT(st.entries, 1);
	CHECK_INT(st.capacity, 1);
	CHECK_INT(st.evictions, 1);
	CHECK_INT(st.docker_ok, 0);
	container_cache__free(cc);
	remove_tree(root);
}

/*
 * Entries of removed containers are dropped once idle (the soak found RSS growing with every
 * container ever seen): A's Docker directory goes, and the next sweep past the idle time drops
 * it; C, idle as long but still there (stopped, not removed), stays; a new container takes
 * the slot A left (the entry count does not grow).
 */
static void test_expire_removed_container(void)
{
	static const char id_a[] = "7507507507507507507507507507507507507507507507507507507507507507";
	static const char id_c[] = "7607607607607607607607607607607607607607607607607607607607607607";
	static const char id_d[] = "7707707707707707707707707707707707707707707707707707707707707707";
	char root[] = "/tmp/bulwark-ctr-test.XXXXXX", path_a[128], path_c[128], path_d[128], cmd[PATH_MAX + 64];
	struct container_cache *cc;
	struct container_stats st;
	const struct container_info *ci;
	bool announce;

	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/docker/containers'", root);
	CHECK(system(cmd) == 0, "%s", cmd);
	docker_config(root, id_a, "a");
	docker_config(root, id_c, "c");
	docker_config(root, id_d, "d");
	cc = container_cache__new(&(struct container_opts){ .docker_socket = "", .docker_root = "/docker",
							    .host_root = root, .capacity = 16, .idle_expire_ms = 60 });
	if (!cc)
		return;
	snprintf(path_a, sizeof(path_a), "/docker/%s", id_a);
	snprintf(path_c, sizeof(path_c), "/docker/%s", id_c);
	snprintf(path_d, sizeof(path_d), "/docker/%s", id_d);
	ci = lookup_answered(cc, path_a, &announce);
	CHECK(ci && ci->metadata_known && !strcmp(ci->name, "a"), "A is known");
	ci = lookup_answered(cc, path_c, &announce);
	CHECK(ci && ci->metadata_known && !strcmp(ci->name, "c"), "C is known");
	/* A removed (docker rm), both idle past 60 ms: the next lookup's sweep drops A, keeps C */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/docker/containers/%s'", root, id_a);
	CHECK(system(cmd) == 0, "%s", cmd);
	usleep(150 * 1000);
	ci = container_cache__lookup(cc, path_c, false, &announce);
	CHECK(ci && !strcmp(ci->name, "c") && !announce, "C kept, not announced again");
	container_cache__stats(cc, &st);
	CHECK_INT(st.expired, 1);
	CHECK_INT(st.entries, 1);
	/* the twin: C idle again but still on disk stays */
	usleep(150 * 1000);
	ci = lookup_answered(cc, path_d, &announce);
	CHECK(ci && !strcmp(ci->name, "d"), "D is known");
	container_cache__stats(cc, &st);
	CHECK_INT(st.expired, 1);
	CHECK_INT(st.entries, 2);
	CHECK_INT(st.evictions, 0);
	container_cache__free(cc);
	remove_tree(root);
}

int main(void)
{
	RUN(test_expire_removed_container);
	RUN(test_ident_runtimes);
	RUN(test_layer_path_owner);
	RUN(test_ident_kubernetes);
	RUN(test_ident_bad_pod_uid);
	RUN(test_ident_host);
	RUN(test_risk_names);
	RUN(test_runtime_names);
	RUN(test_oci_default);
	RUN(test_oci_one_change);
	RUN(test_oci_capability_count);
	RUN(test_oci_containerd_annotations);
	RUN(test_oci_crio_annotations);
	RUN(test_oci_annotations_keep_known);
	RUN(test_oci_invalid);
	RUN(test_inspect_risky);
	RUN(test_inspect_hardened);
	RUN(test_inspect_declared_ports);
	RUN(test_storage_names_and_image);
	RUN(test_inspect_one_change);
	RUN(test_inspect_image_refs);
	RUN(test_inspect_k8s_labels);
	RUN(test_inspect_invalid);
	RUN(test_worker_unknown_container);
	RUN(test_worker_retries_until_files_appear);
	RUN(test_worker_requests_full);
	RUN(test_answer_for_evicted_entry);
	return check_summary();
}
