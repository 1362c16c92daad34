from django.conf import settings
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aia.exceptions import NotFound


class RouteNotFoundApi(APIView):
    """Answer any path under /api/ that no route matches with a 404 in the envelope."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def http_method_not_allowed(self, request: Request, *args, **kwargs):
        raise NotFound("There is no such endpoint.", {"path": request.path})

    def options(self, request: Request, *args, **kwargs):
        return self.http_method_not_allowed(request)

    @property
    def default_response_headers(self) -> dict[str, str]:
        # DRF names the view's methods in ``Allow`` on every answer; a route that does not exist
        # allows none, and a client (or a schema checker) would read the header as a promise.
        headers = super().default_response_headers
        headers.pop("Allow", None)
        return headers


class BenchPingApi(APIView):
    """Answer as cheaply as DRF can, for benchmarks: GET returns a constant, POST parses its
    JSON body and returns a constant. Behind DRF's own token authentication (the same tokens
    as the API's, without the permissions and the expiry ``aia.api.authentication`` adds):
    the bare endpoint the benchmark compares the API with.

    Serves only when ``settings.AIA_BENCH_ENDPOINTS`` is true (bench/api_bench.py).
    """

    authentication_classes = [TokenAuthentication]
    schema = None

    def initial(self, request: Request, *args, **kwargs) -> None:
        if not settings.AIA_BENCH_ENDPOINTS:
            raise NotFound("There is no such endpoint.", {"path": request.path})
        super().initial(request, *args, **kwargs)

    def get(self, request: Request) -> Response:
        return Response({"ok": True})

    def post(self, request: Request) -> Response:
        return Response({"ok": True, "fields": len(request.data)})
