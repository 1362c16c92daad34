"""The snapshot is loaded in a fixed number of queries, and built from the loaded data alone."""

import pytest

from aia.models import Case
from aia.models.choices import CaseState
from aia.reports.snapshot import build_snapshot, load_report_data
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db

# Situation, officials, reviews, dissents, comments, library sources (their citations in one
# more, when there are any), users, triggers, events, sections, options, gaps.
QUERIES = 12


def test_the_snapshot_queries_only_in_its_loader(team, django_assert_num_queries):
    case = case_in_state(team, CaseState.SIGN_OFF)
    fresh = Case.objects.get(pk=case.pk)
    with django_assert_num_queries(QUERIES):
        load_report_data(fresh)
    fresh = Case.objects.get(pk=case.pk)
    with django_assert_num_queries(QUERIES):
        snapshot = build_snapshot(fresh)
    assert snapshot["reviews"]
    assert snapshot["team"]["officials"]
