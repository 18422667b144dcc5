#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A strict parser of the Prometheus text exposition format (0.0.4).

    promcheck.py FILE                 validate; prints "ok: N families, M series"
    promcheck.py FILE SERIES...       validate, then print each series' value (or "absent")

A SERIES is written as it appears, e.g. 'bulwark_events_total{type="exec"}'
(labels in any order). Exit status 1 with "file:line: problem" on the first
violation: bad names, label syntax or escapes, values that are not floats,
a TYPE after its samples or twice, interleaved families, duplicate series,
negative counters, a missing final newline.
"""
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class Bad(Exception):
    pass


def parse_value(s):
    if s in ("NaN", "+Inf", "-Inf", "Inf"):
        return float(s.replace("Inf", "inf"))
    if not re.fullmatch(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)", s):
        raise Bad(f"value {s!r} is not a float")
    return float(s)


def parse_labels(s, i):
    """s[i] == '{'; returns (labels tuple, index after '}')."""
    labels = {}
    i += 1
    while True:
        if s[i] == "}":
            return tuple(sorted(labels.items())), i + 1
        m = LABEL.match(s, i)
        if not m:
            raise Bad(f"bad label name at column {i + 1}")
        name = m.group(0)
        i = m.end()
        if s[i : i + 2] != '="':
            raise Bad(f"label {name}: expected =\"")
        i += 2
        val = []
        while True:
            if i >= len(s):
                raise Bad(f"label {name}: unterminated value")
            c = s[i]
            if c == "\\":
                nxt = s[i + 1 : i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise Bad(f"label {name}: bad escape \\{nxt}")
                val.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise Bad(f"label {name}: raw newline")
            else:
                val.append(c)
                i += 1
        if name in labels:
            raise Bad(f"label {name} twice")
        labels[name] = "".join(val)
        if s[i] == ",":
            i += 1
        elif s[i] != "}":
            raise Bad(f"expected , or }} after label {name}")


def family_of(name, types):
    for suffix in ("_bucket", "_count", "_sum"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse(text):
    if text and not text.endswith("\n"):
        raise Bad("no newline at the end")
    types, helps, series = {}, set(), {}
    done, current = set(), None
    for no, line in enumerate(text.split("\n")[:-1], 1):
        try:
            if line == "":
                raise Bad("empty line")
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                    name = parts[2]
                    if not NAME.fullmatch(name):
                        raise Bad(f"bad metric name {name!r}")
                    if parts[1] == "TYPE":
                        if len(parts) != 4 or parts[3] not in TYPES:
                            raise Bad(f"bad TYPE line for {name}")
                        if name in types:
                            raise Bad(f"second TYPE for {name}")
                        if name in done or name == current:
                            raise Bad(f"TYPE for {name} after its samples")
                        types[name] = parts[3]
                    else:
                        if name in helps:
                            raise Bad(f"second HELP for {name}")
                        helps.add(name)
                continue
            m = NAME.match(line)
            if not m:
                raise Bad("bad metric name")
            name, i = m.group(0), m.end()
            labels = ()
            if i < len(line) and line[i] == "{":
                labels, i = parse_labels(line, i)
            if line[i : i + 1] != " ":
                raise Bad("expected a space before the value")
            rest = line[i + 1 :].split(" ")
            if len(rest) not in (1, 2) or rest[0] == "":
                raise Bad("expected VALUE [TIMESTAMP]")
            value = parse_value(rest[0])
            if len(rest) == 2 and not re.fullmatch(r"-?\d+", rest[1]):
                raise Bad("bad timestamp")
            fam = family_of(name, types)
            if fam != current:
                if fam in done:
                    raise Bad(f"samples of {fam} are not together")
                if current:
                    done.add(current)
                current = fam
            if types.get(fam) == "counter" and (value < 0 or math.isnan(value)):
                raise Bad(f"counter {name} is {value}")
            key = (name, labels)
            if key in series:
                raise Bad(f"duplicate series {name}{dict(labels)}")
            series[key] = value
        except (Bad, IndexError) as e:
            raise Bad(f"line {no}: {e}: {line!r}")
    return types, series


def key_of(text):
    text = text.strip()
    m = NAME.match(text)
    labels = ()
    if m.end() < len(text):
        labels, _ = parse_labels(text + " ", m.end())
    return (m.group(0), labels)


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        types, series = parse(text)
    except Bad as e:
        print(f"{path}: {e}")
        return 1
    if len(sys.argv) == 2:
        print(f"ok: {len(types)} families, {len(series)} series")
    for q in sys.argv[2:]:
        v = series.get(key_of(q))
        print("absent" if v is None else (int(v) if v == int(v) else v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
