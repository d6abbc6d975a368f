"""Typed readers for the environment variables that configure a Kordon node.

Every reader fails fast with ImproperlyConfigured naming the variable and what is wrong,
so a node with a typo in its configuration refuses to start instead of running unsafely.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """A string from the environment; with no default the variable is required."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value; use true or false.")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small; the minimum is {minimum}.")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env_str(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from NAME or from the file named by NAME_FILE; there is never a default.

    Reading from a file keeps the secret out of process listings and shell history.
    """
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value and file_name:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {error}.") from None
    if not value:
        raise ImproperlyConfigured(
            f"Set {name} (or {name}_FILE) to a long random value; "
            f"`make run` creates one in var/secret_key for a local node."
        )
    if len(value) < 32:
        raise ImproperlyConfigured(f"{name} is too short; use at least 32 random characters.")
    return value
