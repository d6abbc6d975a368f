"""A seeded generator of realistic seizure files for benchmarks: the five Central Asian countries,
their real border crossing points, the substances officers write, Russian and English spellings,
1.5 rows (items) per seizure on average."""

import csv
import datetime
import random
from collections.abc import Iterator
from pathlib import Path

HEADER = [
    "reference", "date", "country", "place", "reporting_unit", "substance", "quantity", "unit_of_measure",
    "transport_mode", "detection_method", "concealment", "origin_country", "transit_countries",
    "destination_country", "persons_arrested", "notes",
]  # fmt: skip
PLACES = {
    "KG": ["KG-DOSTUK", "Достук", "KG-AK-JOL", "Торугарт", "KG-IRKESHTAM", "Бишкек", "Ош"],
    "UZ": ["UZ-DUSTLIK", "Айритом", "UZ-GISHT-KUPRIK", "UZ-ALAT", "Ташкент", "Самарканд"],
    "TJ": ["TJ-NIZHNY-PANJ", "Нижний Пяндж", "TJ-ISHKOSHIM", "TJ-KULMA", "Душанбе", "Хорог"],
    "KZ": ["KZ-KHORGOS", "Хоргос", "KZ-AKTAU-PORT", "KZ-KORDAY", "Алматы", "Шымкент"],
    "TM": ["TM-FARAP", "TM-IMAMNAZAR", "TM-SARAKHS", "Ашхабад", "Туркменабат"],
}
COUNTRY_NAMES = {"KG": ["KG", "Кыргызстан"], "UZ": ["UZ", "Узбекистан"], "TJ": ["TJ", "Таджикистан"],
                 "KZ": ["KZ", "Казахстан"], "TM": ["TM", "Туркменистан"]}  # fmt: skip
SUBSTANCES = [("героин", "кг"), ("heroin", "kg"), ("гашиш", "кг"), ("опий", "кг"), ("марихуана", "кг"),
              ("гашиш", "гр"), ("героин", "гр"), ("метамфетамин", "гр"), ("трамадол", "табл"),
              ("уксусный ангидрид", "л"), ("кокаин", "гр"), ("экстази", "шт")]  # fmt: skip
TRANSPORT = ["авто", "road", "ж/д", "авиа", "почта", "пешком", ""]
DETECTION = ["кинолог", "оперативная информация", "профилирование", "выборочная проверка", "рентген", ""]
CONCEALMENT = ["тайник в кабине", "в запасном колесе", "среди сухофруктов", "в багаже", "на теле", ""]
ROUTES = [("AF", "TJ", "RU"), ("AF", "TJ; KG", "KZ"), ("AF", "", "UZ"), ("IR", "", "TM"), ("", "", "")]


def rows(count: int, seed: int = 2013, prefix: str = "B") -> Iterator[list[str]]:
    """`count` rows; rows of one seizure follow each other, as in agency files."""
    rng = random.Random(seed)
    start = datetime.date(2012, 1, 1)
    written = seizure = 0
    while written < count:
        seizure += 1
        country = rng.choice(list(PLACES))
        event = [
            f"{prefix}-{seizure:08d}",
            (start + datetime.timedelta(days=rng.randrange(1095))).strftime("%d.%m.%Y"),
            rng.choice(COUNTRY_NAMES[country]),
            rng.choice(PLACES[country]),
            "",
        ]
        origin, transit, destination = rng.choice(ROUTES)
        tail = [rng.choice(TRANSPORT), rng.choice(DETECTION), rng.choice(CONCEALMENT), origin, transit,
                destination, str(rng.choice([0, 1, 1, 2, 3])), "benchmark"]  # fmt: skip
        items = 1 if rng.random() < 0.6 else 2
        substances = rng.sample(SUBSTANCES, items)
        for substance, unit in substances[: count - written]:
            quantity = f"{rng.lognormvariate(0, 1.5) + 0.01:.3f}".replace(".", ",")
            yield [*event, substance, quantity, unit, *tail]
            written += 1


def write(path: Path, count: int, seed: int = 2013, prefix: str = "B") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows(count, seed, prefix))
    return path
