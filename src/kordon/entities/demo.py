"""The demo's watchlist: invented couriers, owned by the Kyrgyz BLO at Dostuk and shared with the
partners under the Kyrgyz–Uzbek agreement, so that the Uzbek officer at Dustlik can screen too."""

from pathlib import Path

from django.contrib.auth import get_user_model

from kordon.access.markings import Distribution, Tlp
from kordon.core.models import Unit
from kordon.entities.importing import watchlist_import
from kordon.entities.models import Watchlist

DEMO_LIST = Path(__file__).resolve().parent / "data" / "demo_watchlist.csv"
NAME = "Couriers (demo)"


def build_watchlists() -> str:
    if Watchlist.objects.filter(name=NAME).exists():
        return f"watchlist {NAME!r} already there"
    officer = get_user_model().objects.get(username="kg.blo.dostuk")
    result = watchlist_import(
        actor=officer,
        unit=Unit.objects.select_related("agency").get(code="kg-dcs-blo-dostuk"),
        path=DEMO_LIST,
        name=NAME,
        tlp=Tlp.AMBER,
        distribution=Distribution.PARTNERS,
    )
    return f"watchlist {NAME!r}: {result.version.entry_count if result.version else 0} people"
