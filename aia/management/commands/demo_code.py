import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from aia.demo.seed import seeding_refusal_reason
from aia.models import User
from aia.services.second_factor import second_factor_device


class Command(BaseCommand):
    help = (
        "Print the one-time code a demo user's authenticator app would show now, so the demo "
        "can be tried without a phone. Refused wherever seed_demo is (production settings)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        reason = seeding_refusal_reason()
        if reason:
            raise CommandError(reason.replace("seed_demo", "demo_code"))
        user = User.objects.filter(username=username).first()
        device = second_factor_device(user) if user else None
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = time.time()
        totp.time = now
        left = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(valid for {left} more seconds, and the 30 seconds either side)")
