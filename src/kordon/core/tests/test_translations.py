"""Every language the node offers is complete: every string people read is marked for translation,
the Russian catalogue translates all of them, every other catalogue translates exactly the same
messages with Django's plural rules for its language, and each compiled catalogue matches its
source."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUE = PACKAGE / "locale" / "ru" / "LC_MESSAGES" / "django.po"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
REGIONAL = [code for code in TRANSLATED if code != "ru"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")


def catalogue(code: str) -> Path:
    return PACKAGE / "locale" / code / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalogue_is_complete_and_keeps_placeholders(code: str) -> None:
    entries = polib.pofile(str(catalogue(code)))
    assert entries.untranslated_entries() == []
    assert entries.fuzzy_entries() == []
    for entry in entries:
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for translation in translations:
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )


@pytest.mark.parametrize("code", REGIONAL)
def test_each_catalogue_translates_exactly_the_russian_ones_messages(code: str) -> None:
    """The Russian catalogue is checked against the source below; the others follow it, with the
    plural rules Django itself uses for the language."""
    russian = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(CATALOGUE))}
    entries = polib.pofile(str(catalogue(code)))
    assert {(entry.msgctxt, entry.msgid) for entry in entries} == russian
    django_catalogue = Path(django.__file__).parent / "conf" / "locale" / code / "LC_MESSAGES" / "django.po"
    expected_plurals = polib.pofile(str(django_catalogue)).metadata["Plural-Forms"].replace(" ", "")
    assert entries.metadata["Plural-Forms"].replace(" ", "") == expected_plurals


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(code: str) -> None:
    source = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0)
              for entry in polib.pofile(str(catalogue(code)))}  # fmt: skip
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0)
                for entry in polib.mofile(str(catalogue(code).with_suffix(".mo"))) if entry.msgid}  # fmt: skip
    assert compiled == {key: value for key, value in source.items() if key[1]}, "run `make messages`"


def test_no_string_is_missing_from_the_catalogue(tmp_path: Path) -> None:
    """Extract the strings again (GNU gettext) and compare with the committed catalogue."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed for this test: apt-get install gettext")
    copy = tmp_path / "kordon"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo"))
    kordon = str(Path(sys.executable).with_name("kordon"))
    subprocess.run(
        [kordon, "makemessages", "-l", "ru", "--no-obsolete", "--ignore", "conftest.py", "--ignore", "*/migrations/*"],
        cwd=copy, check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    extracted = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in extracted.untranslated_entries() + extracted.fuzzy_entries()]
    assert missing == [], "new text is not translated; run `make messages` and translate it"
