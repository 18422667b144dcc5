// SPDX-License-Identifier: Apache-2.0
/*
 * Offline checks of packaging/kubernetes (no control plane here):
 *   - the kustomization is rendered as `kubectl kustomize` would (resources, namespace,
 *     configMapGenerator without hash, images);
 *   - every object is validated against the Kubernetes OpenAPI schemas (npm
 *     kubernetes-models: types, required fields, enums, formats) and, strictly, against the
 *     API's field lists (npm @kubernetes/client-node's type maps): an unknown or misspelt
 *     field is an error, as `kubectl apply --validate=strict` makes it;
 *   - the DaemonSet is checked for what bulwark needs (host PID, capabilities, probes on
 *     /healthz, requests and limits, tolerations, mounts);
 * and writes DIR/all.yaml (the rendered manifests), DIR/config/ (the ConfigMap's files) and
 * DIR/run.json (the container's privileges and mounts, for the Docker run of the image).
 *
 * Usage: node manifests.cjs packaging/kubernetes OUT_DIR     Prints "ok ..." / "FAIL ..." lines.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const k8s = require("@kubernetes/client-node");

const [dir, out] = process.argv.slice(2);
let failures = 0;
const ok = (m) => console.log(`ok   ${m}`);
const fail = (m) => {
	console.log(`FAIL ${m}`);
	failures++;
};

// ---- render the kustomization -------------------------------------------------------------
const kustKeys = new Set(["apiVersion", "kind", "namespace", "resources", "configMapGenerator", "generatorOptions", "images"]);
const kust = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
for (const k of Object.keys(kust)) if (!kustKeys.has(k)) fail(`kustomization.yaml: unsupported key ${k}`);
const objects = [];
for (const r of kust.resources) {
	for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, r), "utf8"))) {
		if (doc.errors.length) fail(`${r}: ${doc.errors[0].message}`);
		const o = doc.toJS();
		if (o) objects.push(o);
	}
}
for (const g of kust.configMapGenerator || []) {
	const data = {};
	for (const f of g.files) data[path.basename(f)] = fs.readFileSync(path.join(dir, f), "utf8");
	objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: g.name }, data });
}
for (const o of objects) if (o.kind !== "Namespace" && kust.namespace) o.metadata.namespace = kust.namespace;
const imageOf = (img) => {
	for (const i of kust.images || []) if (img.split(":")[0] === i.name) return `${i.newName || i.name}:${i.newTag}`;
	return img;
};
for (const o of objects)
	if (o.kind === "DaemonSet") for (const c of o.spec.template.spec.containers) c.image = imageOf(c.image);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "all.yaml"), objects.map((o) => YAML.stringify(o)).join("---\n"));
ok(`kustomization rendered: ${objects.map((o) => o.kind + "/" + o.metadata.name).join(", ")}`);

// ---- schema validation -----------------------------------------------------------------
const models = {
	"v1/Namespace": ["kubernetes-models/v1/Namespace", "Namespace", "V1Namespace"],
	"v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "ConfigMap", "V1ConfigMap"],
	"apps/v1/DaemonSet": ["kubernetes-models/apps/v1/DaemonSet", "DaemonSet", "V1DaemonSet"],
};

// Every field of obj must be one the API type declares (recursively).
function strict(obj, type, where, errs) {
	const m = /^Array<(.+)>$/.exec(type);
	if (m) {
		if (!Array.isArray(obj)) return errs.push(`${where}: expected a list`);
		obj.forEach((v, i) => strict(v, m[1], `${where}[${i}]`, errs));
		return;
	}
	const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
	if (map) {
		for (const [k, v] of Object.entries(obj || {})) strict(v, map[1], `${where}.${k}`, errs);
		return;
	}
	const cls = k8s[type];
	if (!cls || typeof cls.getAttributeTypeMap !== "function") return; // a scalar, quantity, int-or-string
	if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return errs.push(`${where}: expected an object`);
	const attrs = cls.getAttributeTypeMap();
	for (const [k, v] of Object.entries(obj)) {
		const a = attrs.find((x) => x.baseName === k);
		if (!a) errs.push(`${where}.${k}: unknown field (${type})`);
		else strict(v, a.type, `${where}.${k}`, errs);
	}
}

for (const o of objects) {
	const key = `${o.apiVersion}/${o.kind}`;
	const name = `${o.kind}/${o.metadata.name}`;
	const spec = models[key];
	if (!spec) {
		fail(`${name}: no schema for ${key}`);
		continue;
	}
	try {
		new (require(spec[0])[spec[1]])(o).validate();
		ok(`${name}: valid against the Kubernetes OpenAPI schema (kubernetes-models)`);
	} catch (e) {
		fail(`${name}: ${e.message}`);
	}
	const errs = [];
	strict(o, spec[2], name, errs);
	if (errs.length) fail(`${name}: ${errs.join("; ")}`);
	else ok(`${name}: no unknown fields (strict, the API's field lists)`);
}

// ---- what bulwark needs ------------------------------------------------------------------
const ds = objects.find((o) => o.kind === "DaemonSet");
const cm = objects.find((o) => o.kind === "ConfigMap");
const pod = ds.spec.template.spec;
const c = pod.containers[0];
const sc = c.securityContext || {};
const need = (cond, msg) => (cond ? ok(msg) : fail(msg));
need(pod.hostPID === true && !pod.hostNetwork && !pod.hostIPC, "DaemonSet: host PID namespace only (no host network or IPC)");
need(sc.privileged !== true && sc.allowPrivilegeEscalation === false && sc.readOnlyRootFilesystem === true,
	"DaemonSet: not privileged, no privilege escalation, read-only root filesystem");
const caps = (sc.capabilities && sc.capabilities.add) || [];
need(JSON.stringify(sc.capabilities.drop) === '["ALL"]' &&
	JSON.stringify([...caps].sort()) === JSON.stringify(["BPF", "DAC_READ_SEARCH", "PERFMON", "SYS_PTRACE"]),
	`DaemonSet: capabilities drop ALL, add ${caps.join(", ")}`);
const port = (c.ports || []).find((p) => p.name === "metrics");
for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
	const p = c[probe];
	need(p && p.httpGet && p.httpGet.path === "/healthz" && p.httpGet.port === "metrics" && port,
		`DaemonSet: ${probe} on /healthz (port ${port && port.containerPort})`);
}
const conf = YAML.parse(cm.data["bulwark.yaml"]);
need(conf.metrics && conf.metrics.listen === `0.0.0.0:${port.containerPort}`,
	"ConfigMap: metrics listen on the pod's network at the probes' port");
need(c.resources && c.resources.requests && c.resources.limits && c.resources.requests.cpu && c.resources.limits.memory,
	"DaemonSet: resource requests and limits");
need((pod.tolerations || []).some((t) => t.operator === "Exists" && !t.key && !t.effect), "DaemonSet: tolerates every taint");
const vols = Object.fromEntries(pod.volumes.map((v) => [v.name, v]));
const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m]));
const unknown = c.volumeMounts.filter((m) => !vols[m.name]).map((m) => m.name);
need(unknown.length === 0, `DaemonSet: every volumeMount has a volume${unknown.length ? ": " + unknown : ""}`);
const host = (p) => mounts[p] && vols[mounts[p].name].hostPath && vols[mounts[p].name].hostPath.path;
need(host("/host/proc") === "/proc" && host("/sys/kernel/btf") === "/sys/kernel/btf" &&
	host("/sys/kernel/tracing") === "/sys/kernel/tracing" && host("/host/sys/fs/cgroup") === "/sys/fs/cgroup" &&
	host("/host/var/lib/docker") === "/var/lib/docker" && host("/host/run/containerd") === "/run/containerd" &&
	host("/var/lib/bulwark") === "/var/lib/bulwark",
	"DaemonSet: /proc, BTF, tracefs, cgroups, runtime state and the spool mounted from the host");
need(Object.values(mounts).every((m) => m.readOnly || m.mountPath === "/var/lib/bulwark" || m.mountPath === "/tmp"),
	"DaemonSet: host paths read-only except the spool");
need(conf.procfs === "/host/proc" && conf.host_root === "/host", "ConfigMap: procfs /host/proc, host_root /host");

// ---- the container's run parameters for the Docker test --------------------------------
const run = {
	image: c.image,
	args: c.args || [],
	hostPID: !!pod.hostPID,
	user: sc.runAsUser,
	readOnlyRoot: !!sc.readOnlyRootFilesystem,
	noNewPrivileges: sc.allowPrivilegeEscalation === false,
	capDrop: sc.capabilities.drop,
	capAdd: caps,
	seccomp: sc.seccompProfile && sc.seccompProfile.type,
	apparmor: sc.appArmorProfile && sc.appArmorProfile.type,
	memory: c.resources.limits.memory,
	cpus: c.resources.limits.cpu,
	mounts: c.volumeMounts.map((m) => {
		const v = vols[m.name];
		if (v.hostPath) return { kind: "host", source: v.hostPath.path, target: m.mountPath, readOnly: !!m.readOnly };
		if (v.configMap) return { kind: "config", target: m.mountPath, readOnly: !!m.readOnly };
		if (v.emptyDir) return { kind: "tmpfs", target: m.mountPath, size: v.emptyDir.sizeLimit };
		return { kind: "unknown", target: m.mountPath };
	}),
};
fs.mkdirSync(path.join(out, "config"), { recursive: true });
for (const [k, v] of Object.entries(cm.data)) fs.writeFileSync(path.join(out, "config", k), v);
fs.writeFileSync(path.join(out, "run.json"), JSON.stringify(run, null, 2));
console.log(`${failures === 0 ? "manifests ok" : "manifests FAILED"}`);
process.exit(failures ? 1 : 0);
