"""Spellings of one name across the region's scripts and transliteration schemes meet in one
skeleton; different names do not; patronymics, initials, titles and passport zones are told apart."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kordon.entities.names import father, latin, parse, skeleton


def surname_key(text: str) -> str:
    return parse(text).skeletons[0]


@pytest.mark.parametrize(
    "spellings",
    [
        # The courier: Kyrgyz record, passport zone, Uzbek record, Russian transit report.
        ["Султанов", "SULTANOV", "Sultonov", "Soultanov"],
        # Х: KH (Russian schemes), H (Uzbek, Tajik Ҳ), X (Uzbek Latin).
        ["Хасанов", "Ҳасанов", "Khasanov", "Hasanov", "Xasanov"],
        # Ж: ZH, J (Uzbek and Kazakh Latin), DZH.
        ["Жумабаев", "Zhumabaev", "Jumabayev", "Djumabaev", "Dzhumabaev"],
        # Ғ: G', Gʻ (Uzbek), GH, G.
        ["Ғуломов", "Gʻulomov", "G'ulomov", "Ghulomov", "Gulomov"],
        # Қ in Kazakh Cyrillic against Russian Cyrillic, Q against K.
        ["Тоқаев", "Токаев", "Toqaev", "Tokayev"],
        # Ю and Я: ICAO's IU and IA against the older YU and YA.
        ["Юлия", "Iuliia", "Yuliya", "Yulia"],
        # Ў: U against Oʻ, and Ҷ: J against DZH.
        ["Ўткир", "Utkir", "Oʻtkir", "O'tkir"],
        ["Ҷамшед", "Jamshed", "Dzhamshed"],
    ],
)
def test_spellings_of_one_name_share_a_skeleton(spellings: list[str]) -> None:
    assert len({surname_key(spelling) for spelling in spellings}) == 1, {s: surname_key(s) for s in spellings}


@pytest.mark.parametrize(
    ("first", "second"),
    [("Султанов", "Салтыков"), ("Хасанов", "Хусаинов"), ("Алимбай", "Алибек"), ("Karimov", "Kamalov")],
)
def test_different_names_have_different_skeletons(first: str, second: str) -> None:
    assert surname_key(first) != surname_key(second)


def test_kazakh_kyrgyz_tajik_and_uzbek_letters_become_latin() -> None:
    assert latin("Жумабаев Нұрлан") == "zhumabaev nurlan"
    assert latin("Ғуломов Ўткир") == "ghulomov utkir"
    assert latin("Ҷамшед Ҳасанов") == "jamshed hasanov"
    assert latin("Өмүрбеков Әлішер") == "omurbekov alisher"
    assert skeleton("sultonov") == skeleton("sultanov") == "sultanav"


def test_a_passport_zone_gives_surname_then_given_names() -> None:
    name = parse("SULTANOV<<ALIMBAI<KARIMOVICH<<<<<<")
    assert name.names == ("sultanov", "alimbai")
    assert name.patronymic == "karimovich"


@pytest.mark.parametrize(
    ("written", "names", "patronymic"),
    [
        ("Султанов Алимбай Каримович", ("sultanov", "alimbay"), "karimovich"),
        ("Тоқаев Қасым-Жомарт Кемелұлы", ("toqaev", "qasym", "zhomart"), "kemeluly"),
        ("Асанов Бакыт Карим уулу", ("asanov", "bakyt"), "karim uulu"),
        ("Rashidov Sherzod Karim o'g'li", ("rashidov", "sherzod"), "karim ugli"),
        ("Нурланова Айгуль Кайратовна", ("nurlanova", "aygul"), "kayratovna"),
        # A surname that looks like a patronymic is a surname when it comes first.
        ("Абрамович Роман", ("abramovich", "roman"), ""),
    ],
)
def test_patronymics_are_told_apart_in_slavic_and_turkic_forms(
    written: str, names: tuple[str, ...], patronymic: str
) -> None:
    parsed = parse(written)
    assert (parsed.names, parsed.patronymic) == (names, patronymic)


def test_initials_and_titles() -> None:
    assert parse("Soultanov A.").names == ("soultanov",)
    assert parse("Soultanov A.").initials == ("a",)
    assert parse("Hajji Mullah Abdul Rahman").names == ("abdul", "rahman")
    # Хусейн as "Kh.": an initial of two Latin letters.
    assert parse("KHAKIMOV KH.").initials == ("kh",)


# ICAO Doc 9303 (machine-readable passports), restated here for Russian letters: an independent
# transliteration to check the skeleton against.
ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip


@given(st.text(alphabet="".join(ICAO), min_size=1, max_size=12))
def test_a_russian_name_and_its_passport_spelling_share_a_skeleton(word: str) -> None:
    """Whatever the letters, the skeleton of a Cyrillic word is that of its ICAO spelling in a
    passport (the index holds one, the query brings the other)."""
    passport = "".join(ICAO[letter] for letter in word)
    assert parse(word).skeletons == parse(passport).skeletons


@pytest.mark.parametrize(
    "patronymic", ["karimovich", "karim uulu", "karimuly", "karimovna", "karim ugli", "karimovitch"]
)
def test_the_fathers_name_in_every_form_of_patronymic(patronymic: str) -> None:
    assert father(patronymic) == skeleton("karim")
    assert father("bakytovich") != father(patronymic)


def test_turkmen_given_names_in_guly_are_not_patronymics() -> None:
    assert parse("BERDYMUKHAMEDOV GURBANGULY").names == ("berdymukhamedov", "gurbanguly")
    assert parse("Бердымухамедов Гурбангулы Мяликгулыевич").patronymic == "myalikgulyevich"
    assert parse("Токаев Касым-Жомарт Кемелулы").patronymic == "kemeluly"
