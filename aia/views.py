from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    # The one statement written by hand: the ORM has no query that touches no table, and a
    # health check should not depend on any table's contents. It runs on every database.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure means unhealthy
        return False
    return True


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "not configured (tasks run in-process)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception:  # any failure means unhealthy
        return "down"
    return "up"


@never_cache
@require_GET
def healthz(request):
    """Answer 200 when the database and the broker answer, 503 otherwise."""
    database = "up" if _database_ok() else "down"
    broker = _broker_status()
    healthy = database == "up" and broker != "down"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
