import secrets
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kordon.access.context import action_context
from kordon.core.demo import build_accounts, build_organisations


class Command(BaseCommand):
    help = (
        "Build the demo world (agencies and units of Central Asia, demo accounts, seizures 2012–2014 "
        "following UNODC figures). Safe to run again. Prints who can log in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="password for every demo account; without it new accounts get a random one (printed once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        call_command("load_reference", stdout=self.stdout)
        with action_context(client_address="cli"):
            build_organisations()
            generated = False
            accounts = build_accounts(password)
            if password is None and any(created for _account, created in accounts):
                password = secrets.token_urlsafe(12)
                generated = True
                build_accounts(password)
            for config in apps.get_app_configs():
                builder = getattr(config, "build_demo", None)
                if builder is not None:
                    for line in builder():
                        self.stdout.write(line)
        self.stdout.write("\nDemo accounts:")
        for account, _created in accounts:
            self.stdout.write(f"  {account.username:<20} {account.description}")
        if password is None:
            self.stdout.write("Passwords are unchanged; run `kordon demo --password NEW` to set them all.")
        else:
            note = " (generated: keep it, it is not shown again)" if generated else ""
            self.stdout.write(f"Password for all of them: {password}{note}")
