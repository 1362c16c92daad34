"""The browser pages' URLs (included at the site's root)."""

from django.urls import path

from aia.web.views import (
    audit,
    auth,
    cases,
    comments,
    dashboard,
    notifications,
    options,
    reviews,
    search,
    sections,
    sign_off,
    sources,
    triggers,
)

app_name = "web"

CASE = "cases/<uuid:case_id>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("sign-in/code/", auth.two_factor, name="two-factor"),
    path("sign-in/set-up-app/", auth.two_factor_set_up, name="two-factor-set-up"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("search/", search.case_search, name="search"),
    path("security-log/", audit.security_log, name="security-log"),
    path("warnings/new/", triggers.warning_new, name="warning-new"),
    path(
        "warnings/<uuid:trigger_id>/recorded/", triggers.warning_recorded, name="warning-recorded"
    ),
    path("assessments/discretionary/new/", triggers.discretionary_new, name="discretionary-new"),
    path(CASE, cases.case_detail, name="case"),
    path(f"{CASE}transitions/<slug:name>/", cases.case_transition, name="transition"),
    path(f"{CASE}team/", cases.case_team, name="team"),
    path(f"{CASE}access-log/", audit.access_log, name="access-log"),
    path(f"{CASE}audit-trail/", audit.audit_trail, name="audit-trail"),
    path(f"{CASE}bundle/", audit.evidence_bundle, name="bundle"),
    path(f"{CASE}dissents/new/", cases.dissent_create, name="dissent"),
    path(f"{CASE}sections/<slug:code>/", sections.section_edit, name="section"),
    path(f"{CASE}options/", options.options_register, name="options"),
    path(f"{CASE}options/new/", options.option_edit, name="option-new"),
    path(f"{CASE}options/submission/", options.submission_edit, name="submission"),
    path(f"{CASE}options/<uuid:option_id>/", options.option_edit, name="option"),
    path(
        f"{CASE}options/<uuid:option_id>/withdraw/",
        options.option_withdraw_view,
        name="option-withdraw",
    ),
    path(f"{CASE}comments/new/", comments.comment_new, name="comment-new"),
    path(
        f"{CASE}comments/<int:comment_id>/reply/",
        comments.comment_reply_view,
        name="comment-reply",
    ),
    path(
        f"{CASE}comments/<int:comment_id>/resolve/",
        comments.comment_resolve_view,
        name="comment-resolve",
    ),
    path(f"{CASE}sources/", sources.source_library, name="sources"),
    path(f"{CASE}sources/new/", sources.source_new, name="source-new"),
    path(f"{CASE}sources/cite/", sources.source_cite_view, name="source-cite"),
    path(f"{CASE}sources/<int:source_id>/file/", sources.source_file, name="source-file"),
    path(
        f"{CASE}sources/<int:source_id>/uncite/", sources.source_uncite_view, name="source-uncite"
    ),
    path(f"{CASE}review/", reviews.review, name="review"),
    path(f"{CASE}sign-off/", sign_off.sign_off, name="sign-off"),
    path(f"{CASE}sign-off/preview/", sign_off.report_preview, name="report-preview"),
    path(f"{CASE}minister/", sign_off.minister, name="minister"),
    path("reports/<uuid:report_id>/", sign_off.report_view, name="report"),
    path("reports/<uuid:report_id>/download/", sign_off.report_download, name="report-download"),
    path("reports/<uuid:report_id>/requeue/", cases.report_requeue_view, name="report-requeue"),
    path(
        "decision-records/<uuid:decision_record_id>/download/",
        sign_off.decision_record_download,
        name="decision-record-download",
    ),
]
