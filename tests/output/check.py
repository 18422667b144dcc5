#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Alert generator and parse-back checks for the output tests.

  gen N FILE [--inject] [--bad K] [--rule R]   N Falco-schema alerts, one per line
  file FORMAT OUT SENT                          a file/stdout output, every format
  store KIND STORE SENT [--dead N]              what a mock receiver stored
  rsyslog OUT SENT / syslogng OUT SENT          what a syslog server wrote
Each check prints one line and exits 0 when every sent alert came back exactly
once as one record (duplicates allowed only with the same uuid, and counted)
with its original values, else 1.
"""
import json
import re
import sys
import uuid as uuidlib

# file names an attacker can create: line breaks, quotes, separators, ESC, DEL, C1,
# U+2028, and bytes that are not UTF-8 (which the sensor's JSON writer turns into
# \u00XX code points, so they reach the outputs as U+0080..U+00FF)
NASTY = [
    "/tmp/evil\n<13>1 2026-01-01T00:00:00Z forged - - - - forged record",
    "/tmp/q\"uote's|pipe=eq]brk[\\back\\\\slash",
    "/tmp/\x1b[31mred\x1b[0m\x07bell\x7fdel",
    "/tmp/crlf\r\nCEF:0|forged|x|1|2|3|10|src=1.2.3.4",
    "/tmp/tab\tLEEF:2.0|forged\tsev=10",
    "/tmp/inv\u00ff\u00fe\u0080\u0085utf8 \u2028ls \u2029ps",
    "/tmp/]\"\\ \"] [x@1 a=\"b\"]",
]


def gen(argv):
    n, path = int(argv[0]), argv[1]
    inject = "--inject" in argv
    bad = int(argv[argv.index("--bad") + 1]) if "--bad" in argv else 0
    rule = argv[argv.index("--rule") + 1] if "--rule" in argv else "Write below etc"
    prios = ["Critical", "Error", "Warning", "Notice", "Informational"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            fname = NASTY[i % len(NASTY)] if inject else "/etc/file-%d" % i
            r = "BAD" if bad and i % bad == bad - 1 else rule
            a = {
                "time": "2026-11-22T01:45:%02d.%09dZ" % (i % 60, i),
                "rule": r,
                "priority": prios[i % len(prios)],
                "output": "File below /etc opened for writing (file=%s proc=sh container=web)" % fname,
                "output_fields": {"proc.name": "sh", "proc.pid": 1000 + i, "fd.name": fname,
                                  "container.id": "c%03d" % (i % 50), "container.name": "web|%d" % (i % 3),
                                  "container.image.repository": "docker.io/library/nginx",
                                  "k8s.pod.name": None, "user.name": "root"},
                "hostname": "node-1",
                "source": "syscall",
                "tags": ["filesystem", "mitre_persistence"],
                "uuid": str(uuidlib.uuid4()),
            }
            f.write(json.dumps(a) + "\n")


def load_sent(path):
    sent = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            sent[a["uuid"]] = a
    return sent


# ---- decoders (the inverse of agent/output/format.c) ----------------------------
def c_unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n == "n":
            out.append("\n")
        elif n == "r":
            out.append("\r")
        elif n == "t":
            out.append("\t")
        elif n == "u":
            out.append(chr(int(s[i + 2:i + 6], 16)))
            i += 4
        else:
            out.append(n)
        i += 2
    return "".join(out)


def rfc5424_unescape(s):
    return re.sub(r'\\([\\"\]])', r"\1", s)


def split_unescaped(s, sep, maxsplit):
    parts, cur, i = [], [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if s[i] == sep and len(parts) < maxsplit:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(s[i])
        i += 1
    parts.append("".join(cur))
    return parts


def cef_parse(line):
    h = split_unescaped(line, "|", 7)
    assert len(h) == 8 and h[0] == "CEF:0", "not 7 CEF header fields: %r" % line[:200]
    hdr = [c_unescape(x) for x in h[:7]]
    ext, kv = h[7], {}
    # key=value, value up to the space before the next unescaped "key="
    for m in re.finditer(r"(?:^| )([A-Za-z0-9_]+)=((?:\\.|[^\\=])*?)(?= [A-Za-z0-9_]+=|$)", ext):
        kv[m.group(1)] = c_unescape(m.group(2))
    return hdr, kv


def leef_parse(line):
    h = split_unescaped(line, "|", 6)
    assert len(h) == 7 and h[0] == "LEEF:2.0" and h[5] == "x09", "bad LEEF header: %r" % line[:200]
    kv = {}
    for attr in h[6].split("\t"):
        k, _, v = attr.partition("=")
        kv[k] = c_unescape(v)
    return [c_unescape(x) for x in h[:6]], kv


def sd_params(sd):
    """RFC 5424 STRUCTURED-DATA -> {sd-id: {name: value}} (values RFC-unescaped only)."""
    out, i = {}, 0
    while i < len(sd) and sd[i] == "[":
        j = i + 1
        while sd[j] not in " ]":
            j += 1
        sid, params = sd[i + 1:j], {}
        i = j
        while sd[i] == " ":
            eq = sd.index("=", i)
            name = sd[i + 1:eq]
            assert sd[eq + 1] == '"'
            k, val = eq + 2, []
            while sd[k] != '"':
                if sd[k] == "\\" and sd[k + 1] in '\\"]':
                    val.append(sd[k + 1])
                    k += 2
                else:
                    if sd[k] == "\\":
                        val.append("\\")
                    else:
                        val.append(sd[k])
                    k += 1
            params[name] = "".join(val)
            i = k + 1
        assert sd[i] == "]", "SD element not closed at %d: %r" % (i, sd)
        out[sid] = params
        i += 1
    return out


# ---- comparisons ----------------------------------------------------------------
class Tally:
    def __init__(self, sent):
        self.sent, self.got, self.errors, self.records = sent, {}, [], 0

    def add(self, uuid, ok_or_msg):
        self.records += 1
        if uuid not in self.sent:
            self.errors.append("unknown uuid %r" % uuid)
            return
        self.got[uuid] = self.got.get(uuid, 0) + 1
        if ok_or_msg is not True:
            self.errors.append("%s: %s" % (uuid, ok_or_msg))

    def done(self, what, expect_missing=0):
        missing = len(self.sent) - len(self.got)
        dups = sum(c - 1 for c in self.got.values())
        ok = not self.errors and missing == expect_missing
        print("%s: %d sent, %d records, %d distinct, %d missing, %d duplicates (same uuid), %d errors%s" % (
            what, len(self.sent), self.records, len(self.got), missing, dups, len(self.errors),
            "" if not self.errors else ": " + "; ".join(self.errors[:3])))
        return 0 if ok else 1


def expect(cond, msg):
    return True if cond else msg


def check_fields(a, fname, where):
    return expect(fname == a["output_fields"]["fd.name"], "%s fd.name %r != %r" % (where, fname, a["output_fields"]["fd.name"]))


def file_check(argv):
    fmt, out, sent = argv[0], argv[1], load_sent(argv[2])
    t = Tally(sent)
    with open(out, "rb") as f:
        data = f.read()
    for raw in data.split(b"\n")[:-1]:
        line = raw.decode("utf-8")
        if fmt == "json":
            a = json.loads(line)
            t.add(a.get("uuid"), expect(a == sent.get(a.get("uuid")), "differs from the sent alert"))
        elif fmt == "ecs":
            d = json.loads(line)
            u = d["event"]["id"]
            a = sent.get(u)
            t.add(u, a and (check_fields(a, d["file"]["path"], "ecs") is True and
                            expect(d["rule"]["name"] == a["rule"] and d["message"] == a["output"], "ecs rule/message")))
        elif fmt == "ocsf":
            d = json.loads(line)
            u = d["finding_info"]["uid"]
            a = sent.get(u)
            t.add(u, a and expect(d["unmapped"]["output_fields"] == a["output_fields"] and d["class_uid"] == 2004 and
                                  d["message"] == a["output"], "ocsf fields"))
        elif fmt == "cef":
            hdr, kv = cef_parse(line)
            u = kv.get("externalId")
            a = sent.get(u)
            t.add(u, a and (check_fields(a, kv.get("filePath"), "cef") is True and
                            expect(hdr[5] == a["rule"] and kv.get("msg") == a["output"] and
                                   kv.get("cs3") == a["output_fields"]["container.name"], "cef header/msg/cs3")))
        elif fmt == "leef":
            hdr, kv = leef_parse(line)
            u = kv.get("uuid")
            a = sent.get(u)
            t.add(u, a and (check_fields(a, kv.get("fd.name"), "leef") is True and
                            expect(hdr[4] == a["rule"] and kv.get("msg") == a["output"], "leef header/msg")))
    return t.done("file %s" % fmt)


def syslog_msg_check(t, a_msg, sd, fmt="json", rfc_unescaped=False):
    """MSG (json or cef/leef) and the SD elements of one received syslog record."""
    if fmt == "json":
        a = json.loads(a_msg)
        u = a.get("uuid")
        res = expect(a == t.sent.get(u), "MSG differs from the sent alert")
    elif fmt == "cef":
        hdr, kv = cef_parse(a_msg)
        u = kv.get("externalId")
        res = expect(u in t.sent and kv.get("filePath") == t.sent[u]["output_fields"]["fd.name"], "cef filePath")
    else:
        hdr, kv = leef_parse(a_msg)
        u = kv.get("uuid")
        res = expect(u in t.sent and kv.get("fd.name") == t.sent[u]["output_fields"]["fd.name"], "leef fd.name")
    if res is True and u in t.sent:
        meta, fields = sd.get("bulwark@32473", {}), sd.get("fields@32473", {})
        res = expect(c_unescape(meta.get("uuid", "")) == u and
                     c_unescape(meta.get("rule", "")) == t.sent[u]["rule"] and
                     c_unescape(fields.get("fd.name", "")) == t.sent[u]["output_fields"]["fd.name"],
                     "SD-PARAMs differ: %r" % (fields.get("fd.name"),))
    t.add(u, res)


def rsyslog_check(argv):
    out, sent = argv[0], load_sent(argv[1])
    fmt = argv[2] if len(argv) > 2 else "json"
    t = Tally(sent)
    with open(out, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            syslog_msg_check(t, r["msg"].lstrip(" "), sd_params(r["sd"]), fmt)
    return t.done("rsyslog %s" % fmt)


def syslogng_check(argv):
    out, sent = argv[0], load_sent(argv[1])
    t = Tally(sent)
    with open(out, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            # syslog-ng keeps SD as name-value pairs .SDATA.<id>.<name>, already RFC-unescaped;
            # format-json nests dotted names ("fd.name" -> {"fd": {"name": ...}}): flatten them back
            sd = {k: flatten(v) for k, v in r.get("_SDATA", {}).items()}
            syslog_msg_check(t, r["MESSAGE"], sd, rfc_unescaped=True)
    return t.done("syslog-ng")


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def store_check(argv):
    kind, path, sent = argv[0], argv[1], load_sent(argv[2])
    dead = int(argv[argv.index("--dead") + 1]) if "--dead" in argv else 0
    t = Tally(sent)
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["kind"] != kind:
                continue
            rec = r["record"]
            if kind == "hec":
                ev = rec["event"]
                t.add(ev.get("uuid"), expect(ev == sent.get(ev.get("uuid")) and rec.get("host") == "node-1" and
                                             isinstance(rec.get("time"), (int, float)), "HEC event differs"))
            elif kind == "bulk":
                u = r["uuid"]
                a = sent.get(u)
                t.add(u, a and expect(rec["event"]["id"] == u and rec["file"]["path"] == a["output_fields"]["fd.name"]
                                      and rec["@timestamp"] == a["time"], "ECS document differs"))
            elif kind == "loki":
                a = json.loads(rec["line"])
                u = a.get("uuid")
                t.add(u, expect(a == sent.get(u) and rec["labels"]["priority"] == a["priority"], "Loki line differs"))
            elif kind == "hook":
                u = rec.get("uuid")
                t.add(u, expect(rec == sent.get(u), "webhook body differs"))
    return t.done("%s store" % kind, dead)


def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "gen":
        gen(argv)
        return 0
    return {"file": file_check, "store": store_check, "rsyslog": rsyslog_check,
            "syslogng": syslogng_check}[cmd](argv)


if __name__ == "__main__":
    sys.exit(main())
