#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Falco's alert JSON for Falco's own rule outputs (issue 14).

For every stable rule that has an event-generator spec in ../shared/falco-rules/e2e-evtgen/,
the rule's output template, verbatim from falco_rules.yaml, goes into a rule that fires on an
exec (replayed), and the alert must be Falco's: its member order, the container suffix Falco
appends to `output`, output_fields sorted and holding evt.time, the suffix's fields and every
`outputFields` key the spec says Falco prints. Templates with a field bulwark lacks yet are
listed as skipped with the loader's reason.
Usage: falco_alert.py BULWARK EXEC_EVENTS.jsonl SHARED_FALCO_RULES_DIR; last line "N passed, N failed".
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

MEMBERS = ["hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time", "uuid"]
SUFFIX = [("container_id", "container.id"), ("container_name", "container.name"),
          ("container_image_repository", "container.image.repository"),
          ("container_image_tag", "container.image.tag"), ("k8s_pod_name", "k8s.pod.name"),
          ("k8s_ns_name", "k8s.ns.name")]


def spec_fields(d):
    """rule name -> the outputFields keys its specs expect (the spec files are templates, not YAML)."""
    out = {}
    for f in sorted(glob.glob(os.path.join(d, "e2e-evtgen", "*.yaml"))):
        rule, infields, indent = None, False, 0
        for line in open(f):
            m = re.match(r'\s+rule:\s*"?([^"\n]+)"?\s*$', line)
            if m:
                rule = m.group(1)
                out.setdefault(rule, set())
                continue
            m = re.match(r"(\s+)outputFields:\s*$", line)
            if m:
                infields, indent = True, len(m.group(1))
                continue
            m = re.match(r"(\s+)([a-z][a-z0-9_.\[\]]*):", line)
            if infields and m and len(m.group(1)) > indent:
                out[rule].add(m.group(2))
            elif infields and m:
                infields = False
    return out


def templates(path):
    out, rule = {}, None
    for line in open(path):
        m = re.match(r"- rule:\s*(.+?)\s*$", line)
        if m:
            rule = m.group(1)
        m = re.match(r"  output:\s*(.+?)\s*$", line)
        if m and rule:
            out[rule] = m.group(1)
    return out


def main():
    bulwark, events, shared = sys.argv[1:4]
    specs, outs = spec_fields(shared), templates(os.path.join(shared, "falco_rules.yaml"))
    passed = failed = 0
    skipped = []
    tmp = tempfile.mkdtemp()
    for rule in sorted(specs):
        if rule not in outs:
            print("FAIL %s: no output template in falco_rules.yaml" % rule)
            failed += 1
            continue
        rf = os.path.join(tmp, "r.yaml")
        with open(rf, "w") as f:
            f.write("- rule: %s\n  desc: d\n  condition: evt.type = execve\n  output: |-\n    %s\n"
                    "  priority: warning\n  tags: [zz, T1000, aa, zz]\n" % (rule, outs[rule]))
        p = subprocess.run([bulwark, "replay", "--hostname", "test-host", "-r", rf, events],
                           capture_output=True, text=True)
        if p.returncode != 0:
            reason = (re.findall(r"unknown field '[^']+'", p.stdout + p.stderr) or [(p.stdout + p.stderr).strip()[:120]])[0]
            skipped.append("%s (%s)" % (rule, reason))
            continue
        lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
        problems = []
        if not lines:
            problems.append("no alert")
        else:
            a = json.loads(lines[0], object_pairs_hook=lambda kv: kv)
            keys = [k for k, _ in a]
            a = dict(a)
            of_pairs = a["output_fields"]
            of = dict(of_pairs)
            fkeys = [k for k, _ in of_pairs]
            if keys != MEMBERS:
                problems.append("members %s" % keys)
            if fkeys != sorted(fkeys):
                problems.append("output_fields not sorted")
            want = specs[rule] | {f for _, f in SUFFIX} | {"evt.time"}
            if want - set(fkeys):
                problems.append("output_fields lack %s" % sorted(want - set(fkeys)))
            if not isinstance(of.get("evt.time"), int):
                problems.append("evt.time is not an integer")
            suffix = "".join(r" %s=\S*" % label for label, _ in SUFFIX)
            if not re.match(r"^\d\d:\d\d:\d\d\.\d{9}: Warning .*%s$" % suffix, a["output"]):
                problems.append("output lacks Falco's prefix or suffix: %s" % a["output"])
            if a["tags"] != ["T1000", "aa", "zz"]:
                problems.append("tags %s" % a["tags"])
        if problems:
            print("FAIL %s: %s" % (rule, "; ".join(problems)))
            failed += 1
        else:
            print("ok   %s: Falco's alert (%d output_fields)" % (rule, len(fkeys)))
            passed += 1
    for s in skipped:
        print("skip %s" % s)
    if passed == 0:
        print("FAIL no template loaded")
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
