"""The log-in form: Django's, saying so when a user name is locked out rather than calling the
password wrong."""

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kordon.access.lockout import locked_out


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed log-ins for this user name. Wait %(minutes)s minutes and try again, "
            "or ask your administrator."
        ),
    }

    locked = False  # the page says why it refuses

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and locked_out(username):
            self.locked = True
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.KORDON_LOCKOUT_MINUTES},
            )
        return super().clean()
