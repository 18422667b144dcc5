#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Protocol-faithful receivers for the output tests: Splunk HEC, Elasticsearch
_bulk, Grafana Loki push and a generic webhook, on one port (127.0.0.1 only).

Each checks what the real server checks (authentication, framing, gzip,
required fields) and appends every accepted record to --store as one JSON
line {"kind", "uuid", "record"}. Faults are switched at run time with
POST /_control {"mode": ..., "count": N}:
  ok         normal operation
  slow       sleep `delay_ms` before answering
  429 / 503  answer that status (with Retry-After: 1) to the next `count` requests
  partial    HEC: refuse the first event whose rule is "BAD" (400, code 6,
             invalid-event-number); _bulk: refuse those items (400 per item),
             and answer 429 per item to the first `count` other items
"Down" is done by the test: it kills this process and starts it again.
"""
import argparse
import base64
import gzip
import hashlib
import hmac
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"mode": "ok", "count": 0, "delay_ms": 0}
ARGS = None
STORE = None
SEEN_IDS = set()  # _bulk documents by _id: a second create is a 409


def store(kind, uuid, record):
    line = json.dumps({"kind": kind, "uuid": uuid, "record": record}, ensure_ascii=False)
    with LOCK:
        STORE.write(line + "\n")
        STORE.flush()


def take_fault(statuses):
    with LOCK:
        if STATE["mode"] in statuses and STATE["count"] > 0:
            STATE["count"] -= 1
            return int(STATE["mode"])
    return 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real servers

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        # headers and body are separate writes: without this, Nagle + delayed ACK stall each reply
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n)
        if self.headers.get("Content-Encoding", "") == "gzip":
            data = gzip.decompress(data)
            with LOCK:
                STATE["gzip_requests"] = STATE.get("gzip_requests", 0) + 1
        return data

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                self.reply(200, dict(STATE))
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        try:
            raw = self.body()
        except Exception as e:  # bad gzip
            self.reply(400, {"error": "bad body: %s" % e})
            return
        if self.path == "/_control":
            with LOCK:
                STATE.update(json.loads(raw))
            self.reply(200, dict(STATE))
            return
        with LOCK:
            STATE["requests"] = STATE.get("requests", 0) + 1
            delay = STATE["delay_ms"] if STATE["mode"] == "slow" else 0
        if delay:
            time.sleep(delay / 1000)
        fault = take_fault(("429", "503"))
        if fault:
            if self.path.startswith("/services/collector"):
                body = {"text": "Server is busy", "code": 9} if fault == 503 else {"text": "Too many", "code": 9}
            else:
                body = {"error": "fault injected"}
            self.reply(fault, body, {"Retry-After": "1"})
            return
        if self.path.startswith("/services/collector/event"):
            self.hec(raw)
        elif self.path.endswith("/_bulk"):
            self.bulk(raw)
        elif self.path == "/loki/api/v1/push":
            self.loki(raw)
        elif self.path.startswith("/hook"):
            self.hook(raw)
        else:
            self.reply(404, {"error": "no such endpoint %s" % self.path})

    # ---- Splunk HEC -------------------------------------------------------------
    def hec(self, raw):
        if self.headers.get("Authorization") != "Splunk " + ARGS.token:
            self.reply(401 if "Authorization" not in self.headers else 403,
                       {"text": "Invalid token", "code": 4 if "Authorization" in self.headers else 2})
            return
        dec = json.JSONDecoder()
        text = raw.decode("utf-8")
        events, i = [], 0
        while True:
            while i < len(text) and text[i] in " \t\r\n":
                i += 1
            if i >= len(text):
                break
            try:
                obj, i = dec.raw_decode(text, i)
            except ValueError:
                self.reply(400, {"text": "Invalid data format", "code": 6, "invalid-event-number": len(events)})
                return
            events.append(obj)
        if not events:
            self.reply(400, {"text": "No data", "code": 5})
            return
        if STATE.get("max_events") and len(events) > STATE["max_events"]:
            self.reply(413, {"text": "Content too large", "code": 27})
            return
        partial = STATE["mode"] == "partial"
        for n, ev in enumerate(events):
            if "event" not in ev:
                self.reply(400, {"text": "Event field is required", "code": 12, "invalid-event-number": n})
                return
            if ev["event"] in ("", None):
                self.reply(400, {"text": "Event field cannot be blank", "code": 13, "invalid-event-number": n})
                return
            if not isinstance(ev.get("time", 0), (int, float)):
                self.reply(400, {"text": "Invalid data format", "code": 6, "invalid-event-number": n})
                return
            e = ev["event"]
            if partial and isinstance(e, dict) and e.get("rule") == "BAD":
                # HEC indexes the events before the invalid one and stops
                self.reply(400, {"text": "Invalid data format", "code": 6, "invalid-event-number": n})
                return
            store("hec", e.get("uuid") if isinstance(e, dict) else None, ev)
        self.reply(200, {"text": "Success", "code": 0})

    # ---- Elasticsearch _bulk ----------------------------------------------------
    def bulk(self, raw):
        auth = self.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(("%s:%s" % (ARGS.user, ARGS.password)).encode()).decode()
        if auth != want:
            self.reply(401, {"error": {"type": "security_exception", "reason": "missing authentication"}, "status": 401})
            return
        if not self.headers.get("Content-Type", "").startswith("application/x-ndjson"):
            self.reply(406, {"error": "Content-Type must be application/x-ndjson"})
            return
        text = raw.decode("utf-8")
        if not text.endswith("\n"):
            self.reply(400, {"error": {"type": "illegal_argument_exception",
                                       "reason": "The bulk request must be terminated by a newline [\\n]"}})
            return
        lines = text[:-1].split("\n")
        if len(lines) % 2:
            self.reply(400, {"error": {"type": "illegal_argument_exception", "reason": "odd number of lines"}})
            return
        items, errors = [], False
        for k in range(0, len(lines), 2):
            action, doc = json.loads(lines[k]), json.loads(lines[k + 1])
            meta = action.get("create")
            if meta is None or "_id" not in meta:
                self.reply(400, {"error": {"type": "action_request_validation_exception",
                                           "reason": "expected create with _id"}})
                return
            _id = meta["_id"]
            rule = (doc.get("rule") or {}).get("name") if isinstance(doc.get("rule"), dict) else doc.get("rule")
            st = 201
            if STATE["mode"] == "partial" and rule == "BAD":
                st = 400
            elif STATE["mode"] == "partial":
                with LOCK:
                    if STATE["count"] > 0:
                        STATE["count"] -= 1
                        st = 429
            if st == 201:
                with LOCK:
                    if _id in SEEN_IDS:
                        st = 409
                    else:
                        SEEN_IDS.add(_id)
            item = {"_index": meta.get("_index", "bulwark"), "_id": _id, "status": st}
            if st == 400:
                item["error"] = {"type": "mapper_parsing_exception", "reason": "failed to parse field [rule]"}
            elif st == 409:
                item["error"] = {"type": "version_conflict_engine_exception", "reason": "document already exists"}
            elif st == 429:
                item["error"] = {"type": "es_rejected_execution_exception", "reason": "rejected execution"}
            if st >= 300:
                errors = True
            if st == 201:
                store("bulk", _id, doc)
            items.append({"create": item})
        self.reply(200, {"took": 1, "errors": errors, "items": items})

    # ---- Loki push --------------------------------------------------------------
    def loki(self, raw):
        if ARGS.tenant and self.headers.get("X-Scope-OrgID") != ARGS.tenant:
            self.reply(401, b"no org id")
            return
        try:
            body = json.loads(raw)
            for s in body["streams"]:
                labels = s["stream"]
                assert isinstance(labels, dict) and labels.get("job") == "bulwark"
                for ts, line in s["values"]:
                    assert isinstance(ts, str) and ts.isdigit() and len(ts) >= 19
                    assert isinstance(line, str)
        except Exception as e:
            self.reply(400, ("error parsing push request: %s" % e).encode())
            return
        for s in body["streams"]:
            for ts, line in s["values"]:
                uuid = None
                try:
                    uuid = json.loads(line).get("uuid")
                except ValueError:
                    pass
                store("loki", uuid, {"labels": s["stream"], "ts": ts, "line": line})
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ---- generic webhook --------------------------------------------------------
    def hook(self, raw):
        if ARGS.hmac_key:
            want = "sha256=" + hmac.new(ARGS.hmac_key.encode(), raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(self.headers.get("X-Bulwark-Signature", ""), want):
                self.reply(401, {"error": "bad signature"})
                return
        body = json.loads(raw)
        for a in body if isinstance(body, list) else [body]:
            store("hook", a.get("uuid"), a)
        self.reply(200, {"ok": True})


def main():
    global ARGS, STORE
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--token", default="hec-token")
    p.add_argument("--user", default="elastic")
    p.add_argument("--password", default="changeme")
    p.add_argument("--tenant", default="")
    p.add_argument("--hmac-key", default="")
    p.add_argument("--mode", default="ok")
    ARGS = p.parse_args()
    STATE["mode"] = ARGS.mode
    STORE = open(ARGS.store, "a", encoding="utf-8")
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
