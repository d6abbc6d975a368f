"""Settings for the test suite: the node's real settings with a throwaway secret and fast hashing."""

import os
import tempfile

os.environ.setdefault("KORDON_SECRET_KEY", "test-only-secret-key-not-for-any-real-node-0123456789")
os.environ.setdefault("KORDON_DATA_DIR", tempfile.mkdtemp(prefix="kordon-test-"))

from kordon.config.settings import *  # noqa: F403

# Tests read and assert English text unless they switch language on purpose.
LANGUAGE_CODE = "en"
# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps and node_modules, as collectstatic would, for the
# browser tests' live server.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Most tests log in as supervisors by password alone; the two-factor tests
# (kordon/access/tests/test_two_factor.py) switch the node's real default back on.
KORDON_TWO_FACTOR = "optional"
