from django.core.management.base import BaseCommand, CommandError

from aia.audit import verify_case_chain
from aia.models import Case


class Command(BaseCommand):
    help = "Verify every case's hash-chained audit trail; exit non-zero on the first tampering."

    def add_arguments(self, parser):
        parser.add_argument("--case", help="Verify only the case with this reference.")

    def handle(self, *args, **options):
        cases = Case.objects.order_by("reference")
        if options["case"]:
            cases = cases.filter(reference=options["case"])
            if not cases.exists():
                raise CommandError(f"No case {options['case']}.")
        broken = []
        checked = 0
        for case in cases.iterator():
            checked += 1
            problem = verify_case_chain(case)
            if problem is None:
                self.stdout.write(f"OK      {case.reference} ({case.event_count} events)")
            else:
                broken.append(problem)
                self.stdout.write(self.style.ERROR(f"BROKEN  {problem}"))
        if broken:
            raise CommandError(
                f"Audit chain broken in {len(broken)} of {checked} cases. First broken link: "
                f"{broken[0]}"
            )
        self.stdout.write(self.style.SUCCESS(f"All {checked} audit chains hold."))
