"""`jiefen otp-add USERNAME [--confirm CODE]`: set up an authenticator app (TOTP) for a staff member.

Without --confirm: a new, unconfirmed device; its otpauth:// address is printed once, to be
entered into the authenticator app (or turned into a QR code). With --confirm CODE: the code the
app shows confirms the device; from then on that staff member's logins need a code.
"""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiefen.directory.models import Staff


class Command(BaseCommand):
    help = "Set up (or, with --confirm CODE, confirm) an authenticator app for a staff member."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--confirm", metavar="CODE", help="the code the app shows now")

    def handle(self, *args, username: str, confirm: str | None = None, **options):
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            raise CommandError(f"no staff member {username}")
        if confirm:
            device = TOTPDevice.objects.filter(user=staff, confirmed=False).order_by("-pk").first()
            if device is None:
                raise CommandError("no device waiting for confirmation: run otp-add without --confirm first")
            if not device.verify_token(confirm.strip()):
                raise CommandError("the code does not match: check the app's clock and try again")
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            self.stdout.write(f"confirmed: {username} now logs in with a code from the app")
            return
        TOTPDevice.objects.filter(user=staff, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=False)
        self.stdout.write(device.config_url)
        self.stdout.write(f"Enter this in the app, then: jiefen otp-add {username} --confirm CODE")
