#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Figures of the benchmark harness (bench/run.sh).

  results.py collect CONFIG RUNDIR     one run's tracer figures (events, drops) as JSON, from its files
  results.py stats FILE                bulwark's "trace stats" object from its stderr log, as JSON
  results.py check OUT.json PLOT.png   the smoke test: results produced and well-formed (not speed);
                                       ends with "N passed, N failed"
  results.py report OUT.json           the tables of docs/BENCHMARKS.md (markdown) from a results file
  results.py summarize RAW.jsonl OUT.json [PLOT.png]
                                       medians over the repetitions, slowdowns against the baseline,
                                       the JSON kept in bench/results/, a markdown table on stdout
                                       and the plot (gnuplot)
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

# bulwark's security-critical types: they must never be lost behind a storm of opens or connects
CRITICAL_TYPES = ["exec", "fork", "exit", "cgroup_mkdir", "cgroup_attach", "mount", "umount", "pivot_root",
                  "chroot", "unshare", "setns", "ptrace", "module_load", "bpf_load", "setuid"]


def trace_stats(path):
    """The last 'trace stats' object in a bulwark stderr log (JSON lines), or None."""
    found = None
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    msg = json.loads(line).get("msg", "")
                except ValueError:
                    continue
                if msg.startswith("trace stats "):
                    found = json.loads(msg[len("trace stats "):])
    except OSError:
        pass
    return found


def count_lines(path, skip=()):
    n = 0
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if line.strip() and not any(line.startswith(s) for s in skip):
                    n += 1
    except OSError:
        pass
    return n


def lost_in(*paths):
    """Events a perf-buffer peer says it lost: 'Lost N events' (bpftrace, libbpf-tools)."""
    lost = 0
    for p in paths:
        try:
            with open(p, errors="replace") as f:
                for m in re.finditer(r"[Ll]ost (\d+) events", f.read()):
                    lost += int(m.group(1))
        except OSError:
            pass
    return lost


def collect(config, rundir):
    j = lambda name: os.path.join(rundir, name)
    out = {"events": 0, "drops": 0}
    if config == "bulwark":
        s = trace_stats(j("err"))
        if s is None:
            return {"error": "no trace stats line"}
        k = s["kernel"]
        out["events"] = sum(s["events"].values())
        out["drops"] = k["drop_ringbuf_common"] + k["drop_ringbuf_critical"]
        out["drops_critical_types"] = sum(s["drops_by_type"].get(t, 0) for t in CRITICAL_TYPES)
        out["filtered_in_kernel"] = k["filtered_type"] + k["filtered_self"] + k["filtered_readonly_open"]
        out["rules_events"] = s.get("rules", {}).get("events", 0)
        out["alerts"] = s.get("alerts", 0)
        out["max_rss_kb"] = s["agent"]["max_rss_kb"]
    elif config == "bpftrace":
        out["events"] = count_lines(j("bt.out"), skip=("ready", "Attaching", "Lost"))
        out["drops"] = lost_in(j("bt.out"), j("err"))
    elif config == "libbpf-tools":
        # one header line each
        out["events"] = max(count_lines(j("os.out")) - 1, 0) + max(count_lines(j("es.out")) - 1, 0)
        out["drops"] = lost_in(j("os.err"), j("es.err"))
    return out


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


WORKLOAD_TEXT = {
    "exec": "exec storm (fork+exec of a static no-libc binary, 2 procs)",
    "openw": "open-for-write storm (O_CREAT + O_TRUNC, ext4, 2 procs)",
    "openr": "read-only open storm (a file no rule watches, 2 procs)",
    "connect": "connect storm (127.0.0.1, 2 procs)",
    "build": "build (bulwark's agent sources, cc -O1, 2 jobs)",
    "nginx": "nginx + wrk (static 1 KB page, 16 connections)",
}
CONFIG_ORDER = ["base", "floor", "floor-raw", "bulwark", "libbpf-tools", "bpftrace"]


def summarize(raw_path, out_path, plot_path=None):
    runs, extra = [], {}
    with open(raw_path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec.get("kind") == "run":
                runs.append(rec)
            else:
                extra[rec["kind"]] = rec
    workloads = [w for w in WORKLOAD_TEXT if any(r["workload"] == w for r in runs)]
    configs = [c for c in CONFIG_ORDER if any(r["config"] == c for r in runs)]
    table = {}
    for w in workloads:
        base = median([r["rate"] for r in runs if r["workload"] == w and r["config"] == "base"])
        for c in configs:
            rs = [r for r in runs if r["workload"] == w and r["config"] == c]
            if not rs:
                continue
            rate = median([r["rate"] for r in rs])
            events = median([r["tracer"].get("events") for r in rs])
            cpu = median([r["cpu_s"] for r in rs])
            mev = [r["cpu_s"] / (r["tracer"]["events"] / 1e6) for r in rs if r["tracer"].get("events")]
            # paired: each run against the baseline of the same repetition (run minutes apart, under
            # the same background load), then the median of those ratios
            base_of = {r["rep"]: r["rate"] for r in runs if r["workload"] == w and r["config"] == "base"}
            ratios = [base_of[r["rep"]] / r["rate"] for r in rs if base_of.get(r["rep"]) and r["rate"]]
            cell = {
                "reps": len(rs),
                "rate_median": rate,
                "rates": [r["rate"] for r in rs],
                "slowdown": median(ratios) if ratios else None,
                "slowdowns": [round(x, 4) for x in ratios],
                "slowdown_of_medians": (base / rate) if base and rate else None,
                "rate_spread_pct": (100 * (max(r["rate"] for r in rs) - min(r["rate"] for r in rs)) / rate)
                if rate else None,
                "events_median": events,
                "drops_median": median([r["tracer"].get("drops") for r in rs]),
                "drops_max": max((r["tracer"].get("drops") or 0) for r in rs),
                "drops_critical_types_max": max((r["tracer"].get("drops_critical_types") or 0) for r in rs),
                "agent_cpu_s_median": cpu,
                "agent_cpu_s_per_million_events": median(mev) if mev else None,
                "agent_peak_rss_kb_median": median([r.get("hwm_kb") for r in rs]),
            }
            table.setdefault(w, {})[c] = cell
    result = {"machine": extra.get("machine"), "settings": extra.get("settings"), "table": table}
    for k in ("hooks", "throughput", "critical", "latency", "memory", "prog_cost"):
        if k in extra:
            result[k] = extra[k]
    hc = extra.get("hook_choice")
    if hc:
        # ns added to each syscall (2 procs: 2e9 / rate ns per call), against the same repetition's baseline
        by = {}
        for x in hc["runs"]:
            by.setdefault(x["rep"], {})[x["config"]] = x["rate"]
        out = {"workload": hc["workload"], "runs": hc["runs"]}
        for c in ("floor", "floor-raw"):
            ns = [2e9 / v[c] - 2e9 / v["base"] for v in by.values() if v.get(c) and v.get("base")]
            sl = [v["base"] / v[c] for v in by.values() if v.get(c) and v.get("base")]
            out[c] = {"ns_added_per_syscall_median": median(ns), "slowdown_median": median(sl)}
        result["hook_choice"] = out
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")

    # the markdown table
    print("| Workload | Config | Rate (median) | Slowdown | Spread | Events | Drops (max) | Agent CPU s | CPU s / M events | Peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        for c in configs:
            cell = table.get(w, {}).get(c)
            if not cell:
                continue
            unit = "builds/s" if w == "build" else "req/s" if w == "nginx" else "ops/s"
            rss = cell["agent_peak_rss_kb_median"]
            print("| %s | %s | %s %s | %s | %s%% | %s | %s | %s | %s | %s |" % (
                w, c, fmt(cell["rate_median"], ",.3f" if w == "build" else ",.0f"), unit,
                fmt(cell["slowdown"], ".3f") + "×" if cell["slowdown"] else "—",
                fmt(cell["rate_spread_pct"], ".0f"),
                fmt(cell["events_median"], ",.0f") if c not in ("base", "floor", "floor-raw") else "—",
                fmt(cell["drops_max"], ",d") if c not in ("base", "floor", "floor-raw") else "—",
                fmt(cell["agent_cpu_s_median"], ".2f") if c != "base" else "—",
                fmt(cell["agent_cpu_s_per_million_events"], ".2f"),
                fmt(rss / 1024 if rss else None, ".1f")))
    if plot_path:
        plot(table, workloads, [c for c in configs if c != "base"], plot_path, result.get("machine") or {})
    return result


def plot(table, workloads, configs, path, machine):
    """Clustered bars: slowdown against the baseline, per workload and configuration (gnuplot)."""
    with tempfile.TemporaryDirectory() as d:
        dat = os.path.join(d, "slowdown.dat")
        with open(dat, "w") as f:
            f.write("workload " + " ".join(configs) + "\n")
            for w in workloads:
                vals = []
                for c in configs:
                    s = table.get(w, {}).get(c, {}).get("slowdown")
                    vals.append("%.4f" % s if s else "NaN")
                f.write(w + " " + " ".join(vals) + "\n")
        title = "Workload slowdown against no tracing (median of %s paired runs; lower is better)\\n%s, %s cores, Linux %s" % (
            machine.get("reps", "?"), machine.get("date", "?"), machine.get("cores", "?"), machine.get("kernel", "?"))
        script = """
set terminal pngcairo size 1100,560 font ",10"
set output '%s'
set title "%s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set ylabel "slowdown (× baseline time per operation)"
set yrange [0.7:*]
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb "black"
set grid ytics
set xtics nomirror
plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)
""" % (path, title, len(configs) + 1, dat)
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def check(out_path, plot_path):
    """Asserts the form of a results file; one line per check, then 'N passed, N failed'."""
    passed = failed = 0

    def ok(cond, what):
        nonlocal passed, failed
        print(("ok   " if cond else "FAIL ") + what)
        if cond:
            passed += 1
        else:
            failed += 1

    def num(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    try:
        with open(out_path) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        print("FAIL results file %s: %s" % (out_path, e))
        print("0 passed, 1 failed")
        return 1
    m = r.get("machine") or {}
    ok(num(m.get("cores")) and m.get("kernel") and m.get("date") and m.get("cpu") and m.get("command"),
       "machine: cores, cpu, kernel, date, command")
    table = r.get("table", {})
    ok(set(table) == set(WORKLOAD_TEXT), "every workload measured: %s" % sorted(table))
    configs = set(c for cells in table.values() for c in cells)
    ok(configs == set(CONFIG_ORDER), "every configuration measured: %s" % sorted(configs))
    for w, cells in sorted(table.items()):
        ok("base" in cells and num(cells["base"]["rate_median"]) and cells["base"]["rate_median"] > 0,
           "%s: a baseline rate" % w)
        for c, cell in sorted(cells.items()):
            good = (num(cell["rate_median"]) and cell["rate_median"] > 0 and num(cell["slowdown"])
                    and cell["slowdown"] > 0 and num(cell["drops_max"]) and cell["drops_max"] >= 0
                    and num(cell["agent_cpu_s_median"]) and cell["agent_cpu_s_median"] >= 0)
            if c == "bulwark" and w in ("exec", "openw", "connect"):
                good = good and num(cell["events_median"]) and cell["events_median"] > 0 and \
                    num(cell["agent_peak_rss_kb_median"]) and cell["agent_peak_rss_kb_median"] > 0
            ok(good, "%s under %s: rate, slowdown, drops, CPU%s" % (
                w, c, ", events, RSS" if c == "bulwark" and w in ("exec", "openw", "connect") else ""))
    h = r.get("hooks") or {}
    ok(h.get("same") is True and num(h.get("bulwark_attached")) and h["bulwark_attached"] > 0,
       "the floor attaches bulwark's hooks: %s" % h)
    tp = r.get("throughput") or {}
    for mode in ("trace", "run", "run_refused"):
        t = tp.get(mode) or {}
        steps = t.get("steps") or []
        ok(num(t.get("max_zero_drop_events_per_s")) and steps and all(
            num(st.get("events")) and st["events"] > 0 and num(st.get("drops")) for st in steps),
           "throughput of %s: steps with events and drops" % mode)
    pc = (r.get("prog_cost") or {}).get("programs") or {}
    ok(all(num((pc.get(n) or {}).get("ns_per_run")) and pc[n]["runs"] > 0 for n in ("enter_openat", "exit_openat")),
       "BPF program cost: runs and ns per run of the open programs: %s" % pc)
    storms = (r.get("critical") or {}).get("storms") or []
    hc = r.get("hook_choice") or {}
    ok(all(num((hc.get(c) or {}).get("slowdown_median")) for c in ("floor", "floor-raw")),
       "hook choice: getppid under both hook designs: %s" % {c: hc.get(c) for c in ("floor", "floor-raw")})
    ok(len(storms) == 4 and all(num(x.get("execs")) and x["execs"] > 0 and num(x.get("exec_events"))
                                and isinstance(x.get("drops_critical_types"), dict) for x in storms),
       "critical events under storms: execs, exec events, critical drops counted")
    lat = (r.get("latency") or {})
    for load in ("idle", "openw-storm"):
        l = lat.get(load) or {}
        ok(num(l.get("received")) and l.get("received") == l.get("sent") and num(l.get("median_us"))
           and 0 < l["median_us"] <= l["p99_us"] <= l["max_us"],
           "latency (%s): every probe alerted, median <= p99 <= max: %s" % (load, l))
    mem = r.get("memory") or {}
    ok(num(mem.get("agent_rss_kb")) and mem["agent_rss_kb"] > 0 and
       mem.get("proc_cache_entries", 0) >= mem.get("procs", 1) and
       mem.get("container_cache_entries", 0) >= mem.get("containers", 1) and "bytes/process" in mem.get("proctree_mem", ""),
       "memory: RSS, processes and containers tracked: %s" % {k: mem.get(k) for k in (
           "agent_rss_kb", "procs", "proc_cache_entries", "containers", "container_cache_entries")})
    try:
        with open(plot_path, "rb") as f:
            ok(f.read(8) == b"\x89PNG\r\n\x1a\n", "plot: a PNG")
    except OSError as e:
        ok(False, "plot: %s" % e)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def report(out_path):
    """The compact tables of docs/BENCHMARKS.md: slowdowns, then each tracer's own figures."""
    with open(out_path) as f:
        r = json.load(f)
    table = r["table"]
    workloads = [w for w in WORKLOAD_TEXT if w in table]
    configs = [c for c in CONFIG_ORDER if any(c in table[w] for w in workloads)]
    tracers = [c for c in configs if c != "base"]
    print("Slowdown against no tracing: the median over %s repetitions of (baseline rate / rate), each run against the "
          "baseline of its own repetition; in brackets the lowest and the highest of those ratios:\n" % r["machine"]["reps"])
    print("| Workload | baseline rate | " + " | ".join(tracers) + " |")
    print("|---|---:|" + "---:|" * len(tracers))
    for w in workloads:
        b = table[w].get("base", {})
        unit = "builds/s" if w == "build" else "req/s" if w == "nginx" else "ops/s"
        row = ["%s (spread %s%%)" % (fmt(b.get("rate_median"), ",.3f" if w == "build" else ",.0f") + " " + unit,
                                      fmt(b.get("rate_spread_pct"), ".0f"))]
        for c in tracers:
            cell = table[w].get(c)
            row.append("—" if not cell or not cell["slowdown"] else "%.2f× (%.2f–%.2f)" % (
                cell["slowdown"], min(cell["slowdowns"]), max(cell["slowdowns"])))
        print("| %s | %s |" % (WORKLOAD_TEXT[w], " | ".join(row)))
    print("\nWhat each tracer received and what it cost (medians; CPU is the tracer's user + system time from the "
          "workload's start to 0.3 s after its end; peak RSS is VmHWM, start-up included):\n")
    print("| Workload | Tracer | events | drops (max) | tracer CPU s | CPU s / M events | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for w in workloads:
        for c in ("bulwark", "libbpf-tools", "bpftrace"):
            cell = table[w].get(c)
            if not cell:
                continue
            rss = cell["agent_peak_rss_kb_median"]
            crit = " (critical types: %d)" % cell["drops_critical_types_max"] if c == "bulwark" else ""
            print("| %s | %s | %s | %s%s | %s | %s | %s |" % (
                w, c, fmt(cell["events_median"], ",.0f"), fmt(cell["drops_max"], ",d"), crit,
                fmt(cell["agent_cpu_s_median"], ".2f"), fmt(cell["agent_cpu_s_per_million_events"], ".2f"),
                fmt(rss / 1024 if rss else None, ".1f")))
    report_rest(r)
    return 0


THROUGHPUT_TEXT = {
    "trace": "`bulwark trace --events open` (JSON to /dev/null), write-opens of existing files",
    "run": "`bulwark run` (default rules, file output), write-opens of existing files",
    "run_refused": "`bulwark run` (default rules, file output), write-opens refused with ENOENT",
}


def report_rest(r):
    """The tables after the slowdowns: throughput, critical events, latency, memory, hook choice."""
    tp = r.get("throughput") or {}
    print("\n**Maximum sustained events/s with zero drops** (2 generator processes, %s s per rate):\n" %
          tp.get("seconds_per_step"))
    print("| | highest rate with zero drops | steps |")
    print("|---|---:|---|")
    for mode, text in THROUGHPUT_TEXT.items():
        t = tp.get(mode)
        if not t:
            continue
        steps = "; ".join("%s offered → %s reached, %s events, %s drops, agent %.2f cores" % (
            fmt(st["offered"], ",d"), fmt(st["achieved"], ",d"), fmt(st["events"], ",d"), fmt(st["drops"], ",d"),
            st["agent_cores"]) for st in t["steps"])
        print("| %s | %s/s | %s |" % (text, fmt(t["max_zero_drop_events_per_s"], ",d"), steps))
    storms = (r.get("critical") or {}).get("storms") or []
    print("\n**Critical events under storms** (`bulwark run`; an exec storm of 1 process beside a storm of 2):\n")
    print("| Storm | storm ops | execs performed | exec records received | records lost (all) "
          "| exec/fork/exit/cgroup/mount/setns/... lost |")
    print("|---|---:|---:|---:|---:|---|")
    for x in storms:
        lost = ", ".join("%s %s" % (k, fmt(v, ",d")) for k, v in sorted(x["drops_critical_types"].items()) if v)
        print("| %s | %s | %s | %s | %s | %s |" % (x["storm"], fmt(x["storm_ops"], ",d"), fmt(x["execs"], ",d"),
                                                  fmt(x["exec_events"], ",d"), fmt(x["drops"], ",d"), lost or "none"))
    lat = r.get("latency") or {}
    print("\n**Latency from a write-open to its alert in the output file** (`bulwark run`):\n")
    print("| | received | median | p90 | p99 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    for load in ("idle", "openw-storm"):
        x = lat.get(load)
        if x:
            print("| %s | %d/%d | %s | %s | %s | %s |" % (load, x["received"], x["sent"], ms(x["median_us"]),
                                                         ms(x["p90_us"]), ms(x["p99_us"]), ms(x["max_us"])))
    m = r.get("memory") or {}
    if m:
        print("\n**Memory.** The process cache alone (`proctree_mem 10000`): %s. The agent (`bulwark run`) with "
              "%s processes in %s containers tracked (process cache %s entries, container cache %s entries; "
              "%s metadata lookups, %s failed; %s records lost): RSS **%.1f MB** (peak %.1f MB; %.1f MB right "
              "after start), of which %.1f MB are the two ring buffers' mappings." % (
                  m["proctree_mem"], fmt(m["procs"], ",d"), fmt(m["containers"], ",d"),
                  fmt(m["proc_cache_entries"], ",d"), fmt(m["container_cache_entries"], ",d"),
                  fmt(m["container_lookups"], ",d"), fmt(m["container_lookup_failures"], ",d"),
                  fmt(m["drops"], ",d"), m["agent_rss_kb"] / 1024, m["agent_peak_rss_kb"] / 1024,
                  m["agent_rss_kb_start"] / 1024, m["ring_buffer_rss_kb"] / 1024))
    pc = r.get("prog_cost")
    if pc:
        print("\n**What an event costs in BPF** (the kernel's run time per program, `kernel.bpf_stats_enabled`, "
              "under the write-open storm against `bulwark run`):\n")
        print("| Program | runs | ns per run |")
        print("|---|---:|---:|")
        for n, x in pc["programs"].items():
            print("| `%s` | %s | %s |" % (n, fmt(x["runs"], ",d"), fmt(x["ns_per_run"], ",d")))
    hc = r.get("hook_choice") or {}
    if hc.get("floor"):
        print("\n**Hook choice**, a storm of `getppid()` (a syscall no hook wants; 2 processes, paired "
              "repetitions):\n")
        print("| Design | slowdown of getppid | ns added per syscall |")
        print("|---|---:|---:|")
        for c, text in (("floor", "per-syscall tracepoints (`floor`)"),
                        ("floor-raw", "tp_btf sys_enter/sys_exit + filter (`floor-raw`)")):
            print("| %s | %.3f× | %.0f |" % (text, hc[c]["slowdown_median"], hc[c]["ns_added_per_syscall_median"]))


def ms(us):
    return "%.2f ms" % (us / 1000.0)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "collect":
        print(json.dumps(collect(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        sys.exit(report(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "stats":
        print(json.dumps(trace_stats(sys.argv[2])))
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "summarize":
        summarize(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
