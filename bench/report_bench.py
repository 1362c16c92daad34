"""Benchmark the report pipeline against bare WeasyPrint rendering the same final HTML.

    .venv/bin/python bench/report_bench.py [--repeat 7] [--options 30] [--reviews 20]

Builds a heavily filled case through the real services on a throwaway SQLite database (every
section with long analyses, 30 options, 20 reviews, dissents), signs it off, and then, in one
process and interleaved so that machine load hits both alike, times:

- pipeline: ``render_pdf(snapshot, snapshot_hash=...)``, what the Celery task runs: the
  Django templates, WeasyPrint with the restricted URL fetcher, PDF/UA-1 tagging, metadata;
- bare: ``HTML(string=html).write_pdf()`` on the pipeline's final HTML (plain PDF);
- bare-ua: the same with ``pdf_variant="pdf/ua-1"``, to separate our overhead from tagging.

Peak memory is measured in a fresh child process per variant (peak RSS after one render,
and its growth over the process after imports). Prints a Markdown report for
docs/benchmarks.md.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from report_setup import ROOT, django_setup

VARIANTS = ("pipeline", "bare", "bare-ua")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--options", type=int, default=30)
    parser.add_argument("--reviews", type=int, default=20)
    parser.add_argument("--sentences", type=int, default=16, help="sentences per analysis")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.input)

    load_before = os.getloadavg()
    workdir = django_setup()
    logging.disable(logging.WARNING)
    snapshot, snapshot_hash, built = _build_case(args)

    from aia.reports.rendering import render_html

    html = render_html(snapshot, snapshot_hash=snapshot_hash)
    (workdir / "snapshot.json").write_text(
        json.dumps({"snapshot": snapshot, "hash": snapshot_hash}), encoding="utf-8"
    )
    (workdir / "report.html").write_text(html, encoding="utf-8")

    # Warm up: compile the templates, load fonts, fill caches, for every variant.
    pages = {variant: _run(variant, snapshot, snapshot_hash, html)[1] for variant in VARIANTS}
    times: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    cpu_times: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for _ in range(args.repeat):
        for variant in VARIANTS:
            start, start_cpu = time.perf_counter(), time.process_time()
            _run(variant, snapshot, snapshot_hash, html)
            times[variant].append(time.perf_counter() - start)
            cpu_times[variant].append(time.process_time() - start_cpu)

    memory = {variant: _measure_child(variant, workdir) for variant in VARIANTS}
    load_after = os.getloadavg()
    print(_report(args, built, pages, times, cpu_times, memory, load_before, load_after, len(html)))
    return 0


def _build_case(args) -> tuple[dict, str, dict]:
    from aia.models.choices import ReportStatus
    from tests.factories import make_team
    from tests.reports.builders import heavy_content, walk_to_signed_off

    content = heavy_content(
        options=args.options, reviews=args.reviews, analysis_sentences=args.sentences
    )
    start = time.perf_counter()
    case = walk_to_signed_off(make_team(), content)
    report = case.reports.get()
    if report.status != ReportStatus.READY:
        raise SystemExit(f"The report did not render: {report.failure_reason}")
    snapshot = report.snapshot
    built = {
        "seconds": time.perf_counter() - start,
        "options": len(snapshot["options"]),
        "reviews": len(snapshot["reviews"]),
        "dissents": len(snapshot["dissents"]),
        "sources": len(snapshot["sources"]),
        "snapshot_bytes": len(json.dumps(snapshot)),
        "pdf_bytes": report.pdf.size,
    }
    return snapshot, report.snapshot_hash, built


def _run(variant: str, snapshot: dict, snapshot_hash: str, html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    from aia.reports.rendering import render_pdf

    if variant == "pipeline":
        return render_pdf(snapshot, snapshot_hash=snapshot_hash)
    document = HTML(string=html).render()
    pdf = document.write_pdf(pdf_variant="pdf/ua-1" if variant == "bare-ua" else None)
    return pdf, len(document.pages)


def _child(variant: str, workdir: Path) -> int:
    """Render once in this fresh process and print its time and memory as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    logging.disable(logging.WARNING)
    import weasyprint  # noqa: F401  (imported before the baseline is taken)
    from django.template import engines

    from aia.reports.rendering import render_pdf  # noqa: F401

    # Every variant starts as a worker process does: Django's template engine initialised,
    # which imports the tag libraries of every installed app (DRF's pull in pygments and
    # more: about 19 MiB). Left to the pipeline's first render, that one-off import cost
    # would count as rendering memory in this comparison and nowhere else.
    engines["django"].engine.template_libraries  # noqa: B018

    data = json.loads((workdir / "snapshot.json").read_text(encoding="utf-8"))
    html = (workdir / "report.html").read_text(encoding="utf-8")
    start = time.perf_counter()
    _, pages = _run(variant, data["snapshot"], data["hash"], html)
    cold_seconds = time.perf_counter() - start
    cold_peak = _status_kib("VmHWM") * 1024
    # Steady state, as in a long-lived worker: reset the high-water mark (Linux: writing 5 to
    # clear_refs) and render again.
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _rss_now()
    _run(variant, data["snapshot"], data["hash"], html)
    peak = _status_kib("VmHWM") * 1024
    print(
        json.dumps(
            {
                "pages": pages,
                "cold_seconds": cold_seconds,
                "cold_peak": cold_peak,
                "baseline": baseline,
                "peak": peak,
            }
        )
    )
    return 0


def _measure_child(variant: str, workdir: Path) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", variant, "--input", str(workdir)],
        capture_output=True,
        check=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _rss_now() -> int:
    return _status_kib("VmRSS") * 1024


def _status_kib(field: str) -> int:
    """Read a memory figure of this process from /proc/self/status.

    VmHWM (the resident high-water mark) belongs to this program's memory map; getrusage's
    ru_maxrss would not do, as Linux carries it over from the parent across fork and exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    import pydyf
    import weasyprint

    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"WeasyPrint {weasyprint.__version__}, pydyf {pydyf.__version__}"
    )


def _report(
    args, built, pages, times, cpu_times, memory, load_before, load_after, html_chars
) -> str:
    med = {variant: statistics.median(values) for variant, values in times.items()}
    cpu = {variant: statistics.median(values) for variant, values in cpu_times.items()}
    best = {variant: min(values) for variant, values in times.items()}
    mib = 1024 * 1024
    lines = [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {_machine()}.",
        f"Load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}.",
        "",
        f"Case: {built['options']} options, {built['reviews']} reviews, {built['dissents']} "
        f"dissents, {built['sources']} sources, {args.sentences}-sentence analyses in every "
        f"section; snapshot {built['snapshot_bytes'] / 1024:.0f} KiB of JSON, HTML "
        f"{html_chars / 1024:.0f} KiB, PDF {built['pdf_bytes'] / 1024:.0f} KiB. Built through "
        f"the services in {built['seconds']:.1f} s (including its first render).",
        "",
        f"Wall and CPU times are medians of {args.repeat} interleaved runs in one warm "
        "process; memory is measured in a fresh process per variant: peak RSS of its first "
        "render (cold), then the peak and its growth over the resting process in a second "
        "render (warm, as in a long-lived worker).",
        "",
        "| variant | pages | wall (s) | best wall (s) | CPU (s) | s/page (wall) "
        "| cold first render (s) | cold peak RSS (MiB) | warm peak RSS (MiB) | warm growth (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant in VARIANTS:
        m = memory[variant]
        lines.append(
            f"| {variant} | {pages[variant]} | {med[variant]:.2f} | {best[variant]:.2f} | "
            f"{cpu[variant]:.2f} | {med[variant] / pages[variant]:.3f} | "
            f"{m['cold_seconds']:.2f} | {m['cold_peak'] / mib:.0f} | {m['peak'] / mib:.0f} | "
            f"{(m['peak'] - m['baseline']) / mib:.0f} |"
        )
    ratio = med["pipeline"] / med["bare"]
    ratio_ua = med["pipeline"] / med["bare-ua"]
    mem_ratio = memory["pipeline"]["peak"] / memory["bare"]["peak"]
    cpu_ratio = cpu["pipeline"] / cpu["bare"]
    per_30 = med["pipeline"] / pages["pipeline"] * 30
    per_30_cpu = cpu["pipeline"] / pages["pipeline"] * 30
    lines += [
        "",
        f"- Pipeline / bare WeasyPrint (plain PDF): **{ratio:.2f}x** wall time, "
        f"{cpu_ratio:.2f}x CPU time, {mem_ratio:.2f}x warm peak RSS (target ≤ 1.2x).",
        f"- Pipeline / bare WeasyPrint with the same PDF/UA-1 variant: **{ratio_ua:.2f}x** "
        "(our own overhead: templates, fetcher, metadata).",
        f"- Pipeline time scaled to 30 pages: **{per_30:.2f} s** wall, {per_30_cpu:.2f} s CPU "
        "(target < 3 s).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
