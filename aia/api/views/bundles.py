from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from aia import selectors
from aia.api.schema import READ_ERRORS, errors
from aia.api.views.base import ApiView
from aia.bundles import bundle_build, bundle_filename
from aia.models import AccessRecord
from aia.services.security import access_record

ZIP = "application/zip"


class CaseBundleApi(ApiView):
    """Download a case's evidence bundle."""

    def perform_content_negotiation(self, request, force=False):
        # The answer is always a ZIP; errors are always JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="cases_bundle_retrieve",
        tags=["cases"],
        summary="Download the case's evidence bundle",
        description="A ZIP, as an attachment named after the case reference, holding the "
        "case's audit trail with every event's hash (`audit/events.json`), every signed "
        "report (superseded ones included), the files of its source library, a "
        "`manifest.json` of every file's SHA-256 and the audit chain's head, and a "
        "`README.txt`. `manage.py verify_bundle` checks it without the database. For "
        "auditors and the case's SRO; 404 for anyone else, as for a case they may not see. "
        "Each download is recorded in the case's access log.",
        responses={
            (200, ZIP): OpenApiResponse(OpenApiTypes.BINARY, description="The evidence bundle."),
            **errors(*READ_ERRORS),
        },
    )
    def get(self, request: Request, case_id) -> FileResponse:
        case = selectors.case_get_for_bundle(user=request.user, case_id=case_id)
        bundle = bundle_build(case=case)
        access_record(
            user=request.user, case=case, what=AccessRecord.What.BUNDLE_DOWNLOADED, request=request
        )
        response = FileResponse(
            bundle, as_attachment=True, filename=bundle_filename(case), content_type=ZIP
        )
        # Marked material: never keep a copy in a shared or browser cache.
        response["Cache-Control"] = "private, no-store"
        return response
