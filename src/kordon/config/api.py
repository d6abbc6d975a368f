"""The REST API under /api/v1/. Its OpenAPI document (/api/v1/openapi.json) is the contract."""

from typing import Any

from django.conf import settings
from ninja import NinjaAPI

from kordon.access.api import BearerToken, sharing_router
from kordon.access.api import router as auth_router
from kordon.analytics.api import router as analytics_router
from kordon.cases.api import router as cases_router
from kordon.cooperation.api import router as cooperation_router
from kordon.core.api import router as reference_router
from kordon.entities.api import router as screening_router
from kordon.entities.records_api import router as entities_router
from kordon.evaluation.api import router as evaluation_router
from kordon.exchange.api import router as exchange_router
from kordon.prisons.api import router as prisons_router
from kordon.seizures.api import router as seizures_router
from kordon.targeting.api import router as targeting_router

api = NinjaAPI(
    title=f"{settings.KORDON_NODE_NAME} API",
    version="1",
    description=(
        "Every endpoint but POST /auth/token needs `Authorization: Bearer <token>`. "
        "A token reads only, unless it was issued with the scope `write`, and it expires. "
        "What you read is exactly what the access policy lets your units see; "
        "a record you may not see answers 404, like one that does not exist."
    ),
    auth=BearerToken(),
    urls_namespace="api",
)
api.add_router("/auth", auth_router)
api.add_router("/", reference_router)
api.add_router("/", seizures_router)
api.add_router("/", sharing_router)
api.add_router("/", exchange_router)
api.add_router("/", analytics_router)
api.add_router("/", screening_router)
api.add_router("/", entities_router)
api.add_router("/", targeting_router)
api.add_router("/", prisons_router)
api.add_router("/", cooperation_router)
api.add_router("/", cases_router)
api.add_router("/", evaluation_router)


def _public(patterns: list[Any]) -> list[Any]:
    """The API authenticates with tokens, not sessions: Django's login redirect must not apply."""
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns


urls = (_public(api.urls[0]), api.urls[1], api.urls[2])
