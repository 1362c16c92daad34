from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from aia.api.views.auth import TokenCreateApi
from aia.api.views.bundles import CaseBundleApi
from aia.api.views.cases import CaseDetailApi, CaseEventListApi, CaseListApi
from aia.api.views.misc import BenchPingApi
from aia.api.views.options import OptionDetailApi, OptionGapListRecordApi, OptionListCreateApi
from aia.api.views.reports import (
    DecisionRecordListApi,
    DecisionRecordPdfApi,
    ReportListApi,
    ReportPdfApi,
)
from aia.api.views.sections import SECTION_APIS, SectionDetailApi, SectionListApi
from aia.api.views.transitions import TRANSITION_APIS, CaseTransitionApi
from aia.api.views.triggers import TriggerListCreateApi

app_name = "api"

CASE = "cases/<uuid:case_id>/"

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="auth-token"),
    path("triggers/", TriggerListCreateApi.as_view(), name="triggers"),
    path("cases/", CaseListApi.as_view(), name="cases"),
    path(CASE, CaseDetailApi.as_view(), name="case-detail"),
    # Each transition's own route first (its own operation and body in the schema), then any
    # other name (a 404 listing the transitions).
    *(
        path(f"{CASE}transitions/{name}/", view.as_view(), name=f"case-transition-{name}")
        for name, view in TRANSITION_APIS.items()
    ),
    path(f"{CASE}transitions/<str:name>/", CaseTransitionApi.as_view(), name="case-transition"),
    path(f"{CASE}sections/", SectionListApi.as_view(), name="case-sections"),
    # Each section's own route first (its kind's answer and its own body in the schema).
    *(
        path(f"{CASE}sections/{code}/", view.as_view(), name=f"case-section-{code}")
        for code, view in SECTION_APIS.items()
    ),
    path(f"{CASE}sections/<str:code>/", SectionDetailApi.as_view(), name="case-section"),
    path(f"{CASE}options/", OptionListCreateApi.as_view(), name="case-options"),
    path(f"{CASE}options/<uuid:option_id>/", OptionDetailApi.as_view(), name="case-option"),
    path(f"{CASE}option-gaps/", OptionGapListRecordApi.as_view(), name="case-option-gaps"),
    path(f"{CASE}events/", CaseEventListApi.as_view(), name="case-events"),
    path(f"{CASE}reports/", ReportListApi.as_view(), name="case-reports"),
    path(f"{CASE}bundle/", CaseBundleApi.as_view(), name="case-bundle"),
    path("reports/<uuid:report_id>/pdf/", ReportPdfApi.as_view(), name="report-pdf"),
    path(f"{CASE}decision-records/", DecisionRecordListApi.as_view(), name="case-decision-records"),
    path(
        "decision-records/<uuid:decision_record_id>/pdf/",
        DecisionRecordPdfApi.as_view(),
        name="decision-record-pdf",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The page and its script are separate responses, so a strict CSP needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("_bench/ping/", BenchPingApi.as_view(), name="bench-ping"),
    # Any other path is config.urls' "api-not-found": a 404 in the error envelope.
]
