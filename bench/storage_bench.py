"""Benchmark downloading a signed report from the object store against the local disk.

    .venv/bin/python bench/storage_bench.py [--repeat 41] [--options 32]

Builds a heavily filled case through the real services on a throwaway SQLite database and
signs it off (its report, about 40 pages, rendered as the worker would), puts the same PDF in
a bucket of moto's S3 server started on 127.0.0.1 (requirements-dev.txt; compose runs MinIO),
then downloads it through Django's test client and the whole middleware stack, as a signed-in
SRO, alternately from the local disk and from the bucket, in one process so that machine load
hits both alike. Each download is the web process's real path: the need-to-know check, the
access log, the read from storage with its SHA-256 check, and the streamed response, read to
its end. Prints a Markdown report for docs/benchmarks.md.
"""

import argparse
import datetime
import logging
import os
import platform
import statistics
import sys
import time

from report_setup import ROOT, django_setup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=41, help="downloads from each storage")
    parser.add_argument("--options", type=int, default=32, help="options in the case")
    args = parser.parse_args()

    load_before = os.getloadavg()
    django_setup()
    logging.disable(logging.WARNING)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed, mail stays in memory
    from tests.integration.s3 import S3Server

    server = S3Server()
    try:
        report, client, storages = _build(args, server)
        url = f"/reports/{report.pk}/download/"
        times = _measure(client, url, storages, report, args.repeat)
    finally:
        server.close()
    print(_report(args, report, times, load_before, os.getloadavg()))
    return 0


def _build(args, server):
    """The signed-off case's report, a client signed in as its SRO, and the two storages that
    hold the same PDF under the same name."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage
    from django.test import Client
    from storages.backends.s3 import S3Storage

    from aia.models.choices import ReportStatus
    from tests.factories import make_team
    from tests.reports.builders import heavy_content, walk_to_signed_off
    from tests.signing_in import sign_in_verified

    team = make_team()
    case = walk_to_signed_off(team, heavy_content(options=args.options))
    report = case.reports.get()
    if report.status != ReportStatus.READY:
        raise SystemExit(f"The report did not render: {report.failure_reason}")
    local = report.pdf.storage
    if not isinstance(local, FileSystemStorage):
        raise SystemExit("Run without AWS_STORAGE_BUCKET_NAME: the report must start on disk.")
    bucket = server.bucket()
    s3 = S3Storage(**server.storage_options(bucket)["OPTIONS"])
    with local.open(report.pdf.name, "rb") as pdf:
        stored = s3.save(report.pdf.name, ContentFile(pdf.read()))
    if stored != report.pdf.name:
        raise SystemExit(f"The bucket named the file {stored}, not {report.pdf.name}")
    return report, sign_in_verified(Client(), team.sro), {"local disk": local, "object store": s3}


def _measure(client, url, storages, report, repeat) -> dict[str, list[float]]:
    """Time each download, alternating the storage the report's file field reads from (the
    field's ``storage`` attribute: both storages stay open, as they would in a web process)."""
    from aia.models import Report

    field = Report._meta.get_field("pdf")
    times: dict[str, list[float]] = {name: [] for name in storages}
    for round_ in range(repeat + 1):  # the first round warms up and is not counted
        for name, storage in storages.items():
            field.storage = storage
            start = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content)
            elapsed = time.perf_counter() - start
            if response.status_code != 200 or len(body) != report.pdf.size:
                raise SystemExit(f"{name}: {response.status_code}, {len(body)} bytes")
            if round_:
                times[name].append(elapsed)
    return times


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _report(args, report, times, load_before, load_after) -> str:
    import boto3
    import django
    import moto
    import storages

    local, s3 = times["local disk"], times["object store"]
    lines = [
        f"Measured {datetime.datetime.now(datetime.UTC):%-d %B %Y} on {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, Django "
        f"{django.get_version()}, django-storages {storages.__version__}, boto3 "
        f"{boto3.__version__}, moto {moto.__version__} (server mode on 127.0.0.1).",
        f"Load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.",
        "",
        f"Report: {report.page_count} pages, {report.pdf.size:,} bytes; "
        f"{args.repeat} downloads from each storage, alternating, after one each to warm up.",
        "",
        "| storage | median ms | p95 ms | median vs local disk | p95 vs local disk |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, samples in times.items():
        median, p95 = statistics.median(samples), _percentile(samples, 95)
        lines.append(
            f"| {name} | {median * 1000:.1f} | {p95 * 1000:.1f} | "
            f"{median / statistics.median(local):.2f} | {p95 / _percentile(local, 95):.2f} |"
        )
    lines += ["", f"Ratio of medians: **{statistics.median(s3) / statistics.median(local):.2f}**"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
