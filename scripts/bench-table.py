#!/usr/bin/env python3
"""Turns scripts/bench.sh's hyperfine results into the Markdown table BENCHMARKS.md holds.

Commands are named "<label> <network>": labels a (secrets get), b (--declared-only),
a-baseline/b-baseline (another build), c (aws CLI), d (upstream fetch in Node); networks
loopback and 40ms.
"""
import argparse
import json
import math
import statistics

LABELS = {
    "a": "(a) `secrets get bench`",
    "a-baseline": "(a) same, baseline build",
    "b": "(b) `secrets get bench --declared-only`",
    "b-baseline": "(b) same, baseline build",
    "c": "(c) `aws ssm get-parameters-by-path --recursive --with-decryption`",
    "d": "(d) upstream fetch step: Node, @aws-sdk/client-ssm, GetParameters ×10 in parallel",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("times")
    ap.add_argument("--date", required=True)
    ap.add_argument("--machine", required=True)
    ap.add_argument("--versions", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, required=True)
    ap.add_argument("--concurrency", type=int, required=True)
    ap.add_argument("--declared", type=int, required=True)
    ap.add_argument("--swept", type=int, required=True)
    ap.add_argument("--startup", action="append", default=[])
    ap.add_argument("--rss", required=True)
    ap.add_argument("--size", type=int, required=True)
    a = ap.parse_args()

    median = {}
    spread = {}
    for r in json.load(open(a.times))["results"]:
        times = [t * 1000 for t in r["times"]]
        median[r["command"]] = statistics.median(times)
        spread[r["command"]] = (min(times), max(times))

    rtt = 2 * a.delay_ms
    # The latency sits between the client and latency_proxy, which keeps the client's
    # connections open (moto closes its own after every answer, behind the proxy, where no
    # latency is added): a new connection costs one round trip, each request on it one more.
    batches = math.ceil(a.declared / 10)
    rounds_b = math.ceil(batches / a.concurrency)
    floor_b = rtt * (1 + rounds_b)
    pages = math.ceil(a.swept / 50)
    floor_a = rtt * (1 + pages + 1)

    out = []
    out.append(f"Measured {a.date} on {a.machine}; {a.runs} runs each after 2 warm-ups, all in one")
    out.append(f"hyperfine run. Versions: {a.versions}.")
    out.append("")
    out.append(f"Store: {a.swept} parameters under `/k8s/bench/` and {a.declared} declared paths "
               "outside it, SecureStrings of 8–120 bytes.")
    out.append(f"\"40 ms\" is through `latency_proxy` adding {a.delay_ms:g} ms each way, and one "
               "round trip more for each new connection.")
    out.append("moto pages DescribeParameters 50 names a page as SSM does "
               "(`scripts/moto_ssm_pages.py`; moto alone pages 10).")
    out.append("")
    out.append("| command | loopback: median (min–max) | 40 ms round trip: median (min–max) |")
    out.append("| --- | --- | --- |")
    for label, text in LABELS.items():
        cells = []
        for net in ("loopback", "40ms"):
            key = f"{label} {net}"
            if key not in median:
                cells.append(None)
                continue
            lo, hi = spread[key]
            cells.append(f"{median[key]:.0f} ms ({lo:.0f}–{hi:.0f})")
        if any(cells):
            out.append(f"| {text} | {cells[0] or '–'} | {cells[1] or '–'} |")
    out.append("")

    def m(key):
        return median.get(key, float("nan"))

    def row(what, value, target, ok):
        out.append(f"| {what} | {value} | {target} | {'met' if ok else '**not met**'} |")

    out.append("| target (40 ms round trip unless said) | measured | target | |")
    out.append("| --- | --- | --- | --- |")
    b, a_, c, d = m("b 40ms"), m("a 40ms"), m("c 40ms"), m("d 40ms")
    row("(b) at most half of (d): (d) ÷ (b)", f"{d / b:.1f}×", "≥ 2×", d / b >= 2)
    row("(a) at most a third of (c): (c) ÷ (a)", f"{c / a_:.1f}×", "≥ 3×", c / a_ >= 3)
    out.append(f"| (b) against its floor, {floor_b:.0f} ms (the connections, then {rounds_b} round "
               f"of {batches} GetParameters calls at once) | {b / floor_b:.2f}× | – | |")
    out.append(f"| (a) against its floor, {floor_a:.0f} ms (a connection, {pages} DescribeParameters "
               f"pages of 50 one after another, then the last page's GetParameters) "
               f"| {a_ / floor_a:.2f}× | – | |")
    if "a-baseline 40ms" in median:
        row("(a) baseline build ÷ this build", f"{m('a-baseline 40ms') / a_:.2f}×", "–", True)
        row("(b) baseline build ÷ this build", f"{m('b-baseline 40ms') / b:.2f}×", "–", True)
    for item in a.startup:
        name, values = item.split("=", 1)
        lo, med, hi = (float(v) for v in values.split())
        if name == "secrets baseline":
            out.append(f"| start-up to first request: baseline build | "
                       f"{med:.1f} ms ({lo:.1f}–{hi:.1f}) | – | |")
        elif name == "secrets":
            row("start-up to first request, loopback, median (min–max)",
                f"{med:.1f} ms ({lo:.1f}–{hi:.1f})", "< 10 ms", med < 10)
        else:
            out.append(f"| start-up to first request: {name}, for comparison | "
                       f"{med:.0f} ms ({lo:.0f}–{hi:.0f}) | – | |")
    rss = [int(v) / 1024 for v in a.rss.split()]
    row("peak RSS, `get` of 1,000 secrets (5 runs)",
        f"{min(rss):.1f}–{max(rss):.1f} MB", "< 30 MB", max(rss) < 30)
    out.append(f"| release binary size | {a.size:,} bytes ({a.size / 1e6:.1f} MB) | small | |")
    out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
