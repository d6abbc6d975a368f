"""Countries as agencies write them: the ISO codes, the names in every language the node knows,
and the shorthand of the region's paperwork ("РФ", "КНР", "Киргизия"), all to one ISO code."""

import re

from kordon.core.models import Country

_SEPARATORS = re.compile(r"[\s_\-.,:;()\"'«»#/]+")
# Names in everyday use that the reference data does not hold.
ALIASES = (
    ("россия", "RU"),
    ("рф", "RU"),
    ("киргизия", "KG"),
    ("кыргызская республика", "KG"),
    ("иран", "IR"),
    ("кнр", "CN"),
    ("китай", "CN"),
    ("оаэ", "AE"),
    ("сша", "US"),
    ("великобритания", "GB"),
    ("турция", "TR"),
    ("афганистан", "AF"),
)


def normalise(text: str) -> str:
    """A key for matching words: lower case, ё as е, № as номер, punctuation and spaces removed."""
    return _SEPARATORS.sub("", text.strip().lower().replace("ё", "е").replace("№", "номер"))


def country_codes() -> dict[str, str]:
    """normalised word → ISO alpha-2 code, for every country of the node's reference data."""
    codes: dict[str, str] = {}
    for code, code3, name, names in Country.objects.values_list("code", "code3", "name", "names"):
        for word in (code, code3, name, *names.values()):
            codes.setdefault(normalise(word), code)
    for alias, code in ALIASES:
        codes.setdefault(normalise(alias), code)
    return codes
