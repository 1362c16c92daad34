"""Verify the hash-chained audit trails in the database, optionally against anchors.

    manage.py verify_audit [--case REFERENCE] [--anchor HASH ...] [--digest FILE ...]

A chain that holds proves nothing against someone who rewrote the whole trail and its head
together; anchors do. An anchor is a chain head noted or published earlier (printed in a
signed report, say): it must still be the hash of an event on the chain. A digest is a file
``anchor_digest`` or the daily task wrote: each case's head it records must still be on that
case's chain, at the same sequence.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aia.anchors import DigestUnreadable, Head, digest_heads, head_problem
from aia.audit import verify_case_chain
from aia.models import Case


class Command(BaseCommand):
    help = (
        "Verify every case's hash-chained audit trail, and each anchor and digest given "
        "against it; exit non-zero on the first tampering."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case", help="Verify only the case with this reference.")
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="HASH",
            help="A chain head noted or published earlier, which one of the chains checked "
            "must contain (may be given more than once).",
        )
        parser.add_argument(
            "--digest",
            action="append",
            default=[],
            metavar="FILE",
            help="A chain-head digest (manage.py anchor_digest): every head it records for "
            "the cases checked must be on their chains (may be given more than once).",
        )

    def handle(self, *args, **options):
        cases = Case.objects.order_by("reference")
        if options["case"]:
            cases = cases.filter(reference=options["case"])
            if not cases.exists():
                raise CommandError(f"No case {options['case']}.")
        digests = {path: _read_digest(path) for path in options["digest"]}
        anchors = {a.strip().lower(): None for a in options["anchor"]}
        broken, checked, seen = [], 0, set()
        for case in cases.iterator():
            checked += 1
            seen.add(case.reference)
            problem = verify_case_chain(case)
            if problem is None:
                problem = _check_anchors(case, digests, anchors)
            if problem is None:
                self.stdout.write(f"OK      {case.reference} ({case.event_count} events)")
            else:
                broken.append(problem)
                self.stdout.write(self.style.ERROR(f"BROKEN  {problem}"))
        broken += self._unmatched(digests, anchors, seen, everything=not options["case"])
        if broken:
            raise CommandError(
                f"Audit chain broken in {len(broken)} of {checked} cases. First broken link: "
                f"{broken[0]}"
            )
        self._report_anchors(digests, anchors)
        self.stdout.write(self.style.SUCCESS(f"All {checked} audit chains hold."))

    def _unmatched(self, digests, anchors, seen, *, everything: bool) -> list[str]:
        """Anchors no chain checked holds, and (checking every case) cases a digest records
        that the database no longer has."""
        problems = [
            f"anchor {anchor}: no event of the audit trails checked has this hash (a trail "
            "was rewritten, or the anchor is from another case)"
            for anchor, found in anchors.items()
            if found is None
        ]
        if everything:
            problems += [
                f"{reference}: digest {path}: the case is missing from the database"
                for path, heads in digests.items()
                for reference in heads
                if reference not in seen
            ]
        for problem in problems:
            self.stdout.write(self.style.ERROR(f"BROKEN  {problem}"))
        return problems

    def _report_anchors(self, digests, anchors) -> None:
        for path, heads in digests.items():
            self.stdout.write(f"OK      digest {path}: {len(heads)} heads on their chains")
        for anchor, found in anchors.items():
            self.stdout.write(f"OK      anchor {anchor}: {found}")


def _read_digest(path: str) -> dict[str, Head]:
    try:
        return digest_heads(Path(path).read_bytes())
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
    except DigestUnreadable as error:
        raise CommandError(f"Cannot read {path}: {error}") from error


def _check_anchors(case: Case, digests: dict, anchors: dict) -> str | None:
    """Return how the case's chain (which holds) fails a digest's head for it, or ``None``;
    note in ``anchors`` each anchor the chain holds."""
    if not digests and not anchors:
        return None
    hashes = dict(case.events.values_list("sequence", "hash"))
    for path, heads in digests.items():
        head = heads.get(case.reference)
        problem = head_problem(head, hashes) if head else None
        if problem:
            return f"{case.reference}: digest {path}: {problem}"
    by_hash = {h: sequence for sequence, h in hashes.items()}
    for anchor in anchors:
        if anchor in by_hash and anchors[anchor] is None:
            anchors[anchor] = f"{case.reference} event #{by_hash[anchor]}"
    return None
