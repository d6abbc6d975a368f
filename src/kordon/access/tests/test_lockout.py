"""Password guessing stops: after five failed log-ins a user name is locked out, on the page and
for API tokens, with a message that says so; a successful log-in before that starts the count
again; the lockout ends when its window has passed."""

from typing import Any

from django.test import Client, override_settings

from kordon.access.models import AuditEntry
from kordon.access.tokens import token_issue
from kordon.conftest import PASSWORD


def log_in(client: Client, password: str) -> Any:
    return client.post("/login/", {"username": "kg.analyst", "password": password})


def test_five_failed_log_ins_lock_a_user_name_out(world: Any) -> None:
    client = Client()
    for _attempt in range(4):
        assert log_in(client, "guess").status_code == 200  # the form again, with its error
    assert log_in(client, PASSWORD).status_code == 302  # four failures: still in
    client.post("/logout/")
    for _attempt in range(5):
        log_in(client, "guess")
    refused = log_in(client, PASSWORD)
    assert refused.status_code == 200
    assert "Too many failed log-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert token_issue(request=None, username="kg.analyst", password=PASSWORD) is None  # the API too
    assert AuditEntry.objects.filter(action="login_failed", object_repr="kg.analyst").count() >= 6
    # Other user names are not touched.
    assert token_issue(request=None, username="kg.blo.dostuk", password=PASSWORD) is not None
    with override_settings(KORDON_LOCKOUT_MINUTES=0):  # the window has passed
        assert log_in(Client(), PASSWORD).status_code == 302
