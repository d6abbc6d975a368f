"""Generated Central Asian identities for the person scorer (issue 5): how often it finds the same
person written differently, and how often it takes two people for one.

Identities are drawn from name pools of the five countries and Russia (Cyrillic, with the
Kazakh, Kyrgyz, Tajik and Uzbek letters) and of Afghanistan (Latin, as Afghan lists romanise).
Each is then written as a record would write it: in Cyrillic, or in Latin by one of several
schemes (ICAO 9303 as in passports since 2013, the older Russian passport scheme, Uzbek Latin,
a French-style spelling), with the errors the reference names: day and month swapped, one digit
off, the year only, a document number with one character wrong or two swapped, or another document altogether, the patronymic
in another form or left out, the given name as an initial, the order of names changed.

Positive pairs are two writings of one identity; negative pairs are two identities of the same
country, half of them with the same surname (the hard case of a list of a million). Seeded: the
same figures every run.

    python -m bench.identities [pairs]
"""

import itertools
import json
import os
import random
import sys
from dataclasses import dataclass

# A few names each country's records are full of, then many more made the way the region makes
# names: a root and an ending (Нур + бек, Жам + шид), so that a list of a million holds many
# namesakes, as real lists do, but not a million of them.
COMMON_GIVEN = {
    "KG": ["Алимбай", "Бакыт", "Нурлан", "Азамат", "Эрлан", "Кубанычбек", "Жыргалбек", "Улан", "Мирлан", "Айбек"],
    "KZ": ["Нұрлан", "Қасым", "Ерлан", "Асқар", "Бауыржан", "Дәурен", "Жандос", "Айдос", "Ғалым", "Серік"],
    "UZ": ["Ўткир", "Шерзод", "Жамшид", "Бахтиёр", "Улуғбек", "Дилшод", "Ғайрат", "Фаррух", "Ҳасан", "Отабек"],
    "TJ": ["Ҷамшед", "Фирдавс", "Исмоил", "Далер", "Меҳрубон", "Ҳусейн", "Акмал", "Саидҷон", "Бахтовар", "Рустам"],
    "TM": ["Мердан", "Ыхлас", "Батыр", "Довлет", "Ашыр", "Чары", "Гурбан", "Мекан", "Сапар", "Атамырат"],
    "RU": ["Сергей", "Алексей", "Юрий", "Дмитрий", "Андрей", "Николай", "Евгений", "Илья", "Фёдор", "Михаил"],
    "AF": ["Abdul Rahman", "Mohammad Nabi", "Gul Agha", "Janan", "Abdul Hai", "Noor Ahmad", "Zabihullah",
           "Sayed Jalal", "Mullah Omar", "Hekmatullah"],
}  # fmt: skip
ROOTS = {
    "KG": (["Алым", "Бакыт", "Нур", "Эр", "Ай", "Кубаныч", "Жыргал", "Мир", "Азам", "Тилек", "Куван", "Таалай",
            "Мелис", "Асыл", "Темир", "Жолдош", "Канат", "Эсен", "Абды", "Сыймык", "Мурат", "Жаныш", "Аскар", "Бол"],
           ["бек", "бай", "жан", "лан", "", "бол"]),
    "KZ": (["Нұр", "Қасым", "Ер", "Асқар", "Бауыр", "Дәу", "Жан", "Ай", "Ғали", "Сер", "Қайрат", "Дос", "Марат",
            "Болат", "Талғат", "Әділ", "Берік", "Өмір", "Ұлан", "Есен", "Арман", "Нұржан", "Мейір", "Ақ"],
           ["бек", "хан", "жан", "болат", "", "ғали"]),
    "UZ": (["Ўткир", "Шер", "Жам", "Бахти", "Улуғ", "Дил", "Ғайрат", "Фар", "Ҳасан", "Ота", "Азиз", "Жавлон",
            "Нодир", "Санжар", "Тоҳир", "Шуҳрат", "Элёр", "Зафар", "Исмоил", "Рустам", "Баҳодир", "Мансур"],
           ["бек", "жон", "", "зод", "шер", "қул"]),
    "TJ": (["Ҷамшед", "Фирдавс", "Исмоил", "Далер", "Меҳр", "Ҳусейн", "Акмал", "Саид", "Бахт", "Рустам", "Фаррух",
            "Сино", "Шоҳ", "Зоҳир", "Умед", "Парвиз", "Нозим", "Ҳоким", "Сафар", "Ғафур", "Қодир", "Ашӯр"],
           ["ҷон", "", "шо", "мурод", "улло", "бек"]),
    "TM": (["Мердан", "Ыхлас", "Батыр", "Довлет", "Ашыр", "Чары", "Гурбан", "Мекан", "Сапар", "Ата", "Берди",
            "Аман", "Мырат", "Ораз", "Хыдыр", "Өвез", "Язмурат", "Нуры", "Кака", "Бегенч"],
           ["", "гулы", "берди", "мырат", "жан"]),
    "RU": (["Сергей", "Алексей", "Юрий", "Дмитрий", "Андрей", "Николай", "Евгений", "Илья", "Фёдор", "Михаил",
            "Иван", "Пётр", "Павел", "Олег", "Игорь", "Виктор", "Владимир", "Григорий", "Константин", "Роман",
            "Степан", "Тимофей", "Вадим", "Артём", "Кирилл", "Максим", "Денис", "Антон", "Борис", "Глеб"], [""]),
    "AF": (["Abdul", "Mohammad", "Gul", "Noor", "Sayed", "Hekmat", "Zabih", "Ahmad", "Khan", "Jan", "Wali", "Aziz"],
           [" Rahman", " Nabi", " Agha", " Hai", "ullah", " Jalal", " Wali", " Rahim", " Karim", " Shah"]),
}  # fmt: skip
# How each country makes a surname from a name (Нурбек → Нурбеков, Фирдавс → Фирдавсзода).
SURNAME_ENDINGS = {"KG": ["ов", "баев", "уулу"], "KZ": ["ов", "баев", "ұлы"], "UZ": ["ов", "бойев"],
                   "TJ": ["ов", "зода", "ӣ"], "TM": ["ов", "гелдиев"], "RU": [], "AF": []}  # fmt: skip
# Russian surnames from a root (a trade, an animal, a trait) and an ending.
RUSSIAN_ROOTS = ["Волк", "Медведев", "Сокол", "Гончар", "Плотник", "Рыбак", "Бондар", "Ткач", "Коваль", "Мельник",
                 "Кузьм", "Журавл", "Снегир", "Грач", "Ворон", "Скворц", "Бобр", "Барсук", "Лис", "Зайч", "Дуб",
                 "Берез", "Калин", "Малин", "Рябин", "Камен", "Железн", "Серебрян", "Золотар", "Быстр", "Тих",
                 "Смел", "Добр", "Молчан", "Весел", "Громов", "Светл", "Чёрн", "Бел", "Рыж", "Лысен", "Толст",
                 "Сухан", "Мокр", "Горбун", "Кривош", "Пахом", "Прохор", "Селиван", "Евдоким"]  # fmt: skip
COMMON_SURNAMES = {
    "KG": ["Султанов", "Асанов", "Токтогулов", "Жумабаев", "Осмонов", "Абдыкалыков", "Исаков", "Мамытов"],
    "KZ": ["Тоқаев", "Жұмабаев", "Нұрланов", "Сәрсенбаев", "Әбдіров", "Қасымов", "Есенов", "Оспанов"],
    "UZ": ["Ғуломов", "Раҳимов", "Хўжаев", "Тошматов", "Юсупов", "Каримов", "Усмонов", "Шукуров"],
    "TJ": ["Раҳмонов", "Ҷӯраев", "Назарзода", "Шарипов", "Ҳакимов", "Саидов", "Каримзода", "Бобоев"],
    "TM": ["Бердымухамедов", "Атаев", "Овезов", "Гурбанов", "Мырадов", "Хыдыров", "Чарыев", "Аманов"],
    "RU": ["Иванов", "Щеглов", "Кузнецов", "Юдин", "Хабаров", "Жуков", "Чернышёв", "Яковлев", "Смирнов", "Попов",
           "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Петров", "Волков", "Соловьёв", "Васильев",
           "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов",
           "Беляев", "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин",
           "Гусев", "Титов", "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Алексеев", "Степанов", "Яковлев",
           "Сорокин", "Сергеев", "Романов", "Захаров", "Борисов", "Королёв", "Герасимов", "Пономарёв", "Григорьев",
           "Лазарев", "Медведев", "Ершов", "Никитин", "Соболев", "Рябов", "Поляков", "Цветков", "Данилов"],
    "AF": ["Ahmadzai", "Popal", "Noorzai", "Achakzai", "Haqqani", "Karzai", "Akhundzada", "Barakzai", "Alokozai",
           "Ishaqzai", "Kakar", "Mohmand", "Safi", "Shinwari", "Stanikzai", "Wardak", "Zadran", "Mangal", "Hotak",
           "Tokhi", "Sultani", "Rahimi", "Karimi", "Amiri", "Hashimi", "Sadat", "Naseri", "Azizi", "Hakimi"],
}  # fmt: skip


def _given(country: str) -> list[str]:
    roots, endings = ROOTS[country]
    made = [root + ending for root in roots for ending in endings if ending or len(root) > 3]
    return list(dict.fromkeys([*COMMON_GIVEN[country], *made]))


def _surnames(country: str) -> list[str]:
    made = []
    for name in _given(country):
        base = name.split()[0].rstrip("йь")
        made += [base + ending if ending != "уулу" else base + "уулу" for ending in SURNAME_ENDINGS[country]]
    if country == "RU":
        made = [root + ending for root in RUSSIAN_ROOTS for ending in ("ов", "ин", "ский")]
    return list(dict.fromkeys([*COMMON_SURNAMES[country], *made]))


GIVEN = {country: _given(country) for country in COMMON_GIVEN}
SURNAMES = {country: _surnames(country) for country in COMMON_SURNAMES}


_RANK_WEIGHTS: dict[int, list[float]] = {}


def _zipf(names: list[str], rng: random.Random) -> str:
    """A name drawn as the region's names are spread: the common ones (first in each pool) far
    more often, each in proportion to 1 / (rank + 5), so that the most common surname is about 4 %
    of a country's people, as the commonest are in the region, not half of them."""
    weights = _RANK_WEIGHTS.get(len(names))
    if weights is None:
        weights = _RANK_WEIGHTS.setdefault(
            len(names), list(itertools.accumulate(1 / (rank + 5) for rank in range(len(names))))
        )
    return rng.choices(names, cum_weights=weights)[0]


# Latin schemes as records write Russian-alphabet names (the region's letters first).
SCHEMES = {
    "icao": {"ғ": "g", "қ": "k", "ң": "n", "ҳ": "kh", "ҷ": "dzh", "ў": "u", "ө": "o", "ү": "u", "ұ": "u", "ә": "a",
             "і": "i", "ӯ": "u", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "й": "i",
             "ы": "y", "ю": "iu", "я": "ia", "ё": "e", "э": "e", "ъ": "ie", "ь": ""},
    "old_passport": {"ғ": "g", "қ": "k", "ң": "n", "ҳ": "kh", "ҷ": "dj", "ў": "u", "ө": "o", "ү": "u", "ұ": "u",
                     "ә": "a", "і": "i", "ӯ": "u", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
                     "й": "y", "ы": "y", "ю": "yu", "я": "ya", "ё": "yo", "э": "e", "ъ": "", "ь": ""},
    "uzbek_latin": {"ғ": "gʻ", "қ": "q", "ң": "ng", "ҳ": "h", "ҷ": "j", "ў": "oʻ", "ө": "o", "ү": "u", "ұ": "u",
                    "ә": "a", "і": "i", "ӯ": "u", "ж": "j", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
                    "й": "y", "ы": "i", "ю": "yu", "я": "ya", "ё": "yo", "э": "e", "ъ": "ʼ", "ь": ""},
    "french": {"ғ": "gh", "қ": "k", "ң": "n", "ҳ": "kh", "ҷ": "dj", "ў": "ou", "ө": "o", "ү": "ou", "ұ": "ou",
               "ә": "a", "і": "i", "ӯ": "ou", "ж": "j", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch",
               "й": "i", "ы": "y", "ю": "iou", "я": "ia", "ё": "io", "э": "e", "ъ": "", "ь": "", "у": "ou"},
}  # fmt: skip
PLAIN = dict(zip("абвгдезиклмнопрстуф", "abvgdeziklmnoprstuf", strict=True))


@dataclass(frozen=True)
class Identity:
    country: str
    surname: str
    given: str
    father: str
    birth_date: str
    document: str
    gender: str = "male"


def romanise(text: str, scheme: str) -> str:
    table = SCHEMES[scheme]
    out = []
    for letter in text:
        lower = letter.lower()
        written = table.get(lower, PLAIN.get(lower, lower))
        out.append(written.capitalize() if letter.isupper() else written)
    return "".join(out)


def identity(rng: random.Random, country: str, surname: str | None = None) -> Identity:
    year, month, day = rng.randint(1955, 2002), rng.randint(1, 12), rng.randint(1, 28)
    letters = "".join(rng.choice("ABCEKMNPTX") for _ in range(2))
    return Identity(
        country=country,
        surname=surname or _zipf(SURNAMES[country], rng),
        given=_zipf(GIVEN[country], rng),
        father=_zipf(GIVEN[country], rng).split()[0],
        birth_date=f"{year}-{month:02}-{day:02}",
        document=f"{letters}{rng.randint(1000000, 9999999)}",
    )


def _patronymic(person: Identity, rng: random.Random) -> str:
    if person.country == "AF" or rng.random() < 0.3:
        return ""
    father = person.father
    return {
        "KG": rng.choice([f"{father} уулу", f"{father}ович"]),
        "KZ": rng.choice([f"{father}ұлы", f"{father}ович"]),
        "UZ": rng.choice([f"{father} ўғли", f"{father}ович"]),
        "TJ": f"{father}ович",
        "TM": f"{father}ович",
        "RU": f"{father.removesuffix('й')}евич" if father.endswith("й") else f"{father}ович",
    }[person.country]


def written(person: Identity, rng: random.Random) -> dict[str, str]:
    """One record's writing of `person`, with the errors records make."""
    names = [person.surname, person.given]
    patronymic = _patronymic(person, rng)
    if patronymic:
        names.append(patronymic)
    if rng.random() < 0.15:
        names = [names[1], names[0], *names[2:]]
    if rng.random() < 0.1:
        names = [names[0], names[1][0] + "."]
    text = " ".join(names)
    if person.country != "AF" and rng.random() < 0.7:
        text = romanise(text, rng.choice(list(SCHEMES)))
    if rng.random() < 0.1:
        text = text.upper()
    birth = person.birth_date
    draw = rng.random()
    if draw < 0.1:
        year, month, day = birth.split("-")
        if int(day) <= 12:
            birth = f"{year}-{day}-{month}"
    elif draw < 0.18:
        spot = rng.choice([2, 3, 6, 9])
        birth = birth[:spot] + str((int(birth[spot]) + 1) % 10) + birth[spot + 1 :]
    elif draw < 0.28:
        birth = birth[:4]
    elif draw < 0.35:
        birth = ""
    document = person.document
    draw = rng.random()
    if draw < 0.1:
        spot = rng.randrange(2, len(document))
        document = document[:spot] + str((int(document[spot]) + 3) % 10) + document[spot + 1 :]
    elif draw < 0.15:
        spot = rng.randrange(2, len(document) - 1)
        document = document[:spot] + document[spot + 1] + document[spot] + document[spot + 2 :]
    elif draw < 0.2:
        # A new passport since the record was made.
        document = identity(rng, person.country).document
    elif draw < 0.6:
        document = ""
    return {"name": text, "birth_date": birth, "document_number": document, "nationality": person.country}


def passport(person: Identity, rng: random.Random) -> dict[str, str]:
    """What a border post reads from the person's passport: the name in Latin letters as the
    passport writes it (ICAO 9303 since 2013, the older scheme before; upper case, or as the
    machine-readable zone writes it), the full birth date, the document number."""
    names = f"{person.surname} {person.given}"
    if person.country != "AF":
        names = romanise(names, rng.choice(["icao", "icao", "old_passport"]))
    name = names.upper()
    if rng.random() < 0.2:
        surname, _space, given = name.partition(" ")
        name = f"{surname}<<{given.replace(' ', '<')}"
    return {"name": name, "birth_date": person.birth_date, "document_number": person.document,
            "nationality": person.country}  # fmt: skip


def measure(pairs: int = 20_000) -> dict[str, object]:
    """The scorer on pairs of records (Django must be set up)."""
    from kordon.entities.matching import DEFAULT_THRESHOLD, Person, compare

    rng = random.Random(2026)
    positives, negatives = [], []
    for number in range(pairs):
        country = rng.choice(list(GIVEN))
        person = identity(rng, country)
        if number % 2 == 0:
            positives.append(compare(Person(**written(person, rng)), Person(**written(person, rng))).score)
        else:
            # Half the strangers share the surname: the namesakes a long list is full of.
            other = identity(rng, country, surname=person.surname if rng.random() < 0.5 else None)
            negatives.append(compare(Person(**written(person, rng)), Person(**written(other, rng))).score)
    recall = sum(score >= DEFAULT_THRESHOLD for score in positives) / len(positives)
    false_alerts = sum(score >= DEFAULT_THRESHOLD for score in negatives) / len(negatives)
    return {"benchmark": "generated_pairs", "positives": len(positives), "negatives": len(negatives),
            "threshold": DEFAULT_THRESHOLD, "recall": round(recall, 4), "false_alert_rate": round(false_alerts, 5)}  # fmt: skip


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings")
    os.environ.setdefault("KORDON_SECRET_KEY", "benchmark-identities-secret-key-0123456789abcdef")
    import django

    django.setup()
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)))


if __name__ == "__main__":
    main()
