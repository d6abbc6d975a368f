"""Names of persons as the region's records write them, brought to forms that can be compared.

The same courier is "Султанов Алимбай Каримович" in a Kyrgyz record, "SULTANOV<<ALIMBAI" in his
passport's machine-readable zone, "Sultonov Alimboy Karimovich" in an Uzbek one and "Soultanov
A." in a Russian transit report. Every script is first written in Latin letters (`anyascii`,
which knows the Kazakh, Kyrgyz, Tajik and Uzbek letters: Ғ, Қ, Ң, Ҳ, Ҷ, Ў, Ө, Ү, Ұ, Ә), then
folded to a *skeleton* on which the transliteration schemes agree: Kh, H and X (Х) are one
letter, so are Zh, J and Dzh (Ж, Дж), Q and K (Қ), Gh, G' and G (Ғ), Yu and Iu (Ю), Ya and Ia
(Я), Y and I (Й, Ы); O falls in with A and E with I, the vowels Russian and Uzbek spellings swap
(Sultanov / Sultonov). Patronymics (Slavic -ovich/-ovna and the Turkic uulu,
kyzy, uly, qizi, o'g'li), initials and honorifics are told apart from the other names, so that
a comparison can weigh them as they deserve.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii

# Words that are a title, not a name (Latin, after transliteration).
HONORIFICS = frozenset(
    [
        "haji",
        "hajji",
        "hadji",
        "alhaj",
        "mullah",
        "mulla",
        "mullo",
        "sayed",
        "sayyid",
        "syed",
        "sheikh",
        "shaykh",
        "mr",
        "mrs",
        "ms",
        "dr",
        "gospodin",
        "gospozha",
        "janob",
        "khonim",
        "hon",
    ]
)
# A patronymic written as a separate word after the father's name (Kyrgyz "Karim uulu", Uzbek
# "Karim o'g'li", Kazakh "Karim uly"): the word and the name before it are the patronymic.
PATRONYMIC_WORDS = frozenset(
    ["uulu", "uly", "uli", "ulu", "kyzy", "kizi", "qizi", "gizi", "ogli", "ugli", "oghli", "ughli"]
)
# A patronymic in one word: Russian and the region's Russian-style forms, Kazakh -uly/-kyzy.
# Not a bare -ich: German names end so too (Friedrich, Heinrich).
PATRONYMIC_ENDINGS = (
    "ovich", "evich", "ovitch", "evitch", "ovych", "evych", "ovna", "evna", "ichna",
    "uly", "uli", "ulu", "kyzy", "kizi", "qizi", "ogli", "ugli", "oglu",
)  # fmt: skip
# Turkmen and Uzbek given names that end like a Kazakh patronymic: Gurbanguly, Annaguly, Berdiquli.
GIVEN_NAME_ENDINGS = ("guly", "gulu", "kuly", "quli", "qulu", "kuli")
# Initials of names that start with a digraph in Latin ("Khakimov Kh." for Хусейн).
DIGRAPH_INITIALS = frozenset(["kh", "zh", "sh", "ch", "dj", "dzh", "ts"])
# Digits typed for the letters they look like ("Ig0r Sech1n"); names have no digits of their own.
LOOKALIKE_DIGITS = str.maketrans("01345789", "oieastbg")
# Digraphs the schemes write differently for one sound, longest first (applied left to right,
# after Y has become I).
FOLDS = (
    ("shch", "s"), ("sch", "s"), ("dzh", "j"), ("zh", "j"), ("dj", "j"), ("kh", "h"), ("gh", "g"),
    ("tch", "c"), ("ch", "c"), ("sh", "s"), ("ts", "s"), ("tc", "s"), ("ou", "u"), ("iu", "u"), ("ia", "a"),
    ("ie", "e"), ("io", "o"), ("x", "h"), ("q", "k"), ("w", "v"),
)  # fmt: skip
# Vowels in the classes the languages swap (Russian A for Uzbek O: Sultanov, Sultonov; E for I).
VOWEL_CLASSES = str.maketrans({"o": "a", "e": "i"})
_FOLD = re.compile("|".join(re.escape(old) for old, _new in FOLDS))
_FOLDED = dict(FOLDS)
_REPEATED = re.compile(r"(.)\1+")
_SPLIT = re.compile(r"[^a-z0-9]+")


def latin(text: str) -> str:
    """`text` in lower-case Latin letters, from any script."""
    return anyascii(unicodedata.normalize("NFC", text)).lower()


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The form of one Latin word that its spellings across schemes and languages share:
    "sultanov", "sultonov", "soultanov" → "sultanav"; "zhumabaev", "jumabayev" → "jumabaiv";
    "iuliia", "yuliya", "yulia" → "ula". Y is I, doubled letters are one, the digraphs of one
    sound are one letter (FOLDS), and O and E fall in with A and I."""
    word = _REPEATED.sub(r"\1", word.replace("y", "i"))
    folded = _FOLD.sub(lambda found: _FOLDED[found.group(0)], word)
    return _REPEATED.sub(r"\1", folded.translate(VOWEL_CLASSES))


@dataclass(frozen=True)
class PersonName:
    """A person's name taken apart: the names (surname, given names, in the order written),
    initials, and the patronymic if one was recognised; all in lower-case Latin."""

    names: tuple[str, ...]
    initials: tuple[str, ...] = ()
    patronymic: str = ""
    original: str = field(default="", compare=False)

    @property
    def skeletons(self) -> tuple[str, ...]:
        return tuple(skeleton(name) for name in self.names)


def _is_patronymic(word: str) -> bool:
    return len(word) > 5 and word.endswith(PATRONYMIC_ENDINGS) and not word.endswith(GIVEN_NAME_ENDINGS)


@lru_cache(maxsize=200_000)
def parse(text: str) -> PersonName:
    """A name as written in a record, a list or a passport's machine-readable zone
    ("SULTANOV<<ALIMBAI", surname first, given names after the double chevron)."""
    written = text.replace("<<", " ").replace("<", " ") if "<" in text else text
    # Uzbek Latin writes Ў as Oʻ (anyascii: o`) and Ғ as Gʻ; other apostrophes (a hard sign in some
    # schemes) are dropped.
    written = latin(written).replace("o`", "u").replace("o'", "u").replace("`", "").replace("'", "")
    words = _SPLIT.split(written.translate(LOOKALIKE_DIGITS))
    words = [word for word in words if word and word not in HONORIFICS]
    names: list[str] = []
    initials: list[str] = []
    patronymic = ""
    for word in words:
        if word in PATRONYMIC_WORDS and names:
            # "Karim uulu": the father's name before the word is the patronymic.
            patronymic = f"{names.pop()} {word}"
        elif (len(word) == 1 and word.isalpha()) or word in DIGRAPH_INITIALS:
            initials.append(word)
        elif not patronymic and _is_patronymic(word) and names:
            patronymic = word
        else:
            names.append(word)
    return PersonName(tuple(names), tuple(initials), patronymic, original=text)


def father(patronymic: str) -> str:
    """The skeleton of the father's name in a patronymic, whatever its form: "karimovich",
    "karim uulu" and "karimuly" all give that of "karim"."""
    word = patronymic.split()[0] if patronymic else ""
    for ending in sorted(PATRONYMIC_ENDINGS, key=len, reverse=True):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return skeleton(word.removesuffix(ending))
    return skeleton(word)
