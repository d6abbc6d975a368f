"""The words officers use in seizure files, mapped to Kordon's codes.

Agency spreadsheets name columns and values in Russian, English and local shorthand ("кг", "гр",
"шт", "ж/д"). Every lookup goes through `normalise`, so case, spaces, dots and "ё" do not matter.
"""

from collections.abc import Mapping
from typing import Final

from kordon.core.countries import normalise
from kordon.seizures.models import Concealment, DetectionMethod, TransportMode, UnitOfMeasure

# The canonical template, in order. Required columns must be present in every file.
TEMPLATE_COLUMNS: Final = (
    "reference",
    "date",
    "country",
    "place",
    "reporting_unit",
    "substance",
    "quantity",
    "unit_of_measure",
    "transport_mode",
    "detection_method",
    "concealment",
    "origin_country",
    "transit_countries",
    "destination_country",
    "persons_arrested",
    "notes",
)
OPTIONAL_COLUMNS: Final = (
    "time",
    "latitude",
    "longitude",
    "vehicle_plate",
    "container_number",
    "flight",
    "purity_percent",
)
REQUIRED_COLUMNS: Final = ("reference", "date", "country", "substance", "quantity", "unit_of_measure")

# Other headers seen in agency files, by canonical column.
HEADER_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "reference": (
        "ref",
        "номер",
        "номер дела",
        "№",
        "№ п/п",
        "рег номер",
        "регистрационный номер",
        "номер изъятия",
        "референс",
        "ид",
        "id",
        "case",
        "case number",
    ),
    "date": ("дата", "дата изъятия", "seizure date", "date of seizure", "дата задержания"),
    "country": ("страна", "страна изъятия", "country of seizure", "государство"),
    "place": (
        "место",
        "место изъятия",
        "пункт пропуска",
        "пункт",
        "location",
        "site",
        "city",
        "населенный пункт",
        "ппп",
        "бпп",
    ),
    "reporting_unit": (
        "подразделение",
        "орган",
        "ведомство",
        "unit",
        "reporting agency",
        "agency",
        "кем изъято",
        "изъявший орган",
    ),
    "substance": (
        "вещество",
        "наркотик",
        "вид наркотика",
        "наименование",
        "drug",
        "наркотическое средство",
        "вид вещества",
    ),
    "quantity": ("количество", "кол-во", "кол во", "вес", "масса", "qty", "amount", "weight"),
    "unit_of_measure": (
        "единица",
        "ед изм",
        "ед. изм.",
        "единица измерения",
        "unit of measure",
        "uom",
        "units",
        "measurement unit",
    ),
    "transport_mode": (
        "вид транспорта",
        "транспорт",
        "способ перемещения",
        "transport",
        "mode of transport",
        "trafficking mode of transportation",
    ),
    "detection_method": ("способ выявления", "метод выявления", "как выявлено", "detection", "method"),
    "concealment": ("способ сокрытия", "сокрытие", "тайник", "concealment method"),
    "origin_country": ("страна происхождения", "откуда", "страна отправления", "origin", "departure country"),
    "transit_countries": ("страны транзита", "транзит", "маршрут", "transit", "route"),
    "destination_country": ("страна назначения", "куда", "destination"),
    "persons_arrested": (
        "задержано",
        "задержано лиц",
        "арестовано",
        "число задержанных",
        "arrested",
        "persons arrested",
        "кол-во задержанных",
    ),
    "notes": (
        "примечание",
        "примечания",
        "комментарий",
        "описание",
        "фабула",
        "narrative",
        "comments",
        "remarks",
    ),
    "time": ("время", "time of seizure"),
    "latitude": ("широта", "lat"),
    "longitude": ("долгота", "lon", "lng"),
    "vehicle_plate": ("госномер", "гос номер", "номер автомобиля", "номер тс", "plate", "license plate"),
    "container_number": ("номер контейнера", "контейнер", "container"),
    "flight": ("рейс", "номер рейса"),
    "purity_percent": ("чистота", "чистота %", "purity", "purity %"),
}


def header_lookup() -> dict[str, str]:
    lookup = {normalise(column): column for column in TEMPLATE_COLUMNS + OPTIONAL_COLUMNS}
    for column, synonyms in HEADER_SYNONYMS.items():
        for synonym in synonyms:
            lookup.setdefault(normalise(synonym), column)
    return lookup


UNIT_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    UnitOfMeasure.KG: ("kg", "кг", "килограмм", "килограммов", "килограмма", "kilogram", "kilograms", "kgs"),
    UnitOfMeasure.G: ("g", "г", "гр", "грамм", "граммов", "грамма", "gram", "grams", "gr"),
    UnitOfMeasure.T: ("t", "т", "тн", "тонна", "тонн", "тонны", "tonne", "tonnes", "ton"),
    UnitOfMeasure.L: ("l", "л", "литр", "литров", "литра", "litre", "litres", "liter", "liters"),
    UnitOfMeasure.ML: ("ml", "мл", "миллилитр", "миллилитров", "millilitre", "millilitres"),
    UnitOfMeasure.TABLETS: (
        "tablets",
        "tablet",
        "таб",
        "табл",
        "таблетка",
        "таблетки",
        "таблеток",
        "tab",
        "tabs",
    ),
    UnitOfMeasure.PIECES: ("pieces", "piece", "pcs", "шт", "штук", "штука", "штуки", "ед"),
    UnitOfMeasure.PLANTS: ("plants", "plant", "кустов", "куст", "куста", "растений", "растения", "растение"),
    UnitOfMeasure.DOSES: ("doses", "dose", "доз", "доза", "дозы", "units", "марок", "марки"),
}

TRANSPORT_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    TransportMode.ROAD: (
        "road",
        "авто",
        "автомобильный",
        "автотранспорт",
        "автомобиль",
        "грузовик",
        "фура",
        "автобус",
        "легковой",
        "car",
        "truck",
        "bus",
        "автодорожный",
    ),
    TransportMode.RAIL: ("rail", "ж/д", "жд", "железнодорожный", "поезд", "вагон", "train", "railway"),
    TransportMode.AIR: ("air", "авиа", "воздушный", "самолет", "авиарейс", "aircraft", "airport", "аэропорт"),
    TransportMode.SEA: ("sea", "морской", "море", "судно", "паром", "vessel", "ship", "maritime", "seaport"),
    TransportMode.POSTAL: (
        "postal",
        "почта",
        "почтовый",
        "посылка",
        "мail",
        "mail",
        "courier",
        "экспресс-почта",
    ),
    TransportMode.PEDESTRIAN: ("pedestrian", "пешком", "пешеход", "пеший", "on foot", "foot"),
    TransportMode.OTHER: ("other", "прочее", "иное", "другое"),
}

DETECTION_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    DetectionMethod.RISK_PROFILING: (
        "risk profiling",
        "profiling",
        "профилирование",
        "профиль риска",
        "система управления рисками",
        "сур",
        "анализ рисков",
    ),
    DetectionMethod.INTELLIGENCE: (
        "intelligence",
        "оперативная информация",
        "оперативные данные",
        "разведка",
        "агентурная информация",
        "информация",
        "орм",
    ),
    DetectionMethod.RANDOM_CHECK: (
        "random check",
        "random",
        "выборочная проверка",
        "выборочный досмотр",
        "случайная проверка",
        "досмотр",
    ),
    DetectionMethod.SNIFFER_DOG: (
        "sniffer dog",
        "dog",
        "кинолог",
        "служебная собака",
        "собака",
        "кинологическая служба",
    ),
    DetectionMethod.SCANNER: ("scanner", "x-ray", "xray", "сканер", "рентген", "идк", "досмотровый комплекс"),
    DetectionMethod.CONTROLLED_DELIVERY: ("controlled delivery", "контролируемая поставка"),
    DetectionMethod.OTHER: ("other", "прочее", "иное", "другое"),
}

# Concealment is free text in agency files; it keeps the text and is also sorted into a category
# by the first keyword found, so analysts can count by method.
CONCEALMENT_KEYWORDS: Final[tuple[tuple[str, str], ...]] = (
    ("тайник", Concealment.VEHICLE_COMPARTMENT),
    ("compartment", Concealment.VEHICLE_COMPARTMENT),
    ("шин", Concealment.VEHICLE_PARTS),
    ("колес", Concealment.VEHICLE_PARTS),
    ("бензобак", Concealment.VEHICLE_PARTS),
    ("бак", Concealment.VEHICLE_PARTS),
    ("двер", Concealment.VEHICLE_PARTS),
    ("tyre", Concealment.VEHICLE_PARTS),
    ("tire", Concealment.VEHICLE_PARTS),
    ("fuel tank", Concealment.VEHICLE_PARTS),
    ("контейнер", Concealment.CONTAINER),
    ("container", Concealment.CONTAINER),
    ("груз", Concealment.CARGO),
    ("cargo", Concealment.CARGO),
    ("багаж", Concealment.LUGGAGE),
    ("чемодан", Concealment.LUGGAGE),
    ("сумк", Concealment.LUGGAGE),
    ("luggage", Concealment.LUGGAGE),
    ("baggage", Concealment.LUGGAGE),
    ("suitcase", Concealment.LUGGAGE),
    ("проглот", Concealment.INTERNAL),
    ("внутриполост", Concealment.INTERNAL),
    ("в организме", Concealment.INTERNAL),
    ("swallow", Concealment.INTERNAL),
    ("на теле", Concealment.ON_BODY),
    ("одежд", Concealment.ON_BODY),
    ("обув", Concealment.ON_BODY),
    ("карман", Concealment.ON_BODY),
    ("body", Concealment.ON_BODY),
    ("cloth", Concealment.ON_BODY),
    ("посылк", Concealment.POSTAL),
    ("бандерол", Concealment.POSTAL),
    ("parcel", Concealment.POSTAL),
    ("переброс", Concealment.THROWN),
    ("через забор", Concealment.THROWN),
    ("через стену", Concealment.THROWN),
    ("thrown", Concealment.THROWN),
    ("без сокрытия", Concealment.NOT_CONCEALED),
    ("открыто", Concealment.NOT_CONCEALED),
    ("not concealed", Concealment.NOT_CONCEALED),
)


def choice_lookup(synonyms: Mapping[str, tuple[str, ...]], labels: Mapping[str, object]) -> dict[str, str]:
    """Map every code, label and synonym (normalised) to its code."""
    lookup: dict[str, str] = {}
    for code, words in synonyms.items():
        for word in (code, labels.get(code, ""), *words):
            if word:
                # A plain str, not the enum member: cheaper to hash, copy and send between processes.
                lookup.setdefault(normalise(str(word)), str(code))
    return lookup


def concealment_lookup() -> dict[str, str]:
    """Concealment codes and labels (in the active language), normalised, to their code."""
    return choice_lookup(dict.fromkeys(Concealment.values, ()), dict(Concealment.choices))


def concealment_category(text: str, exact: Mapping[str, str] | None = None) -> str:
    """The category for a free-text concealment; OTHER when no keyword is recognised.

    Pass `exact` (from concealment_lookup) when classifying many texts."""
    code = (exact if exact is not None else concealment_lookup()).get(normalise(text))
    if code is not None:
        return code
    lowered = text.lower().replace("ё", "е")
    for keyword, category in CONCEALMENT_KEYWORDS:
        if keyword in lowered:
            return str(category)
    return str(Concealment.OTHER)
