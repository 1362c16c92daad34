"""Benchmark the search results page against the case list, for the same person, in the same run.

    DATABASE_URL=postgres://... .venv/bin/python bench/search_bench.py [--samples 100] [--reuse]

Fills the empty database ``DATABASE_URL`` names (``scripts/services.sh start``'s PostgreSQL;
SQLite is refused: the target is about full-text search) with 10,000 finished cases, each with
its warning, its 24 sections written out, three options and two comments, bulk-inserted (going
through the services would take most of an hour). A few words are planted: one in a section of
5 cases, one in a comment of 3 cases, one in a section of a tenth of the cases.

Then, in one warm process, it times for two people the case list (the dashboard, which lists
every case they may see, a page at a time) and the search results for each query, the requests
interleaved so that whatever else the machine is doing weighs on both alike: the auditor sees
all 10,000 cases, the lead official the 1,000 on their team. Every request goes through the
whole middleware stack; nothing goes over a socket.

Target: for each person, the search page's p95 at or under the case list's p95, for the words
people search by (a name, a place, a reference). Prints a Markdown report for
docs/benchmarks.md.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.web_bench import machine, percentile, timed  # noqa: E402

TARGET = 1.0
RARE, IN_COMMENTS, COMMON = "Quorvath", "Velmora", "militias"
RARE_CASES, COMMENT_CASES, COMMON_EVERY = 5, 3, 10


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Point DATABASE_URL at an empty PostgreSQL database.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    """Made-up words, so that the texts have as many distinct words as real prose."""
    syllables = ["ka", "lo", "ri", "ten", "mar", "su", "vel", "dor", "an", "is", "ut", "pre"]
    return ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)]


def prose(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choices(words, k=count)) + "."


def seed(cases: int):
    """Bulk-insert the cases and their content; return the team."""
    from django.db import connection
    from django.utils import timezone

    from aia.models import Case, Comment, Option, Section, Situation, Trigger
    from aia.models.choices import CaseState, Marking, Stage
    from tests.factories import make_team

    if Case.objects.exists():
        raise SystemExit("The database already has cases: point DATABASE_URL at an empty one.")
    rng = random.Random(21)
    words = vocabulary(rng)
    team = make_team()
    now = timezone.now()
    situations = Situation.objects.bulk_create(
        Situation(country_code=f"{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}", name=name, key=key)
        for n in range(500)
        for name in [f"Bench situation {n}"]
        for key in [Situation.make_key(name)]
    )
    states = [CaseState.CLOSED, CaseState.WITHDRAWN]  # finished: no situation has two open
    started = time.perf_counter()
    for first in range(0, cases, 500):
        batch, triggers, sections, options, comments = [], [], [], [], []
        for n in range(first, min(first + 500, cases)):
            situation = situations[n % len(situations)]
            opened = now - datetime.timedelta(hours=n)
            case = Case(
                reference=f"AIA-2026-{n + 1:05d}",
                title=situation.name,
                situation=situation,
                marking=Marking.OFFICIAL_SENSITIVE,
                knowledge_date=opened.date(),
                opened_at=opened,
                stage_started_at=opened,
                # A tenth of the cases are the lead official's team's; the rest another team's.
                lead_official=team.lead if n % 10 == 0 else team.other_official,
                legal_adviser=team.legal if n % 10 == 0 else team.other_legal,
                sro=team.sro if n % 10 == 0 else team.other_sro,
                state=states[n % len(states)],
            )
            batch.append(case)
            triggers.append(_trigger(case, situation, opened, team.integration, n))
            rows = Section.untouched(case, 1)
            for row in rows:
                row.analysis = prose(rng, words, 40)
                row.key_evidence = prose(rng, words, 10)
            if n < RARE_CASES:
                rows[3].analysis += f" Militias gathered near the {RARE} crossing."
            if n % COMMON_EVERY == 5:
                rows[5].analysis += f" Armed {COMMON} were seen."
            sections += rows
            options += _options(case, rng, words, team.lead, opened)
            for row, text in ((rows[0], prose(rng, words, 20)), (rows[4], prose(rng, words, 12))):
                if n < COMMENT_CASES and row is rows[4]:
                    text += f" Ask the {IN_COMMENTS} liaison."
                comments.append(
                    Comment(case=case, version=1, stage=Stage.ASSESSMENT, section=row,
                            author=team.legal, text=text, created_at=opened)
                )  # fmt: skip
        Case.objects.bulk_create(batch)
        Trigger.objects.bulk_create(triggers)
        Section.objects.bulk_create(sections)
        Option.objects.bulk_create(options)
        Comment.objects.bulk_create(comments)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, on a live database
    print(f"seeded {cases:,} cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return team


def _trigger(case, situation, opened, feed, n):
    from aia.models import Trigger
    from aia.models.choices import Finding, TriggerKind, TriggerOutcome

    return Trigger(
        kind=TriggerKind.INQUIRY_FINDING,
        source_body="UN Human Rights Council",
        reference=f"SEED/{n}",
        title=f"Findings on {situation.name}",
        finding_date=opened.date(),
        finding=Finding.SERIOUS_RISK,
        crimes=["genocide"],
        situation=situation,
        case=case,
        received_at=opened,
        received_by=feed,
        outcome=TriggerOutcome.OPENED,
    )


def _options(case, rng, words, author, opened):
    from aia.models import Option

    return [
        Option(
            case=case,
            version=1,
            category=category,
            title=f"Option on {category}",
            description=prose(rng, words, 25),
            target_actors=prose(rng, words, 5),
            lead_department="fcdo",
            expected_effect="medium",
            feasibility="high",
            risk_of_harm="low",
            mitigation=prose(rng, words, 10),
            recommendation="recommended",
            rationale=prose(rng, words, 15),
            created_at=opened,
            created_by=author,
            updated_at=opened,
        )
        for category in ("diplomacy", "sanctions", "legal")
    ]


def measure(people: dict, samples: int) -> tuple[dict, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.signing_in import sign_in_verified

    search = reverse("web:search")
    pages = [
        ("case list", reverse("web:dashboard")),
        (f"search: a word in 5 cases' sections ({RARE})", f"{search}?q={RARE}"),
        (f"search: a word in 3 cases' comments ({IN_COMMENTS})", f"{search}?q={IN_COMMENTS}"),
        ("search: a case reference", f"{search}?q=AIA-2026-00001"),
        (f"search: a word in a tenth of the cases ({COMMON})", f"{search}?q={COMMON}"),
        ("search: a situation, 20 cases (Bench situation 7)", f'{search}?q="Bench+situation+7"'),
    ]  # fmt: skip
    times, facts = {}, {}
    for person, user in people.items():
        client = sign_in_verified(Client(), user)
        for label, url in pages:  # warm up; count the queries once
            for _ in range(3):
                timed(client, url)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            facts[person, label] = len(queries)
            times[person, label] = []
        for _ in range(samples):
            for label, url in pages:
                times[person, label].append(timed(client, url))
    return times, facts


def report(times: dict, facts: dict, cases: int, load: tuple) -> str:
    lines = [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {machine()}; "
        f"{cases:,} cases. Load average before/after: {load[0]:.2f} / {os.getloadavg()[0]:.2f}.",
        "",
        f"| person | page | queries | p50 (ms) | p95 (ms) | p95 / case list p95 | ≤ {TARGET:.0f} |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for (person, label), samples in times.items():
        base = percentile(times[person, "case list"], 95)
        ratio = percentile(samples, 95) / base
        verdict = "" if label == "case list" else ("met" if ratio <= TARGET else "**missed**")
        lines.append(
            f"| {person} | {label} | {facts[person, label]} | "
            f"{statistics.median(samples) * 1000:.1f} | {percentile(samples, 95) * 1000:.1f} | "
            f"{ratio:.2f} | {verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=100, help="requests per page and person")
    parser.add_argument("--reuse", action="store_true", help="time the cases already seeded")
    args = parser.parse_args()
    load = os.getloadavg()
    django_setup()
    import logging

    logging.disable(logging.WARNING)
    from aia.models import Case, User

    if args.reuse and Case.objects.exists():  # a database this script filled before
        people = {name: User.objects.get(username=name) for name in ("auditor", "lead")}
    else:
        team = seed(args.cases)
        people = {"auditor": team.auditor, "lead": team.lead}
    times, facts = measure(people, args.samples)
    print(report(times, facts, args.cases, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
