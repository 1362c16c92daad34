"""Page-number pagination for every list that can grow: ``?page=`` and ``?page_size=``.

A page is chosen on primary keys alone, and only then are its rows loaded with their joins:
sorting thousands of narrow rows is cheap, sorting them joined to their situation and team is
not.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _load_rows(queryset: QuerySet, keys: Sequence[Any]) -> tuple[list[Any], dict[str, Any]]:
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
    return [rows[key] for key in keys], {}


def paginated_response(
    *,
    request: Request,
    view: Any,
    queryset: QuerySet,
    serializer_class: type[serializers.Serializer],
    load: Callable[[Sequence[Any]], tuple[list[Any], dict[str, Any]]] | None = None,
) -> Response:
    """Return one page of ``queryset`` as ``{count, next, previous, results}``.

    ``load`` turns the page's primary keys into the objects to render, in that order, and
    extra serializer context; by default the queryset itself loads them, with its joins.
    """
    paginator = PageNumberPagination()
    keys = paginator.paginate_queryset(
        queryset.prefetch_related(None).values_list("pk", flat=True), request, view=view
    )
    rows, context = (load or (lambda k: _load_rows(queryset, k)))(keys)
    data = serializer_class(rows, many=True, context={"request": request, **context}).data
    return paginator.get_paginated_response(data)
