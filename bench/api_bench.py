"""Benchmark the REST API on PostgreSQL behind gunicorn (a script, not a test).

Measures, each as a ratio to the bare DRF endpoint (``/api/v1/_bench/ping/``: same process,
same token authentication, no database work beyond it) in the same run:

- trigger ingestion throughput with concurrent clients: new triggers that open a case, new
  triggers that join an open case, and replays of known triggers (vs. POST to the bare
  endpoint with the same body);
- ``GET /api/v1/cases/`` latency, p50 and p95, with 10,000 cases and 100,000 audit events
  (vs. GET of the bare endpoint), measured before the throughput rounds; and again after
  them, with the cases they opened, for comparison.

It also prints the CPU time each kind of request cost, by process (gunicorn's workers,
PostgreSQL's backends, this script's client threads), read from ``/proc`` around each
throughput round: on a machine whose CPUs the rounds keep busy, that says where a ratio goes.

Usage (DATABASE_URL must point at a throwaway PostgreSQL database; the script migrates it
and fills it)::

    eval "$(scripts/services.sh start pg)"
    .venv/bin/python bench/api_bench.py            # --help for durations, workers, clients
    scripts/services.sh stop

Only loopback traffic; every loop is bounded in time and count. The seeded cases, each with
the trigger that opened it, and their events are bulk-inserted (bypassing the services, so
they have no sections), with valid audit hash chains; a sample of them is verified before
measuring.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "config.settings.production"
SECRET = "bench-only-not-secret-" + "x" * 40
PING = "/api/v1/_bench/ping/"
# Far above what a round's time allows; it only bounds the loops.
MAX_REQUESTS_PER_ROUND = 100_000
CASES = "/api/v1/cases/"
TRIGGERS = "/api/v1/triggers/"
# The least throughput of each kind of ingestion, as a share of the bare POST's. A new trigger
# writes a case's or a join's rows through the ORM (well over a hundred a second on two CPUs,
# for a ministry that receives a handful of warnings a week); a replay reads one row.
INGESTION_TARGETS = {"new, opening a case": 0.25, "new, joining a case": 0.25, "replay": 0.40}
# The seeded triggers' sources; the first is the one the benchmark's new triggers name.
SEEDED_SOURCES = ("Bench mission", "Bench court", "Bench advisers")


def server_environment(database_url: str, media_root: str) -> dict[str, str]:
    """Return the environment of both the seeding process and gunicorn."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_MEDIA_ROOT": media_root,
            # One machine: its files on its own disk (production otherwise needs a bucket).
            "AIA_ALLOW_LOCAL_FILES": "true",
            "AIA_BENCH_ENDPOINTS": "true",
            # Throttling would cap what we measure: a rate no client reaches, but per second.
            # DRF's throttle keeps a timestamp for each request in its window and reads and
            # writes them all on every request; a minute at these rates is thousands of them
            # (a production account at its 120/min keeps at most 120), and the cost would
            # grow through the run.
            "AIA_API_THROTTLE_TRIGGERS": "100000000/second",
            "CONN_MAX_AGE": "60",
        }
    )
    env.pop("REDIS_URL", None)
    return env


# --------------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------------
@dataclass
class Seeded:
    tokens: dict[str, str]
    situations: list[tuple[str, str]]


def seed(*, cases: int, events_per_case: int) -> Seeded:
    """Fill the database with cases and hash-chained events; return tokens and situations."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from aia.audit import verify_case_chain
    from aia.canonical import sha256_of
    from aia.models import Case, CaseEvent, CaseReferenceCounter, Situation, Trigger, User
    from aia.models.choices import (
        CaseState,
        EventType,
        Finding,
        Marking,
        TriggerKind,
        TriggerOutcome,
    )
    from aia.services.audit import GENESIS_HASH

    call_command("migrate", verbosity=0, interactive=False)
    if Case.objects.exists():
        raise SystemExit("The database already has cases: point DATABASE_URL at an empty one.")

    def user(username: str, role: str | None) -> User:
        account = User.objects.create_user(
            username=username, password=None, clearance=Marking.OFFICIAL_SENSITIVE
        )
        if role:
            account.groups.add(Group.objects.get(name=role))
        return account

    auditor = user("bench_auditor", "auditor")
    feed = user("bench_feed", "official")
    sro = user("bench_sro", "sro")
    lead = user("bench_lead", "official")
    legal = user("bench_legal", "legal_adviser")
    tokens = {u.username: Token.objects.create(user=u).key for u in (auditor, feed, sro, lead)}

    states = [CaseState.SCOPING, CaseState.ASSESSMENT, CaseState.OPTIONS, CaseState.MONITORING]
    now = timezone.now()
    year = now.year
    batch = 1000
    started = time.perf_counter()
    for first in range(0, cases, batch):
        numbers = range(first + 1, min(first + batch, cases) + 1)
        situations = Situation.objects.bulk_create(
            Situation(
                country_code="ZZ",
                name=f"Bench situation {n}",
                key=Situation.make_key(f"Bench situation {n}"),
            )
            for n in numbers
        )
        batch_cases = []
        batch_triggers = []
        batch_events = []
        for n, situation in zip(numbers, situations, strict=True):
            opened = now - timedelta(minutes=n)
            case = Case(
                reference=f"AIA-{year}-B{n:05d}",
                title=situation.name,
                situation=situation,
                marking=Marking.OFFICIAL_SENSITIVE,
                knowledge_date=opened.date(),
                opened_at=opened,
                stage_started_at=opened,
                lead_official=lead,
                legal_adviser=legal,
                sro=sro,
                # The state field is protected; bench data may set it once, when built.
                state=states[n % len(states)],
            )
            # Every case was opened by a trigger: without them the trigger table starts empty,
            # is analysed as empty, and the lookup of every posted trigger is planned as a
            # scan of the whole table, which then grows through the run.
            batch_triggers.append(
                Trigger(
                    kind=TriggerKind.INQUIRY_FINDING,
                    source_body=SEEDED_SOURCES[n % len(SEEDED_SOURCES)],
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
            )
            previous = GENESIS_HASH
            for sequence in range(1, events_per_case + 1):
                event = CaseEvent(
                    case=case,
                    sequence=sequence,
                    type=EventType.CASE_OPENED if sequence == 1 else EventType.SECTION_UPDATED,
                    actor=lead,
                    version=1,
                    occurred_at=opened + timedelta(seconds=sequence),
                    details={"bench": True, "sequence": sequence},
                    previous_hash=previous,
                )
                event.hash = sha256_of(event.chained_content())
                previous = event.hash
                batch_events.append(event)
            case.event_count = events_per_case
            case.last_event_hash = previous
            batch_cases.append(case)
        Case.objects.bulk_create(batch_cases)
        Trigger.objects.bulk_create(batch_triggers)
        # Events go in per case and in sequence order, as verify_case_chain reads them.
        CaseEvent.objects.bulk_create(batch_events, batch_size=5000)
    CaseReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": 0})
    total_events = CaseEvent.objects.count()
    elapsed = time.perf_counter() - started
    print(
        f"seeded {Case.objects.count()} cases, {Trigger.objects.count()} triggers, "
        f"{total_events} events in {elapsed:.1f}s"
    )
    sample = Case.objects.order_by("?")[:50]
    broken = [problem for case in sample if (problem := verify_case_chain(case))]
    if broken:
        raise SystemExit(f"seeded audit chain is broken: {broken[0]}")
    print("audit chains of 50 random seeded cases verified")
    # A live database of this size has been vacuumed and analysed by autovacuum; a bulk load
    # measured straight away has not, and the planner, believing the case table nearly empty,
    # then sorts every case to find a page of 25 instead of walking the opened_at index.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print("vacuumed and analysed, as autovacuum would have")
    # Joins go to cases that are open and not monitored (a trigger would reopen those).
    open_cases = list(
        Case.objects.exclude(state=CaseState.MONITORING).values_list(
            "situation__country_code", "situation__name"
        )
    )
    from django.db import connections

    connections.close_all()
    return Seeded(tokens=tokens, situations=open_cases)


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int) -> Iterator[None]:
    """Run gunicorn on 127.0.0.1:port until the block ends."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed arguments
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                status, _ = request(port, "GET", "/healthz/")
                if status == 200:
                    break
            if process.poll() is not None:
                raise SystemExit("gunicorn exited during start-up")
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer within 30 s")
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(
    port: int, method: str, path: str, *, token: str | None = None, body: bytes | None = None
) -> tuple[int, bytes]:
    """Send one request on a new connection (gunicorn's sync workers do not keep it alive)."""
    headers = {"Host": "127.0.0.1", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------
@dataclass
class Throughput:
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] | None = None
    # CPU seconds spent meanwhile, by process group (``process_cpu``).
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: "Throughput") -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.statuses = self.statuses or {}
        for status, count in (other.statuses or {}).items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        for group, seconds in other.cpu.items():
            self.cpu[group] = self.cpu.get(group, 0.0) + seconds

    def cpu_ms_per_request(self) -> dict[str, float]:
        if not self.requests:
            return {}
        return {group: 1000 * seconds / self.requests for group, seconds in self.cpu.items()}


CPU_GROUPS = ("gunicorn", "postgres", "client", "other")


def process_cpu() -> dict[str, float]:
    """CPU seconds (user and system) used so far by every process on the machine, grouped:
    gunicorn's, PostgreSQL's, this one (the clients) and the rest; empty without ``/proc``.

    A process's count includes its children that have ended: a PostgreSQL backend that
    closes during a round (Django reconnects after ``CONN_MAX_AGE``) moves its time to the
    postmaster's, rather than taking it out of the sum."""
    totals = dict.fromkeys(CPU_GROUPS, 0.0)
    tick = os.sysconf("SC_CLK_TCK")
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # it ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        # utime, stime, and cutime, cstime: those of its ended children it has waited for.
        seconds = sum(int(value) for value in fields[11:15]) / tick
        if int(pid) == os.getpid():
            group = "client"
        elif b"gunicorn" in command:
            group = "gunicorn"
        elif command.startswith(b"postgres") or b"/postgres" in command:
            group = "postgres"
        else:
            group = "other"
        totals[group] += seconds
    return totals


def throughput(
    send: Callable[[int, int], int], *, clients: int, seconds: float, start: int
) -> Throughput:
    """Run ``clients`` threads calling ``send(client, n)`` for ``seconds``; count answers.

    ``n`` counts on from ``start`` so that later rounds send new requests.
    """
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    count = 0
    stop = time.monotonic() + seconds

    def run(client: int) -> None:
        nonlocal count
        n = start
        while time.monotonic() < stop and n < start + MAX_REQUESTS_PER_ROUND:
            status = send(client, n)
            n += 1
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                count += 1

    before = process_cpu()
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = process_cpu()
    cpu = {group: after[group] - before[group] for group in before}
    return Throughput(count, elapsed, statuses, cpu)


def alternating_throughput(
    senders: dict[str, Callable[[int, int], int]], *, clients: int, seconds: float, rounds: int
) -> dict[str, Throughput]:
    """Measure each sender in turn, ``rounds`` times, so that whatever else the machine is
    doing weighs on all of them alike."""
    results = {name: Throughput() for name in senders}
    for round_number in range(rounds):
        for name, send in senders.items():
            start = round_number * MAX_REQUESTS_PER_ROUND
            results[name].add(throughput(send, clients=clients, seconds=seconds, start=start))
    return results


def paired_latencies(
    sends: dict[str, Callable[[], int]], *, count: int, warmup: int = 50
) -> dict[str, list[float]]:
    """Return the latencies (ms) of ``count`` sequential requests of each kind, interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in sends}
    for index in range(warmup + count):
        for name, send in sends.items():
            started = time.perf_counter()
            status = send()
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"{name}: unexpected status {status}")
            if index >= warmup:
                samples[name].append(elapsed)
    return samples


def percentile(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(p) - 1]


def trigger_body(run: str, client: int, n: int, situation: tuple[str, str] | None) -> bytes:
    code, name = situation or ("ZY", f"Bench new situation {run} {client} {n}")
    return json.dumps(
        {
            "kind": "inquiry_finding",
            "source_body": "Bench mission",
            "reference": f"BENCH/{run}/{client}/{n}",
            "title": "Findings of the bench mission",
            "finding_date": "2024-09-06",
            "finding": "serious_risk",
            "crimes": ["genocide"],
            "summary": "Reasonable grounds to believe atrocity crimes are at serious risk.",
            "source_url": "https://www.ohchr.org/en/bench",
            "situation": {"country_code": code, "name": name},
        }
    ).encode()


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = subprocess.run(
        ["free", "-h"],  # noqa: S607 - a fixed, read-only command
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{platform.platform()}\n{memory}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=3, help="per throughput round")
    parser.add_argument("--rounds", type=int, default=4, help="alternating throughput rounds")
    parser.add_argument("--samples", type=int, default=500, help="latency samples per endpoint")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a throwaway PostgreSQL database.")
    media = Path(os.environ.get("TMPDIR", "/tmp")) / f"aia-bench-media-{os.getpid()}"  # noqa: S108
    env = server_environment(database_url, str(media))
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    seeded = seed(cases=args.cases, events_per_case=args.events_per_case)
    port = free_port()
    feed, auditor = seeded.tokens["bench_feed"], seeded.tokens["bench_auditor"]
    run = uuid.uuid4().hex[:8]
    situations = seeded.situations
    ping_body = trigger_body(run, 0, 0, None)
    replay_set = 20  # triggers per client, posted once before the replays are timed

    def post_trigger(body: bytes) -> int:
        return request(port, "POST", TRIGGERS, token=feed, body=body)[0]

    senders = {
        "bare POST": lambda c, n: request(port, "POST", PING, token=feed, body=ping_body)[0],
        "new, opening a case": lambda c, n: post_trigger(trigger_body(f"{run}o", c, n, None)),
        "new, joining a case": lambda c, n: post_trigger(
            trigger_body(f"{run}j", c, n, situations[(c * 7919 + n) % len(situations)])
        ),
        "replay": lambda c, n: post_trigger(trigger_body(f"{run}r", c, n % replay_set, None)),
    }

    def list_latencies() -> tuple[dict[str, dict[str, float]], int]:
        samples = paired_latencies(
            {
                "bare GET": lambda: request(port, "GET", PING, token=auditor)[0],
                "cases": lambda: request(port, "GET", CASES, token=auditor)[0],
            },
            count=args.samples,
        )
        listed = json.loads(request(port, "GET", CASES, token=auditor)[1])["count"]
        latency = {
            name: {"p50": percentile(values, 50), "p95": percentile(values, 95)}
            for name, values in samples.items()
        }
        return latency, listed

    with gunicorn(env, port=port, workers=args.workers):
        # The list first, with the seeded cases only: the condition the target names (10,000
        # cases). The throughput rounds then open thousands more, as many as opening manages,
        # and the list is measured again after them for comparison only.
        print(f"latency: {args.samples} sequential requests of each, interleaved")
        latency, listed = list_latencies()
        for client in range(args.clients):
            for n in range(replay_set):
                if post_trigger(trigger_body(f"{run}r", client, n, None)) != 201:
                    raise SystemExit("could not post the triggers to replay")
        print(
            f"throughput: {args.clients} client threads, {args.workers} gunicorn workers, "
            f"{args.rounds} alternating rounds of {args.seconds:.0f} s each"
        )
        rates = alternating_throughput(
            senders, clients=args.clients, seconds=args.seconds, rounds=args.rounds
        )
        for name, result in rates.items():
            print(f"  {name:<22} {result.per_second:8.1f} req/s  statuses {result.statuses}")
        print("CPU per request (ms) by process, over the same rounds (all of the machine's)")
        for name, result in rates.items():
            cpu = result.cpu_ms_per_request()
            parts = "  ".join(f"{group} {cpu[group]:5.2f}" for group in CPU_GROUPS if group in cpu)
            print(f"  {name:<22} {parts}  total {sum(cpu.values()):5.2f}")
        latency_after, listed_after = list_latencies()

    bare = rates["bare POST"].per_second
    ratios = {name: rates[name].per_second / bare for name in list(senders)[1:]}
    for p in ("p50", "p95"):
        ratios[f"cases {p}"] = latency["cases"][p] / latency["bare GET"][p]
        ratios[f"cases {p}, after the rounds"] = (
            latency_after["cases"][p] / latency_after["bare GET"][p]
        )

    print()
    print(machine())
    print()
    print("| measure | AIA | bare DRF | ratio | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name in list(senders)[1:]:
        floor = INGESTION_TARGETS[name]
        verdict = "met" if ratios[name] >= floor else "**missed**"
        print(
            f"| ingestion, {name} (req/s) | {rates[name].per_second:.1f} | {bare:.1f} | "
            f"{ratios[name]:.2f} | >= {floor:.2f}: {verdict} |"
        )
    for p in ("p50", "p95"):
        target = ""
        if p == "p95":
            target = "<= 3.00: " + ("met" if ratios["cases p95"] <= 3 else "**missed**")
        print(
            f"| GET /api/v1/cases/ {p} (ms) | {latency['cases'][p]:.2f} | "
            f"{latency['bare GET'][p]:.2f} | {ratios['cases ' + p]:.2f} | {target} |"
        )
    print(
        f"\n(the case list counted {listed} cases; page size 25. After the throughput rounds "
        f"it counted {listed_after}: p50 {latency_after['cases']['p50']:.2f} ms, "
        f"{ratios['cases p50, after the rounds']:.2f}x; p95 {latency_after['cases']['p95']:.2f} "
        f"ms, {ratios['cases p95, after the rounds']:.2f}x)"
    )
    if args.json:
        results = {
            "machine": machine(),
            "args": {k: v for k, v in vars(args).items() if k != "json"},
            "throughput": {
                n: {
                    "per_second": r.per_second,
                    "statuses": r.statuses,
                    "cpu_ms_per_request": r.cpu_ms_per_request(),
                }
                for n, r in rates.items()
            },
            "latency_ms": latency,
            "latency_ms_after_the_rounds": latency_after,
            "ratios": ratios,
            "cases_listed": listed,
            "cases_listed_after_the_rounds": listed_after,
        }
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
