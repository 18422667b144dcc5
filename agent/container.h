/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Containers: identity from a process's cgroup path, metadata from the
 * runtimes (Docker Engine API, OCI runtime state), and posture (the start-up
 * settings that make a breakout possible). Resolved when a container is first
 * seen and cached, so that its first event already carries its metadata.
 *
 * Identity is a string parse, made on the caller's thread. Metadata is read by
 * the cache's worker thread: a file read of a runtime's state or a Docker API
 * round trip (50-90 ms during a container start) must never stall the event
 * loop, whose rings fill while it waits. The loop asks (container_cache__lookup),
 * the worker answers through a bounded table of requests and an eventfd
 * (container_cache__fd), and the loop applies the answers
 * (container_cache__collect) between events.
 *
 * Threads: the cache (entries, LRU, announce state, counters) belongs to the
 * thread that calls container_cache__* (the event loop) and is never locked.
 * The worker reads only the options copied at __new (immutable afterwards),
 * uses its own libcurl handle, and exchanges requests and answers with the
 * loop in the request table under one mutex; an answer is a whole
 * container_info copied by value, so no pointer crosses threads.
 */
#ifndef BULWARK_CONTAINER_H
#define BULWARK_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTAINER_ID_MAX 64

enum container_runtime {
	RUNTIME_NONE = 0, /* the host */
	RUNTIME_DOCKER,
	RUNTIME_CONTAINERD, /* containerd / CRI, nerdctl */
	RUNTIME_CRIO,
	RUNTIME_PODMAN,
	RUNTIME_UNKNOWN_K8S, /* a kubelet cgroup path whose runtime is not named in it */
	RUNTIME_UNKNOWN,     /* a container id in a path of no known runtime */
};

/* Identity parsed from a cgroup path alone (no runtime is asked). */
struct container_ident {
	enum container_runtime runtime;
	char id[CONTAINER_ID_MAX + 1]; /* full id as in the path; "host" when runtime is RUNTIME_NONE */
	char pod_uid[40];              /* Kubernetes pod UID (dashes restored), "" if none */
};

/* Posture: how the container was started (bits of container_info.risks). */
enum container_risk {
	RISK_ROOT_USER = 1 << 0,         /* process user is uid 0 */
	RISK_PRIVILEGED = 1 << 1,        /* --privileged or the full capability set */
	RISK_DANGEROUS_CAPS = 1 << 2,    /* SYS_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, NET_ADMIN, BPF, ... added */
	RISK_NO_SECCOMP = 1 << 3,        /* unconfined seccomp */
	RISK_PRIV_ESCALATION = 1 << 4,   /* no_new_privs off */
	RISK_WRITABLE_ROOTFS = 1 << 5,   /* root filesystem not read-only */
	RISK_HOST_PID = 1 << 6,
	RISK_HOST_NETWORK = 1 << 7,
	RISK_HOST_IPC = 1 << 8,
	RISK_SENSITIVE_MOUNT = 1 << 9,   /* /, /proc, /sys, /etc, /dev, runtime sockets from the host */
};

#define CONTAINER_MAX_PORTS 32 /* declared ports kept per container; more are ignored */

struct container_info {
	struct container_ident ident;
	bool metadata_known;   /* a runtime answered (name, image, posture are meaningful) */
	char name[256];
	char image[512];       /* as the user gave it, e.g. "nginx:1.25" or "localhost/busybox:test" */
	char image_repo[512];  /* image without tag/digest */
	char image_tag[128];
	char image_id[128];
	char user[64];         /* configured user ("" = image default, i.e. usually root) */
	char k8s_pod[256];
	char k8s_namespace[256];
	char k8s_container[256];
	uint64_t cap_add;      /* capability bits added beyond the runtime default */
	uint32_t risks;        /* enum container_risk bits */
	char sensitive_mounts[1024]; /* host paths of the sensitive mounts, comma-separated */
	char rootfs[512];            /* host path of the root filesystem (the OCI spec's root.path) */
	char upper_dir[512];         /* its overlayfs upper directory on the host: what the container writes */
	char privileged_caps[512];   /* names of the dangerous capabilities added, comma-separated */
	uint16_t ports[CONTAINER_MAX_PORTS]; /* TCP ports it declares (EXPOSE, --expose, -p, containerPorts) */
	uint8_t n_ports;
	/* image hygiene, read from the root filesystem's bin directories when the container is described */
	char image_setuid_root[512];      /* setuid-root executables (sudo, su, ...), comma-separated */
	char image_package_managers[256]; /* apt, dpkg, apk, pip, ... */
	char image_compilers[256];        /* cc, gcc, clang, go, ... */
};

/*
 * Container identity from a cgroup path (a line's path part of
 * /proc/<pid>/cgroup). Returns 0 for a container, -ENOENT for the host (out is
 * then {RUNTIME_NONE, "host"}). Pure: used per event and unit-tested.
 */
int container_ident_from_cgroup(const char *path, struct container_ident *out);
const char *container_runtime_name(enum container_runtime rt);
/* Names of the risk bits, in bit order ("root_user", "privileged", ...); NULL past the last. */
const char *container_risk_name(unsigned int bit);
/*
 * Names and image of container @ci->ident.id from containers/storage's
 * containers.json (podman, CRI-O, buildah: the runtime's own spec has neither):
 * fills what is still empty. -ENOENT when the id is not listed.
 */
int container_parse_storage(const char *text, struct container_info *ci);
/* Does the container declare TCP port @port (a listener there is expected)? */
bool container_declares_port(const struct container_info *ci, unsigned int port);

struct container_cache;

#define CONTAINER_IDLE_EXPIRE_MS (60 * 1000) /* a removed container has no events left; an unknown one is asked again */

struct container_opts {
	const char *docker_socket;          /* Docker Engine API unix socket ("" disables) */
	const char *docker_root;            /* Docker's data root, read first ("" disables): /var/lib/docker */
	const char *const *state_dirs;      /* OCI runtime state roots (runc layout: <root>/<id>/state.json) */
	size_t n_state_dirs;
	const char *host_root;              /* prefix for host paths read from runtime state ("" on the host, /host in a pod) */
	size_t capacity;                    /* containers cached */
	unsigned int lookup_timeout_ms;     /* per runtime request */
	/*
	 * An entry unused this long whose container is gone from its runtime (or that no runtime
	 * ever described) is dropped, its slot reused (0: CONTAINER_IDLE_EXPIRE_MS). Without it
	 * every container ever seen keeps a slot until the cache is full.
	 */
	unsigned int idle_expire_ms;
};

struct container_stats {
	uint64_t entries, capacity, lookups, docker_ok, oci_ok, failures, retries, evictions;
	uint64_t expired;        /* entries dropped: idle and gone from their runtime */
	uint64_t latency_us_median, latency_us_max; /* metadata lookups of new containers (one worker attempt) */
	uint64_t worker_lookups; /* attempts made by the worker (a request's retries included) */
	uint64_t requests_full;  /* lookups not asked: every request slot busy (retried later) */
};

/* Starts the worker thread (with every signal blocked: the loop takes them from its signalfd). */
struct container_cache *container_cache__new(const struct container_opts *opts);
/* Stops and joins the worker; it finishes the lookup in progress first (at most the API timeout). */
void container_cache__free(struct container_cache *cc);
/*
 * The container a process in cgroup @cgroup_path belongs to (the host's
 * static entry outside containers). Never waits: at first sight the metadata
 * lookup is handed to the worker, and a failed lookup is asked again with
 * backoff at the container's later events (counted).
 *
 * With @may_wait, while a container's first lookup has not been answered,
 * returns NULL with errno EINPROGRESS and announces nothing: the caller holds
 * the event and asks again once container_cache__collect applied answers.
 * Without it, returns what is known; the container's later events do not
 * wait either (its first lookup took too long).
 *
 * *announce is set once per container, when its posture is first known (or
 * when it is first seen and no runtime can describe it): the caller emits
 * container_start then. The pointer is valid until the next lookup or collect.
 */
const struct container_info *container_cache__lookup(struct container_cache *cc, const char *cgroup_path,
						     bool may_wait, bool *announce);
/*
 * Asks now for the metadata of the container of @cgroup_path if it was never
 * seen: its event waits behind another one, and its lookup can overlap that wait.
 */
void container_cache__prefetch(struct container_cache *cc, const char *cgroup_path);
/* An eventfd, readable when the worker has answers: the loop polls it with its rings. */
int container_cache__fd(const struct container_cache *cc);
/* Applies the worker's answers to the cache; returns how many. */
size_t container_cache__collect(struct container_cache *cc);
void container_cache__stats(const struct container_cache *cc, struct container_stats *st);
/*
 * The cached container whose overlay upper directory holds the host path
 * @path (e.g. a release_agent the host runs from a container's layer), or NULL.
 */
const struct container_info *container_cache__by_layer_path(const struct container_cache *cc, const char *path);

/* Fills posture and metadata from an OCI runtime spec (config.json text); 0 or -EINVAL. Exposed for tests. */
int container_parse_oci_spec(const char *json, struct container_info *ci);
/* Fills metadata and posture from a Docker Engine "inspect" answer; 0 or -EINVAL. Exposed for tests. */
int container_parse_docker_inspect(const char *json, struct container_info *ci);

#endif
