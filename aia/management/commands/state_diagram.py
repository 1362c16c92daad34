from django.core.management.base import BaseCommand

from aia.workflow import mermaid_diagram


class Command(BaseCommand):
    help = "Print the case state machine as a Mermaid diagram, from the live definition."

    def handle(self, *args, **options):
        self.stdout.write(mermaid_diagram())
