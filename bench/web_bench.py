"""Benchmark the browser pages against ``/healthz/`` in the same process and the same run.

    .venv/bin/python bench/web_bench.py [--events 2000] [--samples 200] [--profile LABEL]

Builds, through the real services on a throwaway database (SQLite in memory, or the empty
PostgreSQL database ``DATABASE_URL`` names, e.g. ``scripts/services.sh start pg``'s), a team
and a few cases, one of them in assessment with a 2,000-entry audit trail (section saves by
two officials on two sections, appended with the audit service's own chaining). Then, in one
warm process, it signs in a Django test client per person (past the one-time code) and times
each main page, each request paired with one of ``/healthz/`` so that whatever else the
machine is doing weighs on both alike. Every request goes through the whole middleware stack
(sessions, authentication, the one-time code check, CSP); nothing goes over a socket.

Target: every page's p95 at or under 10 times the p95 of ``/healthz/``. Prints a Markdown
report for docs/benchmarks.md; ``--profile LABEL`` then prints where that page's time goes.
"""

import argparse
import atexit
import cProfile
import datetime
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 10.0


def django_setup() -> None:
    """Point Django at a fresh database (a temporary SQLite file unless ``DATABASE_URL`` names
    one) and migrate it."""
    # In memory where the machine offers it: every request saves its session (the idle
    # timeout), and a disk's flush on each would time the disk, not the page.
    shm = Path("/dev/shm")  # noqa: S108 (a private folder is made inside it)
    workdir = Path(tempfile.mkdtemp(prefix="aia-web-bench-", dir=shm if shm.is_dir() else None))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("REDIS_URL", None)  # tasks run in-process, as in the tests
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"  # the test client's host

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build(events: int) -> tuple[dict, list[tuple[str, str, str]]]:
    """Return a signed-in client per person and the pages to time: (label, person, URL)."""
    from django.test import Client
    from django.urls import reverse

    from aia.models.choices import CaseState
    from tests.audit_builders import section_saves, spaced
    from tests.factories import case_in_state, make_team, new_case
    from tests.signing_in import sign_in_verified

    team = make_team()
    for _ in range(20):
        new_case(team)  # the dashboard's cases awaiting a team
    big = case_in_state(team, CaseState.ASSESSMENT)
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=10)
    people, codes = (team.lead, team.official), ("rf3", "rf4")
    saves = max(events - big.event_count, 0)
    big = section_saves(
        big,
        [
            # Sittings of three saves of one section, the person changing every seven saves.
            (people[n // 7 % 2], codes[n // 3 % 2], moment)
            for n, moment in enumerate(spaced(start, saves, minutes=4))
        ],
    )
    small = case_in_state(team, CaseState.ASSESSMENT)  # the same page with a short trail
    options = case_in_state(team, CaseState.OPTIONS)
    review = case_in_state(team, CaseState.LEGAL_REVIEW)
    sign_off = case_in_state(team, CaseState.SIGN_OFF)
    library_case = case_in_state(team, CaseState.ASSESSMENT)
    library = _library(library_case, team.official)

    def case(name: str, case_, **kwargs) -> str:
        return reverse(name, kwargs={"case_id": case_.pk, **kwargs})

    clients = {
        name: sign_in_verified(Client(), user)
        for name, user in (
            ("lead", team.lead),
            ("legal", team.legal),
            ("sro", team.sro),
            ("auditor", team.auditor),
        )
    }
    pages = [
        ("dashboard (case list)", "lead", reverse("web:dashboard")),
        (f"case page, {big.event_count:,} events", "lead", case("web:case", big)),
        (f"case page, {small.event_count} events", "lead", case("web:case", small)),
        ("audit trail, first page", "lead", case("web:audit-trail", big)),
        ("audit trail, page 30", "lead", case("web:audit-trail", big) + "?page=30"),
        ("section page", "lead", case("web:section", big, code="rf3")),
        ("options register", "lead", case("web:options", options)),
        (f"source library, {library} sources", "lead", case("web:sources", library_case)),
        ("record a warning", "lead", reverse("web:warning-new")),
        ("search results", "lead", reverse("web:search") + "?q=Darfur"),
        ("notifications", "lead", reverse("web:notifications")),
        ("legal review", "legal", case("web:review", review)),
        ("sign-off", "sro", case("web:sign-off", sign_off)),
        ("access log", "auditor", case("web:access-log", big)),
        ("security log", "auditor", reverse("web:security-log")),
    ]
    return clients, pages


def _library(case, official) -> int:
    """Give the case a source library of 20 sources, each cited from two sections, a tenth of
    them with a file; return its size."""
    from aia.services.sources import source_add, source_cite
    from tests import source_files

    for n in range(20):
        source = source_add(
            case=case,
            actor=official,
            data={**source_files.SOURCE, "title": f"Report {n} on the situation"},
            upload=None if n % 10 else source_files.upload(f"report-{n}.pdf", source_files.PDF),
        )
        for code in ("rf1", "rf2"):
            source_cite(source=source, actor=official, section_code=code)
    return case.sources.count()


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(clients: dict, pages: list, samples: int) -> tuple[list[float], dict, dict]:
    """Time each page ``samples`` times, each request right after one of /healthz/."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    health = "/healthz/"
    facts = {}
    for label, person, url in pages:  # warm up, and count queries and bytes once
        for _ in range(5):
            timed(clients[person], health)
            timed(clients[person], url)
        with CaptureQueriesContext(connection) as queries:
            response = clients[person].get(url)
        facts[label] = {"queries": len(queries), "kib": len(response.content) / 1024}
    baseline: list[float] = []
    times: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    for _ in range(samples):
        for label, person, url in pages:
            baseline.append(timed(clients[person], health))
            times[label].append(timed(clients[person], url))
    return baseline, times, facts


def profile(clients: dict, pages: list, label: str, repeat: int = 50) -> None:
    person, url = next((p, u) for name, p, u in pages if name.startswith(label))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        clients[person].get(url)
    profiler.disable()
    print(f"\nWhere the time of {url} goes ({repeat} requests, cumulative):\n")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(35)


def machine() -> str:
    from django.db import connection

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version  # e.g. 150018
        database = f"PostgreSQL {version // 10000}.{version % 100}"
    else:
        database = f"SQLite {connection.Database.sqlite_version}"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {database}"
    )


def report(baseline, times, facts, load) -> str:
    base_p50, base_p95 = statistics.median(baseline), percentile(baseline, 95)
    lines = [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {machine()}.",
        f"Load average before/after: {load[0]:.2f} / {os.getloadavg()[0]:.2f}.",
        "",
        f"`/healthz/`: p50 {base_p50 * 1000:.1f} ms, p95 {base_p95 * 1000:.1f} ms "
        f"({len(baseline)} requests, one before each page request).",
        "",
        "| page | queries | size (KiB) | p50 (ms) | p95 (ms) | p50 / `/healthz/` p50 "
        f"| p95 / `/healthz/` p95 | ≤ {TARGET:.0f} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, samples in times.items():
        ratio = percentile(samples, 95) / base_p95
        lines.append(
            f"| {label} | {facts[label]['queries']} | {facts[label]['kib']:.0f} | "
            f"{statistics.median(samples) * 1000:.1f} | {percentile(samples, 95) * 1000:.1f} | "
            f"{statistics.median(samples) / base_p50:.1f} | {ratio:.1f} | "
            f"{'met' if ratio <= TARGET else '**missed**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="audit entries of the case")
    parser.add_argument("--samples", type=int, default=200, help="requests per page")
    parser.add_argument("--profile", metavar="LABEL", help="profile the page whose label starts so")
    args = parser.parse_args()
    load = os.getloadavg()
    django_setup()
    import logging

    logging.disable(logging.WARNING)
    clients, pages = build(args.events)
    baseline, times, facts = measure(clients, pages, args.samples)
    print(report(baseline, times, facts, load))
    if args.profile:
        profile(clients, pages, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
