from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from aia import selectors
from aia.api.schema import READ_ERRORS, errors
from aia.api.serializers import UserRefSerializer
from aia.api.views.base import ApiView
from aia.models import DecisionRecord, Report
from aia.models.choices import Decision, DecisionRecordKind, ReportStatus
from aia.services.decision_records import decision_record_download_record
from aia.services.reports import report_download_record
from aia.stored_files import decision_record_file_open, report_file_open


class ReportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField(help_text="1 for the case's first report, and so on.")
    case_version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    snapshot_hash = serializers.CharField(help_text="SHA-256 of the frozen snapshot.")
    sha256 = serializers.CharField(help_text="SHA-256 of the PDF; empty until it is ready.")
    page_count = serializers.IntegerField(allow_null=True)
    signed_off_by = UserRefSerializer()
    created_at = serializers.DateTimeField()
    rendered_at = serializers.DateTimeField(allow_null=True)
    superseded_at = serializers.DateTimeField(allow_null=True)
    failure_reason = serializers.CharField()
    pdf_url = serializers.SerializerMethodField(help_text="The PDF, once it is ready.")

    class Meta:
        ref_name = "Report"

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, report: Report) -> str | None:
        if report.status != ReportStatus.READY:
            return None
        path = reverse("api:report-pdf", kwargs={"report_id": report.pk})
        return self.context["request"].build_absolute_uri(path)


class ReportListApi(ApiView):
    """List the report versions of a case."""

    @extend_schema(
        operation_id="cases_reports_list",
        tags=["reports"],
        summary="List report versions",
        description="Every signed report of the case, newest first. A report is rendered "
        "once from a frozen snapshot and never overwritten; a revision supersedes it.",
        responses={200: ReportSerializer(many=True), **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        reports = selectors.report_list(case=case)
        return Response(ReportSerializer(reports, many=True, context={"request": request}).data)


# The PDF's media types, the default first: generic clients (and generators that cannot read
# ``application/pdf``) ask for bytes with ``Accept: application/octet-stream``.
PDF_MEDIA_TYPES = ["application/pdf", "application/octet-stream"]


class ReportPdfApi(ApiView):
    """Download a rendered report."""

    def perform_content_negotiation(self, request, force=False):
        # The file's media type is chosen in ``get``; errors are always JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="reports_pdf_retrieve",
        tags=["reports"],
        summary="Download a report's PDF",
        description="The PDF as an attachment named after the case reference, as "
        "`application/pdf`, or as `application/octet-stream` for a client whose `Accept` "
        "prefers that (the same bytes). Each download is recorded in the case's audit trail "
        "(`report_downloaded`). 409 while the report is queued, rendering or failed; 403 for "
        "the case's minister until it is submitted to them.",
        responses={
            **{
                (200, media_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The signed report."
                )
                for media_type in PDF_MEDIA_TYPES
            },
            **errors(403, 409, 500, *READ_ERRORS),
        },
    )
    def get(self, request: Request, report_id) -> FileResponse:
        report = selectors.report_get_for_user(user=request.user, report_id=report_id)
        report = report_download_record(report=report, actor=request.user)
        # The PDF unless the client prefers bytes, whatever else it asks for.
        media_type = request.get_preferred_type(PDF_MEDIA_TYPES) or PDF_MEDIA_TYPES[0]
        response = FileResponse(
            report_file_open(report),
            as_attachment=True,
            filename=f"{report.case.reference}-report-{report.number}.pdf",
            content_type=media_type,
        )
        # Marked material: never keep a copy in a shared or browser cache.
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = "Accept"
        return response


class ReportRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="SHA-256 of the report's PDF.")

    class Meta:
        ref_name = "ReportRef"


class ChainHeadSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(source="chain_sequence")
    hash = serializers.CharField(source="chain_hash")

    class Meta:
        ref_name = "ChainHead"


class DecisionRecordSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField(help_text="1 for the case's first decision record.")
    kind = serializers.ChoiceField(choices=DecisionRecordKind.choices)
    decision = serializers.SerializerMethodField(
        help_text="The minister's decision; null for a request for revision."
    )
    report = ReportRefSerializer(help_text="The signed report this record answers.")
    chain_head = ChainHeadSerializer(
        source="*", help_text="The audit chain's last event when the answer was recorded."
    )
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    snapshot_hash = serializers.CharField(help_text="SHA-256 of the frozen record.")
    sha256 = serializers.CharField(help_text="SHA-256 of the PDF; empty until it is ready.")
    page_count = serializers.IntegerField(allow_null=True)
    recorded_by = UserRefSerializer()
    created_at = serializers.DateTimeField()
    rendered_at = serializers.DateTimeField(allow_null=True)
    failure_reason = serializers.CharField()
    pdf_url = serializers.SerializerMethodField(help_text="The PDF, once it is ready.")

    class Meta:
        ref_name = "DecisionRecord"

    @extend_schema_field(serializers.ChoiceField(choices=Decision.choices, allow_null=True))
    def get_decision(self, record: DecisionRecord) -> str | None:
        return record.snapshot.get("decision") or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, record: DecisionRecord) -> str | None:
        if record.status != ReportStatus.READY:
            return None
        path = reverse("api:decision-record-pdf", kwargs={"decision_record_id": record.pk})
        return self.context["request"].build_absolute_uri(path)


class DecisionRecordListApi(ApiView):
    """List the decision records of a case."""

    @extend_schema(
        operation_id="cases_decision_records_list",
        tags=["reports"],
        summary="List decision records",
        description="Every answer the minister gave to a signed report (a decision, or a "
        "request for revision), newest first, each a short signed PDF rendered once.",
        responses={200: DecisionRecordSerializer(many=True), **errors(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        records = selectors.decision_record_list(case=case)
        return Response(
            DecisionRecordSerializer(records, many=True, context={"request": request}).data
        )


class DecisionRecordPdfApi(ApiView):
    """Download a rendered decision record."""

    def perform_content_negotiation(self, request, force=False):
        # The file's media type is chosen in ``get``; errors are always JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="decision_records_pdf_retrieve",
        tags=["reports"],
        summary="Download a decision record's PDF",
        description="The PDF as an attachment, as `application/pdf` or, for a client whose "
        "`Accept` prefers it, `application/octet-stream` (the same bytes). Each download is "
        "recorded in the case's audit trail (`decision_record_downloaded`) and access log. "
        "409 while the record is queued, rendering or failed.",
        responses={
            **{
                (200, media_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The signed decision record."
                )
                for media_type in PDF_MEDIA_TYPES
            },
            **errors(409, 500, *READ_ERRORS),
        },
    )
    def get(self, request: Request, decision_record_id) -> FileResponse:
        record = selectors.decision_record_get_for_user(
            user=request.user, decision_record_id=decision_record_id
        )
        # Open (and check) the file first, so a changed file is never recorded as downloaded.
        handle = decision_record_file_open(record) if record.status == ReportStatus.READY else None
        try:
            decision_record_download_record(record=record, actor=request.user, request=request)
        except BaseException:
            if handle is not None:
                handle.close()
            raise
        media_type = request.get_preferred_type(PDF_MEDIA_TYPES) or PDF_MEDIA_TYPES[0]
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{record.case.reference}-decision-record-{record.number}.pdf",
            content_type=media_type,
        )
        # Marked material: never keep a copy in a shared or browser cache.
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = "Accept"
        return response
