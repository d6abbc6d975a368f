from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access import two_factor
from kordon.access.context import action_context
from kordon.core.models import User


class Command(BaseCommand):
    help = (
        "Two-factor log-in. `kordon twofactor reset USERNAME` removes a user's authenticator (a lost "
        "phone); they set up a new one at their next log-in. For when no administrator can log in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        reset = verbs.add_parser("reset", help="remove a user's authenticator app")
        reset.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}. Check the spelling.")
        with action_context(client_address="cli"):
            removed = two_factor.reset(actor=None, user=user, actor_name="server console")
        if removed:
            self.stdout.write(
                f"Two-factor log-in reset for {user.username}: they set up their app again at the next log-in."
            )
        else:
            self.stdout.write(f"{user.username} had no authenticator app; nothing to reset.")
