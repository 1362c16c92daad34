"""Finding a case: the search box on every page, and its results, a page at a time."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aia import search, selectors
from aia.web.errors import web_view

PAGE_SIZE = 20


def _error(query: str) -> str:
    if not query:
        return "Enter a case reference, a situation, a country or words to search for"
    if len(query) > search.QUERY_MAX_LENGTH:
        return f"Search words must be {search.QUERY_MAX_LENGTH} characters or fewer"
    return ""


@web_view
def case_search(request: HttpRequest) -> HttpResponse:
    """List the cases the user may see that match the words, with where each matched.

    Opened without words (from a link) the page shows the empty box; sent empty, it says what
    to type. Each page costs the same queries however many cases match.
    """
    context: dict = {"searched": "q" in request.GET, "query": request.GET.get("q", "").strip()}
    query = context["query"]
    if context["searched"] and (message := _error(query)):
        context.update(error=message, errors=[{"href": "#q", "text": message}])
    elif query:
        cases = selectors.case_search(user=request.user, query=query)
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        found = list(page.object_list)
        matches = search.matches_for(found, query, full_text=search.uses_full_text(cases))
        context.update(
            page=page,
            results=[(case, matches[case.pk]) for case in found],
            page_query=urlencode({"q": query}),
        )
    return render(request, "aia/web/search.html", context)
