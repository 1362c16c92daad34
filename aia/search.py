"""Finding a case by what people remember of it: its reference, situation, country, a warning's
reference or title, or words in its sections, options and comments.

PostgreSQL answers with full-text search (English stemming, ranked, highlighted by the
database); SQLite, used on developers' machines, answers with a plain case-insensitive
"contains" over the same fields, unranked. Each kind of row is matched on its own words
(``_vector``), and PostgreSQL keeps a GIN index on exactly that expression for each
(migration ``0017_search_indexes``): the database updates the index in the same transaction
as any write of the text, whichever code path makes it, so nothing here or in the services
has to remember to refresh a stored vector. The index and ``_vector`` must stay the same
expression, or the database stops using the index (``tests/web/test_search.py`` checks).

Callers pass cases that came through ``aia.selectors``; nothing here decides who may see what.
Comments are searched with the case because whoever may see a case reads all its comments
(``selectors.comment_thread_list``); like sections and options, only the current version's.

Snippets come back as safe HTML built one way for both databases: the text is marked with two
private-use characters around each hit, escaped whole, and only then are well-formed pairs of
markers turned into ``<mark>``. Stray markers a user typed into their own text are dropped.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections, models
from django.db.models import F, FloatField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from aia.framework import get_framework
from aia.models import Case, Comment, Option, Section, Situation, Trigger
from aia.models.choices import OptionCategory

CONFIG = "english"
QUERY_MAX_LENGTH = 200
# At most this many places a case matched are shown in its result.
MATCHES_PER_CASE = 3

START, STOP = "\ue000", "\ue001"
_PAIR = re.compile(f"{START}([^{START}{STOP}]*){STOP}")

# The words of each kind of row that are searched.
CASE_FIELDS = ("reference", "title")
SITUATION_FIELDS = ("name", "country_code")
SECTION_FIELDS = ("analysis", "key_evidence", "groups_at_risk", "likely_perpetrators")
OPTION_FIELDS = ("title", "description", "target_actors", "mitigation", "rationale")
TRIGGER_FIELDS = ("reference", "title")
COMMENT_FIELDS = ("text",)


@dataclass(frozen=True)
class Match:
    """One place a case matched: where (in words), and the text around the hit."""

    where: str
    snippet: SafeString


def uses_full_text(cases: QuerySet) -> bool:
    return connections[cases.db].vendor == "postgresql"


def highlight(marked: str) -> SafeString:
    """Escape text marked with ``START``/``STOP`` and show each marked stretch as ``<mark>``."""
    html = _PAIR.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(marked)))
    return mark_safe(html.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


# ------------------------------------------------------------------------------
# Which cases match
# ------------------------------------------------------------------------------
def matching_cases(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Narrow the (already visible) cases to those matching, best first on PostgreSQL."""
    if uses_full_text(cases):
        return _ranked(cases, query)
    return _contains(cases, query).order_by("-opened_at")


def _vector(fields: tuple[str, ...], weight: str) -> SearchVector:
    return SearchVector(*fields, config=CONFIG, weight=weight)


def _documents(model, fields: tuple[str, ...], weight: str, search: SearchQuery, **scope):
    """The rows of ``model`` whose words match (through the row's GIN index)."""
    return (
        model.objects.filter(**scope)
        .annotate(document=_vector(fields, weight))
        .filter(document=search)
    )


def _ranked(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Match each kind of row once, through its index (an uncorrelated semi-join each, which
    PostgreSQL runs once and hashes), then rank only the cases that matched.

    The rank is the full-text rank of the case's own reference, title and situation, plus a
    fixed weight for each other kind of row that matched: a warning counts as much as the
    rank gives a B-weighted word, a section, option or comment as much as a D-weighted one.
    Ranking each section's own text instead meant reading and parsing every section of every
    matching case, and with a common word that is thousands of rows for one page of twenty.
    """
    search = SearchQuery(query, config=CONFIG, search_type="websearch")
    current = {"version": F("case__version")}
    own = _documents(Case, CASE_FIELDS, "A", search).values("pk")
    situations = _documents(Situation, SITUATION_FIELDS, "A", search).values("pk")
    rows = [
        (_documents(Trigger, TRIGGER_FIELDS, "B", search), 0.4),
        (_documents(Section, SECTION_FIELDS, "D", search, **current), 0.1),
        (_documents(Option, OPTION_FIELDS, "D", search, **current), 0.1),
        (_documents(Comment, COMMENT_FIELDS, "D", search, **current), 0.1),
    ]
    # A country code such as "IN" is an English stop word: exact matches are checked as such.
    matches = Q(pk__in=own) | Q(situation__in=situations)
    matches |= Q(reference__iexact=query) | Q(situation__country_code__iexact=query)
    whole = CASE_FIELDS + tuple(f"situation__{field}" for field in SITUATION_FIELDS)
    rank = SearchRank(_vector(whole, "A"), search)
    for matching, weight in rows:
        ids = matching.values("case_id")
        matches |= Q(pk__in=ids)
        rank += _weight_if(ids, weight)
    return cases.filter(matches).annotate(search_rank=rank).order_by("-search_rank", "-opened_at")


def _weight_if(ids: QuerySet, weight: float) -> models.Case:
    return models.Case(
        When(pk__in=ids, then=Value(weight)), default=Value(0.0), output_field=FloatField()
    )


def _contains_q(fields: tuple[str, ...], query: str, prefix: str = "") -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{prefix}{field}__icontains": query})
    return condition


def _contains(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    current = {"version": F("case__version")}
    sections = Section.objects.filter(_contains_q(SECTION_FIELDS, query), **current)
    options = Option.objects.filter(_contains_q(OPTION_FIELDS, query), **current)
    comments = Comment.objects.filter(_contains_q(COMMENT_FIELDS, query), **current)
    triggers = Trigger.objects.filter(_contains_q(TRIGGER_FIELDS, query))
    return cases.filter(
        _contains_q(CASE_FIELDS, query)
        | _contains_q(SITUATION_FIELDS, query, prefix="situation__")
        | Q(pk__in=sections.values("case_id"))
        | Q(pk__in=options.values("case_id"))
        | Q(pk__in=comments.values("case_id"))
        | Q(pk__in=triggers.values("case_id"))
    )


# ------------------------------------------------------------------------------
# Where each case matched
# ------------------------------------------------------------------------------
def matches_for(cases: list[Case], query: str, *, full_text: bool) -> dict[object, list[Match]]:
    """Return where each of the cases matched, best first: four queries whatever the number
    of cases (the cases' own fields were read with them)."""
    found: dict[object, list[Match]] = defaultdict(list)
    for case in cases:
        found[case.pk] += _case_field_matches(case, query)
    ids = [case.pk for case in cases]
    current = {"version": F("case__version")}
    rows = [
        (Trigger.objects.filter(case_id__in=ids), TRIGGER_FIELDS, _trigger_where),
        (Section.objects.filter(case_id__in=ids, **current), SECTION_FIELDS, _section_where),
        (Option.objects.filter(case_id__in=ids, **current), OPTION_FIELDS, _option_where),
        (
            Comment.objects.filter(case_id__in=ids, **current).select_related("section", "option"),
            COMMENT_FIELDS,
            _comment_where,
        ),
    ]
    snippets = _headlines if full_text else _contained
    for queryset, fields, where in rows:
        for row, snippet in snippets(queryset, fields, query):
            found[row.case_id].append(Match(where(row), snippet))
    return {pk: found[pk][:MATCHES_PER_CASE] for pk in ids}


def _section_where(row: Section) -> str:
    return f"Section: {get_framework().section(row.code).title}"


def _option_where(row: Option) -> str:
    return f"{OptionCategory(row.category).label} option: {row.title}"


def _comment_where(row: Comment) -> str:
    if row.section_id:
        return f"Comment on section: {get_framework().section(row.section.code).title}"
    return f"Comment on option: {row.option.title}"


def _trigger_where(row: Trigger) -> str:
    return f"Warning {row.reference}: {row.title}"


def _case_field_matches(case: Case, query: str) -> list[Match]:
    """The case's own reference, title and situation, when the words are in them."""
    words = _words(query)
    situation = case.situation
    fields = [
        ("Case reference", case.reference),
        ("Case title", case.title if case.title != situation.name else ""),
        ("Situation", f"{situation.name} ({situation.country_code})"),
    ]
    return [
        Match(where, highlight(_mark_words(text, words)))
        for where, text in fields
        if _contains_any(text, words)
    ]


def _headlines(queryset: QuerySet, fields: tuple[str, ...], query: str):
    search = SearchQuery(query, config=CONFIG, search_type="websearch")
    joined = _joined(fields)
    text = Concat(*joined, output_field=TextField()) if len(joined) > 1 else joined[0]
    rows = (
        queryset.annotate(document=_vector(fields, "D"))
        .filter(document=search)
        .annotate(
            rank=SearchRank(F("document"), search),
            headline=SearchHeadline(
                text,
                search,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("case_id", "-rank")
    )
    return [(row, highlight(row.headline)) for row in rows]


def _joined(fields: tuple[str, ...]) -> list:
    parts: list = []
    for field in fields:
        parts += [F(field), Value("\n")]
    return parts[:-1]


def _contained(queryset: QuerySet, fields: tuple[str, ...], query: str):
    words = _words(query)
    rows = queryset.filter(_contains_q(fields, query)).order_by("case_id")
    found = []
    for row in rows:
        texts = [getattr(row, field) for field in fields]
        text = next((t for t in texts if query.casefold() in t.casefold()), texts[0])
        found.append((row, highlight(_mark_words(_around(text, query), words))))
    return found


# ------------------------------------------------------------------------------
# Plain-text snippets (SQLite, and the case's own fields)
# ------------------------------------------------------------------------------
SNIPPET_CHARACTERS = 100


def _words(query: str) -> list[str]:
    return [word for word in re.split(r"\s+", query.strip()) if word]


def _contains_any(text: str, words: list[str]) -> bool:
    folded = text.casefold()
    return any(word.casefold() in folded for word in words)


def _mark_words(text: str, words: list[str]) -> str:
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)


def _around(text: str, query: str) -> str:
    """The stretch of the text around the first hit, with an ellipsis where it was cut."""
    at = text.casefold().find(query.casefold())
    start = max(0, at - SNIPPET_CHARACTERS // 2)
    end = min(len(text), at + len(query) + SNIPPET_CHARACTERS)
    return f"{'… ' if start else ''}{text[start:end]}{' …' if end < len(text) else ''}"
