"""Health and readiness for the load balancer and the service manager. Open without logging in,
and they say nothing an outsider could use: no versions, no names, no error texts."""

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
@login_not_required
def live_view(request: HttpRequest) -> JsonResponse:
    """The process answers (the service manager restarts it when this fails)."""
    return JsonResponse({"status": "ok"})


def readiness_problems() -> list[str]:
    """What keeps this process from serving: the database is away, or its schema is behind."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return ["migrations"]
    except Exception:  # the database is down or refuses us: not ready, and nothing more to say
        connection.close()  # the next request opens a fresh connection once it is back
        return ["database"]
    return []


@require_GET
@never_cache
@login_not_required
def ready_view(request: HttpRequest) -> JsonResponse:
    """The process can serve: the load balancer sends requests only while this says ready."""
    problems = readiness_problems()
    return JsonResponse(
        {"status": "not ready" if problems else "ready", "problems": problems},
        status=503 if problems else 200,
    )
