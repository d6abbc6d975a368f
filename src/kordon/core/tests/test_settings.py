"""A node's settings come from the environment and bad values stop it at start-up, with a message
that names the variable. There is no built-in secret and debug is off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

KORDON = str(Path(sys.executable).with_name("kordon"))
GOOD_SECRET = "a-long-enough-secret-for-this-test-0123456789"


def kordon_check(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KORDON_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update({"KORDON_DATA_DIR": str(tmp_path), **environment})
    return subprocess.run(
        [KORDON, "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_node_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    result = kordon_check(tmp_path)
    assert result.returncode != 0 and "KORDON_SECRET_KEY" in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(GOOD_SECRET)
    result = kordon_check(tmp_path, KORDON_SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("environment", "words"),
    [
        ({"KORDON_SECRET_KEY": "short"}, "too short"),
        (
            {"KORDON_SECRET_KEY": GOOD_SECRET, "KORDON_DEBUG": "maybe"},
            "KORDON_DEBUG='maybe' is not a yes/no value",
        ),
        ({"KORDON_SECRET_KEY": GOOD_SECRET, "KORDON_DATABASE_URL": "mysql://x/y"}, "supports sqlite"),
        ({"KORDON_SECRET_KEY": GOOD_SECRET, "KORDON_DATABASE_URL": "nonsense"}, "KORDON_DATABASE_URL"),
        (
            {"KORDON_SECRET_KEY": GOOD_SECRET, "KORDON_SESSION_HOURS": "0"},
            "KORDON_SESSION_HOURS=0 is too small",
        ),
        ({"KORDON_SECRET_KEY": GOOD_SECRET, "KORDON_LANGUAGE": "fr"}, "KORDON_LANGUAGE='fr'"),
        ({"KORDON_SECRET_KEY_FILE": "/no/such/file"}, "cannot be read"),
    ],
)
def test_bad_values_stop_the_node_with_the_variables_name(tmp_path: Path, environment: dict[str, str],
                                                          words: str) -> None:  # fmt: skip
    result = kordon_check(tmp_path, **environment)
    assert result.returncode != 0 and words in result.stderr


def test_defaults_are_safe() -> None:
    from django.conf import settings

    assert settings.DEBUG is False
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
    assert (
        settings.PASSWORD_HASHERS and settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"
    )
    assert settings.ALLOWED_HOSTS != ["*"]


def test_postgresql_sessions_run_without_parallel_plans_and_keep_the_urls_own_options() -> None:
    from kordon.config.settings import _database

    plain = _database("postgres://kordon@db/kordon")
    assert plain["OPTIONS"] == {"options": "-c max_parallel_workers_per_gather=0"}
    own = _database("postgres://kordon@db/kordon?options=-c%20statement_timeout%3D5000&sslmode=require")
    assert own["OPTIONS"] == {
        "options": "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0",
        "sslmode": "require",
    }
