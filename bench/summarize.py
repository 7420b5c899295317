#!/usr/bin/env python3
"""Turns bench/run.sh's JSON lines into latest.json and a markdown table of gateway vs nginx ratios
and targets (goals that are reported, never asserted).

usage: summarize.py RESULTS.jsonl OUT.json OUT.md [--quick]
"""
import json
import os
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
quick = "--quick" in sys.argv
json.dump(rows, open(sys.argv[2], "w"), indent=1)


def find(scenario, subject="gateway", **match):
    for r in rows:
        if r.get("scenario") == scenario and r.get("subject") == subject and all(r.get(k) == v for k, v in match.items()):
            return r
    return None


table = []


def line(scenario, where, measure, gw, ref, target, met, note=""):
    ratio = f"{gw / ref:.2f}" if isinstance(gw, (int, float)) and isinstance(ref, (int, float)) and ref else ""
    fmt = lambda v: "" if v is None else (f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}")
    status = "" if met is None else ("met" if met else "NOT MET")
    table.append(f"| {scenario} | {where} | {measure} | {fmt(gw)} | {fmt(ref)} | {ratio} | {target} | {status}{note} |")


g, n = find("P1", store="sqlite"), find("P1", "nginx")
if g and n:
    line("P1 single record, keep-alive", "sqlite", "req/s", g["requestsPerSecond"], n["requestsPerSecond"], "≥ 0.5 × nginx",
         g["requestsPerSecond"] >= 0.5 * n["requestsPerSecond"])
    line("P1 single record, keep-alive", "sqlite", "p99 ms (same closed-loop run)", round(g["p99ms"], 2), round(n["p99ms"], 2),
         "p99 ≤ 5 ms", g["p99ms"] <= 5)
    gc, nc = g.get("serverCpuUsPerRequest"), n.get("serverCpuUsPerRequest")
    if gc and nc:
        # The ratio column is gateway/nginx; the target is nginx's cost over the gateway's ≥ 0.25.
        line("P1 server CPU per request", "sqlite", "µs (user + system)", gc, nc, "nginx/gateway ≥ 0.25", nc / gc >= 0.25,
             f" (nginx/gateway {nc / gc:.2f})")
g = find("P1", store="postgresql")
if g:
    line("P1 single record, keep-alive", "postgresql", "req/s", g["requestsPerSecond"], None, "", None)
    if g.get("serverCpuUsPerRequest"):
        line("P1 server CPU per request", "postgresql", "µs (user + system)", g["serverCpuUsPerRequest"], None, "", None)
for store in ("sqlite", "postgresql"):
    for fraction in (50, 80):
        g, n = find("P1-latency", store=store, fraction=fraction), find("P1-latency", "nginx", store=store, fraction=fraction)
        if g:
            line(f"P1 latency, open loop at {fraction} % of the closed-loop rate", store, f"p99 ms at {g.get('targetRate')} req/s",
                 round(g["p99ms"], 2), round(n["p99ms"], 2) if n else None, "p99 ≤ 5 ms", g["p99ms"] <= 5)
g = find("P1-batch-during-load")
if g:
    line(f"P1 open loop while a batch of {g['batchRecords']:,} arrives", "sqlite", f"p99 ms at {g.get('targetRate')} req/s",
         round(g["p99ms"], 2), None, "p99 ≤ 5 ms", g["p99ms"] <= 5, f" (batch {g['batchStatus']} in {g['batchSeconds']:.2f} s)")
g, n = find("P2"), find("P2", "nginx")
if g and n:
    line("P2 handshake per request", "sqlite", "req/s", g["requestsPerSecond"], n["requestsPerSecond"], "≥ 0.9 × nginx",
         g["requestsPerSecond"] >= 0.9 * n["requestsPerSecond"])
    if g.get("serverCpuUsPerRequest") and n.get("serverCpuUsPerRequest"):
        line("P2 server CPU per handshake and request", "sqlite", "µs (user + system)", g["serverCpuUsPerRequest"], n["serverCpuUsPerRequest"],
             "", None)
for f in ("json", "xml"):
    g, n = find("P3", format=f), find("P3", "nginx", format=f)
    if g and n:
        note = " (quick run: smaller batch)" if quick else ""
        line(f"P3 batch of {g['records']:,}, {f.upper()}", "sqlite", "seconds to 202", g["seconds"], n["seconds"], "≤ 2 s",
             None if quick else g["seconds"] <= 2, note)
        line(f"P3 batch of {g['records']:,}, {f.upper()}", "sqlite", "peak RSS MB", g["peakRssMB"], None, "≤ 150 MB",
             None if quick else g["peakRssMB"] <= 150, note)
g = find("P3-onderwijsgebeurtenis")
if g:
    note = " (quick run: smaller batch)" if quick else ""
    line(f"P3 onderwijsgebeurtenis batch of {g['records']:,} closing vsv-meldingen", "sqlite", "seconds to 202", g["seconds"], None,
         "≤ 2 s", None if quick else g["seconds"] <= 2, note)
    line(f"P3 onderwijsgebeurtenis batch of {g['records']:,} closing vsv-meldingen", "sqlite", "peak RSS MB", g["peakRssMB"], None,
         "≤ 150 MB", None if quick else g["peakRssMB"] <= 150, note)
for r in rows:
    if r.get("scenario") == "P3-validate-1core":
        line("P3 validation, one core", r.get("format", ""), "records/s", r.get("recordsPerSecond"), None, "", None)
for store in ("sqlite", "postgresql"):
    fill = next((r for r in rows if r.get("scenario") == "P4-fill" and r.get("store") == store), None)
    g, n = find("P4", store=store), find("P4", "nginx", store=store)
    if g and n:
        size = f"{fill['records']:,} records" if fill else ""
        line(f"P4 caseload page ({size})", store, f"p99 ms at {g.get('targetRate')} req/s", round(g["p99ms"], 2), round(n["p99ms"], 2),
             "p99 ≤ 10 ms", g["p99ms"] <= 10)
    g, n = find("P4-throughput", store=store), find("P4-throughput", "nginx", store=store)
    if g and n:
        line("P4 caseload pages, closed loop", store, "req/s", g["requestsPerSecond"], n["requestsPerSecond"], "", None)
    for r in rows:
        if r.get("scenario") == "P4-rapportage" and r.get("store") == store:
            line("P4 rapportage, " + r.get("range", ""), store, "p99 ms (closed loop, 1 connection)", round(r["p99ms"], 2), None,
                 "P4-like (≤ 10 ms)", r["p99ms"] <= 10)
    g = find("P4-filtered", store=store)
    if g:
        line("P4 filtered page (type + gemeente)", store, "p99 ms", round(g["p99ms"], 2), None, "p99 ≤ 10 ms", g["p99ms"] <= 10)
    g = find("P5-append", store=store)
    if g:
        line("P5 audit append (batches of 1000)", store, "entries/s", g["entriesPerSecond"], None, "≥ 50 000/s", g["entriesPerSecond"] >= 50000)
    g = find("P5-inclusion-proof", store=store)
    if g:
        line("P5 inclusion proof", store, f"p99 ms in a log of {g['entries']:,}", round(g["p99ms"], 3), None, "≤ 1 ms", g["p99ms"] <= 1)
    g = find("P5-verify-cli", store=store)
    if g:
        line(f"P5 `audit verify` of {g['entries']:,} entries", store, "seconds", g["seconds"], None, "≤ 3 s (1M)",
             None if quick else g["seconds"] <= 3)

for r in rows:
    if r.get("scenario") == "HOSTILE":
        line(f"Hostile: {r['case']} ({r['mb']:.1f} MB)", "validate", "MB/s judged", r["mbPerSecond"], None, "≥ 10 MB/s",
             r["mbPerSecond"] >= 10)
        line(f"Hostile: {r['case']}", "validate", "peak RSS increase MB", r["rssIncreaseMB"], None, "< 200 MB", r["rssIncreaseMB"] < 200)
        line(f"Hostile: {r['case']}", "validate", "answer MB", r["answerMB"], None, f"≤ {r['answerLimitMB']:.1f} (2 × request + 1)",
             r["answerMB"] <= r["answerLimitMB"])
g = find("HOSTILE-concurrent")
if g:
    line("Hostile: four at once", "validate", "peak RSS MB", g["peakRssMB"], None, "< 1 GB", g["peakRssMB"] < 1024)
    for k, what in (("healthzMs", "/healthz"), ("otherPartyMs", "another party's request"), ("handshakeMs", "a new handshake")):
        line("Hostile: meanwhile", "", f"{what} ms ({g['stillJudging']} still judged)", g[k], None, "< 100 ms", g[k] < 100)

with open(sys.argv[3], "w") as out:
    out.write(f"# Benchmark results ({os.popen('date -u +%Y-%m-%dT%H:%MZ').read().strip()}, {os.cpu_count()} cores"
              f"{', quick run' if quick else ''})\n\n")
    out.write("Gateway and nginx reference in the same run, same client (bench/loadgen), same certificates and TLS settings.\n\n")
    out.write("| scenario | store / format | measure | gateway | nginx | ratio | target | status |\n|---|---|---|---|---|---|---|---|\n")
    out.write("\n".join(table) + "\n")
print(open(sys.argv[3]).read())
