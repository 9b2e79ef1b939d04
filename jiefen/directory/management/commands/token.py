"""`jiefen token create --username U [--name N]`: issue an API token and print it once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiefen.directory.models import Staff
from jiefen.directory.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens: `token create --username U [--name N]` prints a new token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a staff member")
        create.add_argument("--username", required=True)
        create.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, action: str, **options):
        if action == "create":
            try:
                staff = Staff.objects.get(username=options["username"])
            except Staff.DoesNotExist:
                raise CommandError(
                    _("No staff member with username %(username)s.") % {"username": options["username"]}
                ) from None
            if not staff.is_active:
                raise CommandError(
                    _("The staff member %(username)s is inactive.") % {"username": staff.username}
                )
            self.stdout.write(api_token_create(staff=staff, name=options["name"]))
