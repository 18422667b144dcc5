// SPDX-License-Identifier: Apache-2.0
#include "container.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inventory.h"
#include "latency.h"
#include "log.h"
#include "table.h"

/* ---- identity from the cgroup path ------------------------------------------------ */

static const char *const runtime_names[] = {
	[RUNTIME_NONE] = "host",     [RUNTIME_DOCKER] = "docker", [RUNTIME_CONTAINERD] = "containerd",
	[RUNTIME_CRIO] = "cri-o",    [RUNTIME_PODMAN] = "podman", [RUNTIME_UNKNOWN_K8S] = "kubernetes",
	[RUNTIME_UNKNOWN] = "unknown",
};

const char *container_runtime_name(enum container_runtime rt)
{
	return rt <= RUNTIME_UNKNOWN ? runtime_names[rt] : "unknown";
}

static const char *const risk_names[] = {
	"root_user",     "privileged", "dangerous_caps", "no_seccomp", "priv_escalation",
	"writable_rootfs", "host_pid",  "host_network",   "host_ipc",   "sensitive_mount",
};

const char *container_risk_name(unsigned int bit)
{
	return bit < sizeof(risk_names) / sizeof(risk_names[0]) ? risk_names[bit] : NULL;
}

static bool is_hex64(const char *s, size_t n)
{
	size_t i;

	if (n != CONTAINER_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A component that names a container: "<prefix><64hex>[.scope]" or "...:<runtime>:<64hex>". */
static bool component_id(const char *c, size_t n, enum container_runtime *rt, const char **id)
{
	static const struct {
		const char *prefix;
		enum container_runtime rt;
	} prefixes[] = {
		{ "docker-", RUNTIME_DOCKER },     { "cri-containerd-", RUNTIME_CONTAINERD },
		{ "crio-", RUNTIME_CRIO },         { "libpod-", RUNTIME_PODMAN },
		{ "nerdctl-", RUNTIME_CONTAINERD },
	};
	const char *colon;
	size_t i;

	if (!c) /* never: tells the compiler, whose range analysis under sanitizers doubts it */
		return false;
	if (n > 6 && memcmp(c + n - 6, ".scope", 6) == 0)
		n -= 6;
	/* systemd driver nested under containerd.service: "kubepods-...:cri-containerd:<id>" */
	colon = memrchr(c, ':', n);
	if (colon && is_hex64(colon + 1, c + n - colon - 1)) {
		*rt = memmem(c, n, ":cri-containerd:", 16) ? RUNTIME_CONTAINERD :
		      memmem(c, n, ":crio:", 6)           ? RUNTIME_CRIO :
							    RUNTIME_UNKNOWN;
		*id = colon + 1;
		return true;
	}
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i].prefix);

		if (n > pl && memcmp(c, prefixes[i].prefix, pl) == 0 && is_hex64(c + pl, n - pl)) {
			*rt = prefixes[i].rt;
			*id = c + pl;
			return true;
		}
	}
	/* crio-conmon-<id> and libpod-conmon-<id> are monitors, not containers: the prefix check above rejects them */
	if (is_hex64(c, n)) {
		*rt = RUNTIME_UNKNOWN;
		*id = c;
		return true;
	}
	return false;
}

/* Pod UID: cgroupfs "pod<uid>" or systemd "kubepods-<qos>-pod<uid_with_underscores>.slice". */
static void pod_uid_of(const char *c, size_t n, char out[40])
{
	const char *p = NULL;
	size_t len, i;

	if (!c) /* never: see component_id */
		return;
	if (n > 6 && memcmp(c + n - 6, ".slice", 6) == 0)
		n -= 6;
	if (n > 3 && memcmp(c, "pod", 3) == 0)
		p = c + 3;
	else if (n > 4 && memmem(c, n, "-pod", 4))
		p = (const char *)memmem(c, n, "-pod", 4) + 4;
	if (!p)
		return;
	len = c + n - p;
	if (len != 36)
		return;
	for (i = 0; i < len; i++) {
		char ch = p[i] == '_' ? '-' : p[i];

		if (!(isxdigit((unsigned char)ch) || ch == '-')) {
			out[0] = '\0'; /* nothing of a malformed UID */
			return;
		}
		out[i] = ch;
	}
	out[len] = '\0';
}

int container_ident_from_cgroup(const char *path, struct container_ident *out)
{
	const char *comp_end, *id = NULL;
	enum container_runtime rt = RUNTIME_NONE;
	bool kube = false, docker = false, libpod = false;
	char pod_uid[40] = "";

	memset(out, 0, sizeof(*out));
	if (!path) {
		strcpy(out->id, "host");
		return -ENOENT;
	}
	/* the innermost component naming a container wins (nested runtimes) */
	comp_end = path + strlen(path);
	while (comp_end > path) {
		const char *comp = comp_end;
		size_t n;

		while (comp > path && comp[-1] != '/')
			comp--;
		n = comp_end - comp;
		if (n && !id && component_id(comp, n, &rt, &id)) {
			/* keep scanning upwards for the runtime and the pod; "<pod slice>:<runtime>:<id>" names the pod too */
			const char *colon = memchr(comp, ':', n);

			if (colon && !pod_uid[0])
				pod_uid_of(comp, colon - comp, pod_uid);
		} else if (n) {
			if (!pod_uid[0])
				pod_uid_of(comp, n, pod_uid);
			if ((n >= 8 && memcmp(comp, "kubepods", 8) == 0))
				kube = true;
			if (n == 6 && memcmp(comp, "docker", 6) == 0)
				docker = true;
			if (n == 13 && memcmp(comp, "libpod_parent", 13) == 0)
				libpod = true;
		}
		comp_end = comp > path ? comp - 1 : path;
	}
	if (!id) {
		out->runtime = RUNTIME_NONE;
		strcpy(out->id, "host");
		return -ENOENT;
	}
	if (rt == RUNTIME_UNKNOWN)
		rt = docker ? RUNTIME_DOCKER : libpod ? RUNTIME_PODMAN : kube ? RUNTIME_UNKNOWN_K8S : RUNTIME_UNKNOWN;
	out->runtime = rt;
	memcpy(out->id, id, CONTAINER_ID_MAX);
	out->id[CONTAINER_ID_MAX] = '\0';
	memcpy(out->pod_uid, pod_uid, sizeof(pod_uid));
	return 0;
}

/* ---- posture from runtime descriptions -------------------------------------------------- */

/* Capabilities that open a way out of a container or into other workloads. */
static const char *const dangerous_caps[] = {
	"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN",
	"CAP_BPF",       "CAP_PERFMON",    "CAP_SYS_RAWIO",  "CAP_SYS_BOOT",        "CAP_MAC_ADMIN",
	"CAP_MAC_OVERRIDE", "CAP_SYSLOG",
};
#define N_DANGEROUS (sizeof(dangerous_caps) / sizeof(dangerous_caps[0]))

/* Host paths whose mount into a container hands it the host. */
static const char *const sensitive_sources[] = {
	"/", "/proc", "/sys", "/etc", "/dev", "/root", "/boot", "/var/run", "/run", "/var/lib/kubelet",
	"/var/lib/docker", "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
	"/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
	"/run/podman/podman.sock", "/var/run/cri-dockerd.sock",
};

/* Capability names: with or without the CAP_ prefix (Docker's CapAdd omits it at times). */
static bool cap_is(const char *name, const char *want)
{
	if (strncmp(name, "CAP_", 4) != 0)
		return strcmp(name, want + 4) == 0;
	return strcmp(name, want) == 0;
}

static void append_csv(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf);

	if (len)
		snprintf(buf + len, size - len, ",%s", item);
	else
		snprintf(buf, size, "%s", item);
}

static void note_dangerous_cap(struct container_info *ci, const char *cap)
{
	size_t i;

	for (i = 0; i < N_DANGEROUS; i++) {
		if (!cap_is(cap, dangerous_caps[i]))
			continue;
		ci->risks |= RISK_DANGEROUS_CAPS;
		ci->cap_add |= 1ull << i;
		if (!strstr(ci->privileged_caps, dangerous_caps[i]))
			append_csv(ci->privileged_caps, sizeof(ci->privileged_caps), dangerous_caps[i]);
	}
}

/* @item is one of the comma-separated entries of @csv (not merely a substring of one). */
static bool csv_has(const char *csv, const char *item)
{
	size_t n = strlen(item);

	for (; *csv; csv++) {
		if (strncmp(csv, item, n) == 0 && (csv[n] == ',' || csv[n] == '\0'))
			return true;
		if (!(csv = strchr(csv, ',')))
			return false;
	}
	return false;
}

static void note_mount_source(struct container_info *ci, const char *source)
{
	size_t i;

	for (i = 0; i < sizeof(sensitive_sources) / sizeof(sensitive_sources[0]); i++) {
		if (strcmp(source, sensitive_sources[i]) != 0)
			continue;
		ci->risks |= RISK_SENSITIVE_MOUNT;
		if (!csv_has(ci->sensitive_mounts, source))
			append_csv(ci->sensitive_mounts, sizeof(ci->sensitive_mounts), source);
		return;
	}
}

static const char *jstring(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Copies at most size - 1 bytes: runtime strings longer than our fields are cut, never overflow. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* "repo:tag" / "repo@sha256:..." → repository and tag (Falco's container.image.repository/tag). */
static void split_image(struct container_info *ci)
{
	const char *img = ci->image, *at = strchr(img, '@'), *slash, *colon;
	size_t repo_len = at ? (size_t)(at - img) : strlen(img);

	ci->image_tag[0] = '\0';
	slash = memrchr(img, '/', repo_len);
	colon = memrchr(img, ':', repo_len);
	/* a colon before the last slash is a registry port (localhost:5000/app), not a tag */
	if (colon && (!slash || colon > slash)) {
		snprintf(ci->image_tag, sizeof(ci->image_tag), "%.*s", (int)(img + repo_len - colon - 1), colon + 1);
		repo_len = colon - img;
	}
	snprintf(ci->image_repo, sizeof(ci->image_repo), "%.*s", (int)repo_len, img);
}

bool container_declares_port(const struct container_info *ci, unsigned int port)
{
	size_t i;

	for (i = 0; ci && i < ci->n_ports; i++)
		if (ci->ports[i] == port)
			return true;
	return false;
}

/* A declared port: "8080/tcp" (Docker's keys), "8080", or a number; TCP only (listeners). */
static void note_port(struct container_info *ci, const char *spec, long number, const char *proto)
{
	char *end = NULL;
	long port = number;

	if (spec) {
		port = strtol(spec, &end, 10);
		if (end == spec || (*end && *end != '/'))
			return;
		proto = *end ? end + 1 : "tcp";
	}
	if (port <= 0 || port > 65535 || (proto && strcasecmp(proto, "tcp") != 0) ||
	    container_declares_port(ci, (unsigned int)port) || ci->n_ports == CONTAINER_MAX_PORTS)
		return;
	ci->ports[ci->n_ports++] = (uint16_t)port;
}

/* Kubernetes containerPorts, as the kubelet passes them: a JSON array in one annotation. */
static void note_k8s_ports(struct container_info *ci, const char *text)
{
	json_t *ports = text ? json_loads(text, 0, NULL) : NULL;
	size_t i;

	for (i = 0; json_is_array(ports) && i < json_array_size(ports); i++) {
		json_t *p = json_array_get(ports, i);
		const char *proto = jstring(p, "protocol");

		note_port(ci, NULL, json_integer_value(json_object_get(p, "containerPort")), proto ? proto : "TCP");
	}
	json_decref(ports);
}

static void apply_k8s_annotations(struct container_info *ci, json_t *ann)
{
	/* containerd (CRI) names first, then CRI-O's, then dockershim-era labels */
	static const char *const pod[] = { "io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name" };
	static const char *const ns[] = { "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace" };
	static const char *const uid[] = { "io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid" };
	static const char *const cname[] = { "io.kubernetes.cri.container-name", "io.kubernetes.container.name" };
	static const char *const image[] = { "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName" };
	const char *v;
	int i;

	if (!json_is_object(ann))
		return;
	for (i = 0; i < 2; i++) {
		if (!ci->k8s_pod[0] && (v = jstring(ann, pod[i])))
			copy_str(ci->k8s_pod, sizeof(ci->k8s_pod), v);
		if (!ci->k8s_namespace[0] && (v = jstring(ann, ns[i])))
			copy_str(ci->k8s_namespace, sizeof(ci->k8s_namespace), v);
		if (!ci->ident.pod_uid[0] && (v = jstring(ann, uid[i])))
			copy_str(ci->ident.pod_uid, sizeof(ci->ident.pod_uid), v);
		if (!ci->k8s_container[0] && (v = jstring(ann, cname[i])))
			copy_str(ci->k8s_container, sizeof(ci->k8s_container), v);
		if (!ci->image[0] && (v = jstring(ann, image[i])))
			copy_str(ci->image, sizeof(ci->image), v);
	}
	if (!ci->name[0] && ci->k8s_container[0])
		copy_str(ci->name, sizeof(ci->name), ci->k8s_container);
	note_k8s_ports(ci, jstring(ann, "io.kubernetes.container.ports"));
}

int container_parse_oci_spec(const char *text, struct container_info *ci)
{
	json_t *root = json_loads(text, 0, NULL), *process, *caps, *linux_, *nss, *mounts, *v;
	bool has_pid = false, has_net = false, has_ipc = false;
	size_t i, n_eff = 0;

	if (!json_is_object(root)) {
		json_decref(root);
		return -EINVAL;
	}
	process = json_object_get(root, "process");
	linux_ = json_object_get(root, "linux");
	v = json_object_get(json_object_get(process, "user"), "uid");
	if (!json_is_integer(v) || json_integer_value(v) == 0)
		ci->risks |= RISK_ROOT_USER;
	if (json_is_integer(v))
		snprintf(ci->user, sizeof(ci->user), "%lld", (long long)json_integer_value(v));
	caps = json_object_get(json_object_get(process, "capabilities"), "effective");
	for (i = 0; i < json_array_size(caps); i++) {
		const char *cap = json_string_value(json_array_get(caps, i));

		if (cap) {
			note_dangerous_cap(ci, cap);
			n_eff++;
		}
	}
	/* the full set: Docker's --privileged grants every capability the runtime knows (38+ today) */
	if (n_eff >= 38)
		ci->risks |= RISK_PRIVILEGED;
	if (!json_is_true(json_object_get(process, "noNewPrivileges")))
		ci->risks |= RISK_PRIV_ESCALATION;
	if (!json_is_true(json_object_get(json_object_get(root, "root"), "readonly")))
		ci->risks |= RISK_WRITABLE_ROOTFS;
	/* relative to the bundle when not absolute: the caller completes it */
	copy_str(ci->rootfs, sizeof(ci->rootfs), jstring(json_object_get(root, "root"), "path"));
	if (!json_object_get(linux_, "seccomp"))
		ci->risks |= RISK_NO_SECCOMP;
	nss = json_object_get(linux_, "namespaces");
	for (i = 0; i < json_array_size(nss); i++) {
		const char *type = jstring(json_array_get(nss, i), "type");

		has_pid |= type && strcmp(type, "pid") == 0;
		has_net |= type && strcmp(type, "network") == 0;
		has_ipc |= type && strcmp(type, "ipc") == 0;
	}
	/* a namespace type absent from the spec is shared with the host */
	if (!has_pid)
		ci->risks |= RISK_HOST_PID;
	if (!has_net)
		ci->risks |= RISK_HOST_NETWORK;
	if (!has_ipc)
		ci->risks |= RISK_HOST_IPC;
	mounts = json_object_get(root, "mounts");
	for (i = 0; i < json_array_size(mounts); i++) {
		json_t *m = json_array_get(mounts, i), *opts = json_object_get(m, "options");
		const char *src = jstring(m, "source"), *type = jstring(m, "type");
		bool bind = type && strcmp(type, "bind") == 0;
		size_t j;

		for (j = 0; j < json_array_size(opts); j++) {
			const char *o = json_string_value(json_array_get(opts, j));

			bind |= o && (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0);
		}
		if (bind && src)
			note_mount_source(ci, src);
	}
	apply_k8s_annotations(ci, json_object_get(root, "annotations"));
	if (ci->image[0])
		split_image(ci);
	json_decref(root);
	return 0;
}

/* An inspect answer, or Docker's config.v2.json with its hostconfig.json as "HostConfig". */
static int parse_docker(json_t *root, struct container_info *ci)
{
	json_t *config, *host, *caps, *opts, *mounts, *labels;
	const char *v;
	size_t i;

	if (!json_is_object(root) || !json_is_object(json_object_get(root, "Config")))
		return -EINVAL;
	config = json_object_get(root, "Config");
	host = json_object_get(root, "HostConfig");
	v = jstring(root, "Name");
	copy_str(ci->name, sizeof(ci->name), v && v[0] == '/' ? v + 1 : v);
	copy_str(ci->image, sizeof(ci->image), jstring(config, "Image"));
	copy_str(ci->image_id, sizeof(ci->image_id), jstring(root, "Image"));
	split_image(ci);
	copy_str(ci->user, sizeof(ci->user), jstring(config, "User"));
	/* an inspect answer names the writable layer (config.v2.json does not) */
	copy_str(ci->upper_dir, sizeof(ci->upper_dir),
		 jstring(json_object_get(json_object_get(root, "GraphDriver"), "Data"), "UpperDir"));
	v = ci->user;
	if (!v[0] || strcmp(v, "0") == 0 || strcmp(v, "root") == 0 || strncmp(v, "0:", 2) == 0 || strncmp(v, "root:", 5) == 0)
		ci->risks |= RISK_ROOT_USER;
	if (json_is_true(json_object_get(host, "Privileged")))
		ci->risks |= RISK_PRIVILEGED | RISK_NO_SECCOMP | RISK_SENSITIVE_MOUNT;
	caps = json_object_get(host, "CapAdd");
	for (i = 0; i < json_array_size(caps); i++) {
		const char *cap = json_string_value(json_array_get(caps, i));

		if (cap && (strcmp(cap, "ALL") == 0 || strcmp(cap, "CAP_ALL") == 0))
			ci->risks |= RISK_PRIVILEGED;
		else if (cap)
			note_dangerous_cap(ci, cap);
	}
	opts = json_object_get(host, "SecurityOpt");
	ci->risks |= RISK_PRIV_ESCALATION;
	for (i = 0; i < json_array_size(opts); i++) {
		const char *o = json_string_value(json_array_get(opts, i));

		if (!o)
			continue;
		if (strcmp(o, "seccomp=unconfined") == 0 || strcmp(o, "seccomp:unconfined") == 0)
			ci->risks |= RISK_NO_SECCOMP;
		if (strcmp(o, "no-new-privileges") == 0 || strcmp(o, "no-new-privileges:true") == 0 ||
		    strcmp(o, "no-new-privileges=true") == 0)
			ci->risks &= ~RISK_PRIV_ESCALATION;
	}
	if (!json_is_true(json_object_get(host, "ReadonlyRootfs")))
		ci->risks |= RISK_WRITABLE_ROOTFS;
	if ((v = jstring(host, "PidMode")) && strcmp(v, "host") == 0)
		ci->risks |= RISK_HOST_PID;
	if ((v = jstring(host, "NetworkMode")) && strcmp(v, "host") == 0)
		ci->risks |= RISK_HOST_NETWORK;
	if ((v = jstring(host, "IpcMode")) && strcmp(v, "host") == 0)
		ci->risks |= RISK_HOST_IPC;
	mounts = json_object_get(root, "Mounts");
	for (i = 0; i < json_array_size(mounts); i++) {
		json_t *m = json_array_get(mounts, i);
		const char *type = jstring(m, "Type"), *src = jstring(m, "Source");

		if (type && strcmp(type, "bind") == 0 && src)
			note_mount_source(ci, src);
	}
	/* config.v2.json keeps them as "MountPoints": {"<destination>": {"Type", "Source", ...}} */
	{
		const char *dest;
		json_t *m;

		json_object_foreach(json_object_get(root, "MountPoints"), dest, m) {
			const char *type = jstring(m, "Type"), *src = jstring(m, "Source");

			(void)dest;
			if (type && strcmp(type, "bind") == 0 && src)
				note_mount_source(ci, src);
		}
	}
	/* the image's EXPOSE and --expose; -p/-P publish what they bind as well */
	{
		const char *port;
		json_t *unused;

		json_object_foreach(json_object_get(config, "ExposedPorts"), port, unused)
			note_port(ci, port, 0, NULL);
		json_object_foreach(json_object_get(host, "PortBindings"), port, unused)
			note_port(ci, port, 0, NULL);
	}
	labels = json_object_get(config, "Labels");
	apply_k8s_annotations(ci, labels);
	return 0;
}

int container_parse_docker_inspect(const char *text, struct container_info *ci)
{
	json_t *root = json_loads(text, 0, NULL);
	int err = parse_docker(root, ci);

	json_decref(root);
	return err;

}

/* ---- the cache ------------------------------------------------------------------------ */

/*
 * A container's runtime state can appear during its start, a few
 * milliseconds after its first processes run (runc writes state.json between
 * its init's first events and the entrypoint's). The worker tries a first
 * lookup again after 1, 2, 4 ... 32 ms (63 ms in all, well inside the time
 * the container's first events may wait for it) before it answers "unknown".
 */
#define EAGER_ATTEMPTS 7
#define EAGER_FIRST_GAP_US 1000
/* Then the container's later events ask again, backing off from 20 ms to 1.3 s. */
#define RETRY_MIN_MS 20
#define RETRY_MAX_SHIFT 6
/*
 * Requests the loop may have out at once. A request holds a slot while the
 * worker tries it (at most the 63 ms above, or the API timeout): 64 covers
 * 64 containers starting within that time; more are asked again at their
 * next event (counted in requests_full). 6 KB each, touched only when used.
 */
#define LOOKUP_SLOTS 64

struct centry {
	struct container_info info;
	bool announced;         /* container_start with the posture was emitted */
	bool announced_unknown; /* container_start with the id alone was emitted (no runtime knew it yet) */
	bool pending;           /* a request is with the worker */
	bool waitable;          /* it is the first one: events may wait for its answer */
	unsigned int failures;
	uint64_t retry_at_ms; /* 0: no retry planned */
	uint64_t used_ms;     /* last looked up (CLOCK_MONOTONIC): the expiry's idle time */
	struct table_link link;
};

/* A slot is the loop's when FREE or DONE, the worker's when QUEUED or BUSY; the state changes under cc->lock. */
enum slot_state { SLOT_FREE = 0, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

struct lookup_slot {
	enum slot_state state;
	bool eager;            /* a first lookup: retried by the worker while the container's events wait */
	bool known, docker_ok, oci_ok;
	unsigned int attempts;
	uint64_t due_us;       /* CLOCK_MONOTONIC: when to try (again) */
	uint64_t latency_us;   /* of the attempt that succeeded */
	struct container_info info; /* ident in; metadata out */
};

struct container_cache {
	struct container_opts opts;
	char docker_socket[PATH_MAX];
	char docker_root[512];
	char host_root[512];
	char **state_dirs;
	/*
	 * By container id; the loop's alone. A request to the worker carries the
	 * id, not a slot or a pointer: its answer finds the entry again by id, so
	 * an answer for an entry evicted meanwhile is dropped, never applied to
	 * the slot's next owner.
	 */
	struct table *e;
	struct container_info host;
	struct container_stats st;
	struct latency latency;
	/* shared with the worker, under lock */
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a request or the stop (CLOCK_MONOTONIC for the retry waits) */
	bool stopping;
	struct lookup_slot *slots;
	int efd;             /* eventfd: the worker has answers */
	/* the worker's own */
	pthread_t worker;
	bool worker_started;
	CURL *curl;
	/* the loop's: when to look for entries of removed containers next */
	uint64_t next_sweep_ms;
	unsigned int idle_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t entry_hash(const void *e)
{
	return table_hash_str(((const struct centry *)e)->info.ident.id);
}

static bool entry_match(const void *e, const void *id)
{
	return strcmp(((const struct centry *)e)->info.ident.id, id) == 0;
}

/* 6 KB per entry: the table touches a slot only when it is first used. */
static const struct table_ops entry_ops = {
	.size = sizeof(struct centry),
	.link = offsetof(struct centry, link),
	.hash = entry_hash,
	.match = entry_match,
};

static void *worker_main(void *arg);

/* The worker takes no signal: SIGINT, SIGTERM and SIGHUP are the loop's, through its signalfd. */
static int start_worker(struct container_cache *cc)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (pthread_condattr_init(&ca))
		return -ENOMEM;
	err = -pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (!err)
		err = -pthread_cond_init(&cc->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (err)
		return err;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&cc->worker, NULL, worker_main, cc);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	cc->worker_started = err == 0;
	if (err)
		pthread_cond_destroy(&cc->wake);
	return err;
}

struct container_cache *container_cache__new(const struct container_opts *opts)
{
	struct container_cache *cc = calloc(1, sizeof(*cc));
	size_t i;
	int err = -ENOMEM;

	if (!cc)
		return NULL;
	cc->efd = -1;
	pthread_mutex_init(&cc->lock, NULL);
	cc->opts = *opts;
	cc->idle_ms = opts->idle_expire_ms ? opts->idle_expire_ms : CONTAINER_IDLE_EXPIRE_MS;
	cc->e = table__new(&entry_ops, opts->capacity, NULL);
	cc->state_dirs = calloc(opts->n_state_dirs + 1, sizeof(char *));
	cc->slots = calloc(LOOKUP_SLOTS, sizeof(*cc->slots));
	if (!cc->e || !cc->state_dirs || !cc->slots)
		goto fail;
	for (i = 0; i < opts->n_state_dirs; i++)
		if (!(cc->state_dirs[i] = strdup(opts->state_dirs[i])))
			goto fail;
	cc->opts.state_dirs = NULL;
	copy_str(cc->docker_socket, sizeof(cc->docker_socket), opts->docker_socket);
	copy_str(cc->docker_root, sizeof(cc->docker_root), opts->docker_root);
	copy_str(cc->host_root, sizeof(cc->host_root), opts->host_root);
	cc->host.ident.runtime = RUNTIME_NONE;
	strcpy(cc->host.ident.id, "host");
	strcpy(cc->host.name, "host");
	if (!cc->opts.lookup_timeout_ms)
		cc->opts.lookup_timeout_ms = 500;
	cc->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cc->efd < 0) {
		err = -errno;
		goto fail;
	}
	/* last: from here on the worker reads the options above */
	err = start_worker(cc);
	if (err)
		goto fail;
	return cc;
fail:
	container_cache__free(cc);
	errno = -err;
	return NULL;
}

void container_cache__free(struct container_cache *cc)
{
	size_t i;

	if (!cc)
		return;
	if (cc->worker_started) {
		pthread_mutex_lock(&cc->lock);
		cc->stopping = true;
		pthread_cond_signal(&cc->wake);
		pthread_mutex_unlock(&cc->lock);
		pthread_join(cc->worker, NULL);
		pthread_cond_destroy(&cc->wake);
	}
	pthread_mutex_destroy(&cc->lock);
	if (cc->efd >= 0)
		close(cc->efd);
	free(cc->slots);
	if (cc->state_dirs)
		for (i = 0; cc->state_dirs[i]; i++)
			free(cc->state_dirs[i]);
	free(cc->state_dirs);
	if (cc->curl)
		curl_easy_cleanup(cc->curl);
	table__free(cc->e);
	free(cc);
}

static struct centry *find(const struct container_cache *cc, const char *id)
{
	return table__find(cc->e, table_hash_str(id), id);
}

static struct centry *insert(struct container_cache *cc, const struct container_ident *ident)
{
	struct centry *e = table__insert(cc->e, table_hash_str(ident->id));

	e->info.ident = *ident;
	e->used_ms = now_ms();
	return e;
}

/*
 * Whether the runtime that described a container no longer has it: Docker's
 * containers/<id> directory is gone (removed, not merely stopped) and no OCI
 * state directory holds it. A container known only through the Docker API (its
 * files unreadable) is never called gone: that would need a request. One no
 * runtime ever described keeps nothing but its id and is gone once idle.
 */
static bool container_gone(const struct container_cache *cc, const struct centry *e)
{
	const char *id = e->info.ident.id;
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	if (!e->info.metadata_known)
		return true;
	if (cc->docker_root[0]) {
		snprintf(path, sizeof(path), "%s%s/containers/%s", cc->host_root, cc->docker_root, id);
		if (stat(path, &st) == 0)
			return false;
		snprintf(path, sizeof(path), "%s%s/containers", cc->host_root, cc->docker_root);
		if (e->info.ident.runtime == RUNTIME_DOCKER && stat(path, &st) != 0)
			return false;
	}
	for (i = 0; cc->state_dirs[i]; i++) {
		glob_t g;
		bool found;

		snprintf(path, sizeof(path), "%s%s/%s/state.json", cc->host_root, cc->state_dirs[i], id);
		if (stat(path, &st) == 0)
			return false;
		snprintf(path, sizeof(path), "%s%s/*/%s/state.json", cc->host_root, cc->state_dirs[i], id);
		found = glob(path, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
		globfree(&g);
		if (found)
			return false;
	}
	return true;
}

/*
 * Drops entries idle for idle_ms whose containers are gone, oldest first; at most 64 checks a
 * sweep, one sweep per half idle time (at most every 10 s). On a node that churns containers
 * the table would otherwise take a fresh slot (6 KB, touched) for each one until it is full.
 */
static void sweep(struct container_cache *cc, uint64_t now)
{
	struct centry *e, *next;
	unsigned int checked = 0;

	cc->next_sweep_ms = now + (cc->idle_ms / 2 < 10000 ? cc->idle_ms / 2 + 1 : 10000);
	for (e = table__oldest(cc->e); e && checked < 64; e = next) {
		next = table__newer(cc->e, e);
		if (now - e->used_ms < cc->idle_ms)
			break; /* LRU order: every newer one was used more recently */
		checked++;
		if (container_gone(cc, e)) {
			table__remove(cc->e, e);
			cc->st.expired++;
		}
	}
}

/* ---- runtime queries -------------------------------------------------------------------- */

struct membuf {
	char *p;
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct membuf *mb = ctx;
	size_t n = size * nmemb;
	char *p;

	if (mb->len + n > (4u << 20))
		return 0; /* an inspect answer is a few KiB; refuse a runaway body */
	p = realloc(mb->p, mb->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + mb->len, data, n);
	mb->p = p;
	mb->len += n;
	mb->p[mb->len] = '\0';
	return n;
}

/* GET /containers/<id>/json on the Docker Engine API; 0 when it described the container. */
static int docker_lookup(struct container_cache *cc, struct container_info *ci)
{
	struct membuf mb = { NULL, 0 };
	char url[160];
	long status = 0;
	CURLcode rc;
	int err = -ENOENT;

	if (!cc->docker_socket[0] || access(cc->docker_socket, F_OK) != 0)
		return -ENOENT;
	if (!cc->curl && !(cc->curl = curl_easy_init()))
		return -ENOMEM;
	snprintf(url, sizeof(url), "http://localhost/containers/%s/json", ci->ident.id);
	curl_easy_reset(cc->curl);
	curl_easy_setopt(cc->curl, CURLOPT_UNIX_SOCKET_PATH, cc->docker_socket);
	curl_easy_setopt(cc->curl, CURLOPT_URL, url);
	curl_easy_setopt(cc->curl, CURLOPT_TIMEOUT_MS, (long)cc->opts.lookup_timeout_ms);
	curl_easy_setopt(cc->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cc->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cc->curl, CURLOPT_WRITEDATA, &mb);
	rc = curl_easy_perform(cc->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(cc->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		log_debug("docker API %s: %s", url, curl_easy_strerror(rc));
	else if (status == 200 && mb.p && container_parse_docker_inspect(mb.p, ci) == 0)
		err = 0;
	else if (status != 404)
		log_warn("docker API %s: HTTP %ld", url, status);
	free(mb.p);
	return err;
}

static char *read_file(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	buf = malloc(max + 1);
	while (buf && len < max && (n = read(fd, buf + len, max - len)) > 0)
		len += n;
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/*
 * Docker's own record of the container (<docker root>/containers/<id>/
 * config.v2.json and hostconfig.json), written when it is created. Reading it
 * does not wait for the daemon, which holds a starting container's lock until
 * the start is done: the API answered in 50 to 90 ms for a container seen
 * during its start.
 */
static int docker_files_lookup(struct container_cache *cc, struct container_info *ci)
{
	char path[1024 + PATH_MAX + 128], *text;
	json_t *root, *host = NULL;
	int err;

	if (!cc->docker_root[0])
		return -ENODATA;
	snprintf(path, sizeof(path), "%s%s/containers/%s/config.v2.json", cc->host_root, cc->docker_root,
		 ci->ident.id);
	text = read_file(path, 4 << 20);
	if (!text) {
		/*
		 * Docker writes this file at create, before the container's first
		 * process: where its containers directory can be read, a container
		 * without a file there is one Docker does not know, and asking the
		 * API (a round trip to a daemon that may be busy, on the event
		 * loop) would only hear the same. -ENODATA: ask the API.
		 */
		snprintf(path, sizeof(path), "%s%s/containers", cc->host_root, cc->docker_root);
		return access(path, R_OK | X_OK) == 0 ? -ENOENT : -ENODATA;
	}
	root = json_loads(text, 0, NULL);
	free(text);
	snprintf(path, sizeof(path), "%s%s/containers/%s/hostconfig.json", cc->host_root, cc->docker_root,
		 ci->ident.id);
	text = read_file(path, 4 << 20);
	if (text && json_is_object(root) && (host = json_loads(text, 0, NULL)))
		json_object_set_new(root, "HostConfig", host);
	free(text);
	err = parse_docker(root, ci);
	json_decref(root);
	return err;
}

/*
 * overlay2's layer of a Docker container: image/overlay2/layerdb/mounts/<id>/mount-id
 * names <root>/overlay2/<mount-id>, whose diff/ is the upper directory. Known from
 * create on, unlike the rootfs mount that the OCI path reads from the mount table,
 * and whichever way (files or API) Docker described the container. Its merged/
 * is the container's root filesystem, for when no OCI bundle was found (a
 * Docker engine with an exec root of its own): the image inventory reads it.
 */
static void docker_upper_dir(struct container_cache *cc, struct container_info *ci)
{
	char path[1024 + PATH_MAX + 128], mount_id[128] = "";
	ssize_t n;
	int fd;

	if (!cc->docker_root[0])
		return;
	snprintf(path, sizeof(path), "%s%s/image/overlay2/layerdb/mounts/%s/mount-id", cc->host_root,
		 cc->docker_root, ci->ident.id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, mount_id, sizeof(mount_id) - 1);
	close(fd);
	if (n > 0 && !memchr(mount_id, '/', n)) {
		mount_id[strcspn(mount_id, "\n")] = '\0';
		if (!ci->upper_dir[0]) {
			snprintf(path, sizeof(path), "%s/overlay2/%s/diff", cc->docker_root, mount_id);
			copy_str(ci->upper_dir, sizeof(ci->upper_dir), path);
		}
		if (!ci->rootfs[0]) {
			snprintf(path, sizeof(path), "%s/overlay2/%s/merged", cc->docker_root, mount_id);
			copy_str(ci->rootfs, sizeof(ci->rootfs), path);
		}
	}
}

/* A relative root.path is relative to the bundle, the directory of config.json (a host path). */
static void complete_rootfs(struct container_cache *cc, struct container_info *ci, const char *config_path)
{
	const char *host_path = config_path + strlen(cc->host_root), *slash = strrchr(host_path, '/');
	char abs[PATH_MAX + sizeof(ci->rootfs)];

	if (!ci->rootfs[0] || ci->rootfs[0] == '/' || !slash)
		return;
	snprintf(abs, sizeof(abs), "%.*s/%s", (int)(slash - host_path), host_path, ci->rootfs);
	copy_str(ci->rootfs, sizeof(ci->rootfs), abs);
}

/*
 * The upperdir of the overlay mounted at the container's rootfs, from the
 * host's mount table (/proc/1/mountinfo: "... <mount point> ... - overlay
 * <source> <options with upperdir=...>"). The runtime mounted it before the
 * container's first process ran.
 */
static void find_upper_dir(struct container_cache *cc, struct container_info *ci)
{
	char path[600], *line = NULL;
	size_t cap = 0, root_len = strlen(ci->rootfs);
	FILE *f;

	if (!ci->rootfs[0])
		return;
	snprintf(path, sizeof(path), "%s/proc/1/mountinfo", cc->host_root);
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *mp, *sep, *up, *end;
		int i;

		/* field 5 is the mount point */
		for (mp = line, i = 0; i < 4 && mp; i++)
			mp = strchr(mp, ' ') ? strchr(mp, ' ') + 1 : NULL;
		if (!mp || strncmp(mp, ci->rootfs, root_len) != 0 || mp[root_len] != ' ')
			continue;
		sep = strstr(mp, " - overlay ");
		up = sep ? strstr(sep, "upperdir=") : NULL;
		if (!up)
			continue;
		up += 9;
		end = up + strcspn(up, ", \n");
		snprintf(ci->upper_dir, sizeof(ci->upper_dir), "%.*s", (int)(end - up), up);
		break;
	}
	free(line);
	fclose(f);
}

const struct container_info *container_cache__by_layer_path(const struct container_cache *cc, const char *path)
{
	const struct centry *e;

	/* few containers per host and rare host execs of such paths: a walk of the LRU list is enough */
	for (e = table__newest(cc->e); e; e = table__older(cc->e, e)) {
		const struct container_info *ci = &e->info;
		size_t n = strlen(ci->upper_dir);

		if (n && strncmp(path, ci->upper_dir, n) == 0 && path[n] == '/')
			return ci;
	}
	return NULL;
}

/* runc's state.json names the bundle in config.labels ("bundle=<dir>"); its config.json is the OCI spec. */
static int oci_lookup_state(struct container_cache *cc, const char *state_path, struct container_info *ci)
{
	char *state = read_file(state_path, 1 << 20), *spec = NULL, path[512 + PATH_MAX];
	json_t *root = NULL, *labels;
	const char *bundle = NULL;
	size_t i;
	int err = -ENOENT;

	if (!state)
		return -ENOENT;
	root = json_loads(state, 0, NULL);
	labels = json_object_get(json_object_get(root, "config"), "labels");
	for (i = 0; i < json_array_size(labels); i++) {
		const char *l = json_string_value(json_array_get(labels, i));

		if (l && strncmp(l, "bundle=", 7) == 0)
			bundle = l + 7;
	}
	if (bundle) {
		snprintf(path, sizeof(path), "%s%s/config.json", cc->host_root, bundle);
		spec = read_file(path, 4 << 20);
		if (spec && container_parse_oci_spec(spec, ci) == 0) {
			complete_rootfs(cc, ci, path);
			err = 0;
		}
	}
	json_decref(root);
	free(spec);
	free(state);
	return err;
}

int container_parse_storage(const char *text, struct container_info *ci)
{
	json_t *root = json_loads(text, 0, NULL), *meta = NULL;
	const char *v;
	size_t i;
	int err = -ENOENT;

	for (i = 0; json_is_array(root) && i < json_array_size(root); i++) {
		json_t *c = json_array_get(root, i);

		if (!(v = jstring(c, "id")) || strcmp(v, ci->ident.id) != 0)
			continue;
		if (!ci->name[0])
			copy_str(ci->name, sizeof(ci->name), json_string_value(json_array_get(json_object_get(c, "names"), 0)));
		/* "metadata" is a JSON document in a string: podman's image-name, CRI-O's pod fields */
		meta = (v = jstring(c, "metadata")) ? json_loads(v, 0, NULL) : NULL;
		if (!ci->image[0]) {
			copy_str(ci->image, sizeof(ci->image), jstring(meta, "image-name"));
			split_image(ci);
		}
		if (!ci->image_id[0])
			copy_str(ci->image_id, sizeof(ci->image_id), jstring(c, "image"));
		json_decref(meta);
		err = 0;
		break;
	}
	json_decref(root);
	return err;
}

/* Where containers/storage lists its containers (rootful podman, CRI-O). */
#define STORAGE_CONTAINERS "/var/lib/containers/storage/overlay-containers/containers.json"

static void storage_lookup(struct container_cache *cc, struct container_info *ci)
{
	char path[PATH_MAX + 128];
	char *text;

	snprintf(path, sizeof(path), "%s%s", cc->host_root, STORAGE_CONTAINERS);
	if ((text = read_file(path, 16 << 20))) {
		container_parse_storage(text, ci);
		free(text);
	}
}

/*
 * Where runtimes keep a container's bundle (the OCI spec runc is given),
 * known before runc has written its state: containerd (any namespace, Docker's
 * moby included) and CRI-O.
 */
static const char *const bundle_patterns[] = {
	"/run/containerd/io.containerd.runtime.v2.task/*/%s/config.json",
	"/run/docker/containerd/daemon/io.containerd.runtime.v2.task/*/%s/config.json",
	"/run/containers/storage/overlay-containers/%s/userdata/config.json",
};

static int oci_lookup_bundle(struct container_cache *cc, struct container_info *ci)
{
	char pattern[512 + PATH_MAX + 128], glob_pat[256];
	size_t i;

	for (i = 0; i < sizeof(bundle_patterns) / sizeof(bundle_patterns[0]); i++) {
		char *spec;
		glob_t g;
		int rc = -ENOENT;

		snprintf(glob_pat, sizeof(glob_pat), bundle_patterns[i], ci->ident.id);
		snprintf(pattern, sizeof(pattern), "%s%s", cc->host_root, glob_pat);
		if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
			continue;
		if (g.gl_pathc && (spec = read_file(g.gl_pathv[0], 4 << 20))) {
			rc = container_parse_oci_spec(spec, ci);
			if (rc == 0)
				complete_rootfs(cc, ci, g.gl_pathv[0]);
			free(spec);
		}
		globfree(&g);
		if (rc == 0)
			return 0;
	}
	return -ENOENT;
}

/* Searches every state root: <root>/<id>/state.json, and one level of namespaces (containerd: <root>/<ns>/<id>). */
static int oci_lookup(struct container_cache *cc, struct container_info *ci)
{
	char pattern[512 + PATH_MAX + 128];
	size_t i;

	if (oci_lookup_bundle(cc, ci) == 0)
		return 0;

	for (i = 0; cc->state_dirs[i]; i++) {
		glob_t g;
		int rc;

		snprintf(pattern, sizeof(pattern), "%s%s/%s/state.json", cc->host_root, cc->state_dirs[i], ci->ident.id);
		if (access(pattern, R_OK) == 0 && oci_lookup_state(cc, pattern, ci) == 0)
			return 0;
		snprintf(pattern, sizeof(pattern), "%s%s/*/%s/state.json", cc->host_root, cc->state_dirs[i], ci->ident.id);
		if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
			continue;
		rc = g.gl_pathc ? oci_lookup_state(cc, g.gl_pathv[0], ci) : -ENOENT;
		globfree(&g);
		if (rc == 0)
			return 0;
	}
	return -ENOENT;
}

/*
 * What the image carries that an intruder uses (setuid-root binaries such as
 * sudo, package managers, compilers), from the root filesystem's bin
 * directories, resolved inside the root (inventory_hygiene). A few hundred
 * directory entries and stats, on this worker thread, before the container's
 * first event is released: its container_start carries them.
 */
static void image_hygiene(struct container_cache *cc, struct container_info *ci)
{
	char path[PATH_MAX + 1024];
	struct image_hygiene h;
	int fd;

	if (!ci->rootfs[0])
		return;
	snprintf(path, sizeof(path), "%s%s", cc->host_root, ci->rootfs);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (inventory_hygiene(fd, &h) == 0) {
		copy_str(ci->image_setuid_root, sizeof(ci->image_setuid_root), h.setuid_root);
		copy_str(ci->image_package_managers, sizeof(ci->image_package_managers), h.package_managers);
		copy_str(ci->image_compilers, sizeof(ci->image_compilers), h.compilers);
	}
	close(fd);
}

/*
 * Asks the runtimes (on the worker thread: reads only the options and the
 * worker's curl handle); true when one of them described the container.
 */
static bool resolve(struct container_cache *cc, struct container_info *fresh, bool *docker_ok, bool *oci_ok)
{
	*docker_ok = *oci_ok = false;
	if (fresh->ident.runtime == RUNTIME_DOCKER || fresh->ident.runtime == RUNTIME_UNKNOWN) {
		int rc = docker_files_lookup(cc, fresh);

		*docker_ok = rc == 0 || (rc != -ENOENT && docker_lookup(cc, fresh) == 0);
	}
	if (*docker_ok) {
		struct container_info spec = { .ident = fresh->ident };

		/*
		 * The OCI spec runc was given is the ground truth for the posture
		 * (resolved uid, effective capabilities, namespaces, mounts); Docker
		 * adds names, image and its privileged flag.
		 */
		if (oci_lookup(cc, &spec) == 0) {
			fresh->risks = spec.risks | (fresh->risks & RISK_PRIVILEGED);
			fresh->cap_add = spec.cap_add;
			copy_str(fresh->privileged_caps, sizeof(fresh->privileged_caps), spec.privileged_caps);
			copy_str(fresh->sensitive_mounts, sizeof(fresh->sensitive_mounts), spec.sensitive_mounts);
			copy_str(fresh->rootfs, sizeof(fresh->rootfs), spec.rootfs);
			*oci_ok = true;
		}
	} else {
		*oci_ok = oci_lookup(cc, fresh) == 0;
	}
	if (!*docker_ok && !*oci_ok)
		return false;
	if (*oci_ok && (fresh->ident.runtime == RUNTIME_PODMAN || fresh->ident.runtime == RUNTIME_CRIO) &&
	    (!fresh->name[0] || !fresh->image[0]))
		storage_lookup(cc, fresh);
	if (fresh->ident.runtime == RUNTIME_UNKNOWN_K8S || fresh->ident.runtime == RUNTIME_UNKNOWN)
		fresh->ident.runtime = *docker_ok ? RUNTIME_DOCKER : RUNTIME_CONTAINERD;
	fresh->metadata_known = true;
	if (*docker_ok && (!fresh->upper_dir[0] || !fresh->rootfs[0]))
		docker_upper_dir(cc, fresh);
	if (!fresh->upper_dir[0])
		find_upper_dir(cc, fresh);
	image_hygiene(cc, fresh);
	return true;
}

/* ---- the worker --------------------------------------------------------------------------- */

/* One try of a request (worker, slot BUSY); true when it is answered, false to try again at s->due_us. */
static bool attempt(struct container_cache *cc, struct lookup_slot *s)
{
	struct container_info fresh = { .ident = s->info.ident };
	uint64_t t0 = now_us();

	s->attempts++;
	s->known = resolve(cc, &fresh, &s->docker_ok, &s->oci_ok);
	if (s->known) {
		s->latency_us = now_us() - t0;
		s->info = fresh;
		return true;
	}
	if (!s->eager || s->attempts >= EAGER_ATTEMPTS)
		return true;
	s->due_us = now_us() + ((uint64_t)EAGER_FIRST_GAP_US << (s->attempts - 1));
	return false;
}

/* The queued request due first (under lock), or NULL. */
static struct lookup_slot *next_due(struct container_cache *cc)
{
	struct lookup_slot *best = NULL;
	size_t i;

	for (i = 0; i < LOOKUP_SLOTS; i++)
		if (cc->slots[i].state == SLOT_QUEUED && (!best || cc->slots[i].due_us < best->due_us))
			best = &cc->slots[i];
	return best;
}

/*
 * One thread, not a pool: Docker's files answer in 0.6 ms (median; 1.5 ms at
 * most), so one thread resolves a hundred containers starting together in
 * under 0.1 s, and the lookups that take long (the API while the daemon
 * starts a container, 50-90 ms) are the fallback where those files cannot be
 * read. One thread also keeps one curl handle and answers in the order asked.
 */
static void *worker_main(void *arg)
{
	struct container_cache *cc = arg;

	pthread_mutex_lock(&cc->lock);
	while (!cc->stopping) {
		struct lookup_slot *s = next_due(cc);
		uint64_t now = now_us();
		bool answered;

		if (!s) {
			pthread_cond_wait(&cc->wake, &cc->lock);
			continue;
		}
		if (s->due_us > now) {
			struct timespec ts = { .tv_sec = s->due_us / 1000000, .tv_nsec = (s->due_us % 1000000) * 1000 };

			pthread_cond_timedwait(&cc->wake, &cc->lock, &ts);
			continue;
		}
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&cc->lock);
		answered = attempt(cc, s);
		pthread_mutex_lock(&cc->lock);
		s->state = answered ? SLOT_DONE : SLOT_QUEUED;
		if (answered && eventfd_write(cc->efd, 1))
			log_errno(LOG_WARN, errno, "container lookups: eventfd");
	}
	pthread_mutex_unlock(&cc->lock);
	return NULL;
}

/* ---- the loop's side ------------------------------------------------------------------------ */

static int submit(struct container_cache *cc, const struct centry *e, bool eager)
{
	size_t i;
	int err = -EBUSY;

	pthread_mutex_lock(&cc->lock);
	for (i = 0; i < LOOKUP_SLOTS; i++) {
		struct lookup_slot *s = &cc->slots[i];

		if (s->state != SLOT_FREE)
			continue;
		memset(s, 0, sizeof(*s));
		s->info.ident = e->info.ident;
		s->eager = eager;
		s->due_us = now_us();
		s->state = SLOT_QUEUED;
		pthread_cond_signal(&cc->wake);
		err = 0;
		break;
	}
	pthread_mutex_unlock(&cc->lock);
	return err;
}

static void plan_retry(struct centry *e, uint64_t delay_ms)
{
	e->retry_at_ms = now_ms() + delay_ms;
}

/* Hands a lookup to the worker; @first: events may wait for its answer. */
static void ask(struct container_cache *cc, struct centry *e, bool first)
{
	cc->st.lookups++;
	if (submit(cc, e, first)) {
		cc->st.requests_full++;
		plan_retry(e, RETRY_MIN_MS);
		return;
	}
	e->pending = true;
	e->waitable = first;
	e->retry_at_ms = 0;
}

/* An answer of the worker (slot DONE: the loop's) into its cache entry. */
static void apply(struct container_cache *cc, const struct lookup_slot *s)
{
	struct centry *e = find(cc, s->info.ident.id); /* by id: never a slot's next owner */

	cc->st.worker_lookups += s->attempts;
	if (!e)
		return; /* evicted meanwhile: its next event asks again */
	e->pending = e->waitable = false;
	if (s->known) {
		cc->st.docker_ok += s->docker_ok;
		cc->st.oci_ok += s->oci_ok;
		e->info = s->info;
		e->retry_at_ms = 0;
		latency_add(&cc->latency, s->latency_us);
		return;
	}
	/* not (yet) known to any runtime: asked again with backoff at its next events, which carry the id alone */
	cc->st.failures++;
	e->failures++;
	plan_retry(e, (uint64_t)RETRY_MIN_MS << (e->failures - 1 < RETRY_MAX_SHIFT ? e->failures - 1 : RETRY_MAX_SHIFT));
}

int container_cache__fd(const struct container_cache *cc)
{
	return cc->efd;
}

size_t container_cache__collect(struct container_cache *cc)
{
	bool done[LOOKUP_SLOTS];
	eventfd_t v;
	size_t i, n = 0;

	(void)eventfd_read(cc->efd, &v); /* EAGAIN when there is nothing: the scan below finds nothing either */
	pthread_mutex_lock(&cc->lock);
	for (i = 0; i < LOOKUP_SLOTS; i++)
		done[i] = cc->slots[i].state == SLOT_DONE;
	pthread_mutex_unlock(&cc->lock);
	/* DONE slots are the loop's: read without the lock, freed under it */
	for (i = 0; i < LOOKUP_SLOTS; i++)
		if (done[i]) {
			apply(cc, &cc->slots[i]);
			n++;
		}
	if (!n)
		return 0;
	pthread_mutex_lock(&cc->lock);
	for (i = 0; i < LOOKUP_SLOTS; i++)
		if (done[i])
			cc->slots[i].state = SLOT_FREE;
	pthread_mutex_unlock(&cc->lock);
	return n;
}

const struct container_info *container_cache__lookup(struct container_cache *cc, const char *cgroup_path,
						     bool may_wait, bool *announce)
{
	struct container_ident ident;
	struct centry *e;
	uint64_t now;

	*announce = false;
	if (!cgroup_path || container_ident_from_cgroup(cgroup_path, &ident) != 0)
		return &cc->host;
	now = now_ms();
	if (now >= cc->next_sweep_ms)
		sweep(cc, now);
	e = find(cc, ident.id);
	if (!e) {
		e = insert(cc, &ident);
		ask(cc, e, true);
	} else {
		table__touch(cc->e, e);
		e->used_ms = now;
		if (!e->info.metadata_known && !e->pending && e->retry_at_ms && now >= e->retry_at_ms) {
			cc->st.retries++;
			ask(cc, e, false);
		}
	}
	if (e->pending && e->waitable) {
		if (may_wait) {
			errno = EINPROGRESS;
			return NULL;
		}
		e->waitable = false; /* waited long enough: its later events go on too */
	}
	/* announce with the posture once it is known; at first sight with the id alone if no runtime knows it yet */
	if (!e->announced && (e->info.metadata_known || !e->announced_unknown)) {
		*announce = true;
		e->announced = e->info.metadata_known;
		e->announced_unknown = true;
	}
	return &e->info;
}

void container_cache__prefetch(struct container_cache *cc, const char *cgroup_path)
{
	struct container_ident ident;

	if (cgroup_path && container_ident_from_cgroup(cgroup_path, &ident) == 0 && !find(cc, ident.id))
		ask(cc, insert(cc, &ident), true);
}

void container_cache__stats(const struct container_cache *cc, struct container_stats *st)
{
	struct table_stats ts;

	table__stats(cc->e, &ts);
	*st = cc->st;
	st->entries = ts.entries;
	st->capacity = ts.capacity;
	st->evictions = ts.evictions;
	st->latency_us_median = latency_median(&cc->latency);
	st->latency_us_max = cc->latency.max_us;
}
