"""Writes to users' own settings."""

from typing import Any

from django.conf import settings
from django.db import transaction

from kordon.access.audit import UPDATE, audit_log


@transaction.atomic
def user_set_language(*, actor: Any, language: str) -> None:
    """Remember the interface language a user chose, for every device they log in from."""
    if language not in dict(settings.LANGUAGES):
        return
    before = actor.language
    actor.language = language
    actor.save(update_fields=["language"])
    audit_log(
        actor=actor, action=UPDATE, instance=actor, before={"language": before}, after={"language": language}
    )
