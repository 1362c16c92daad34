from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aia.api.auth import token_obtain
from aia.api.authentication import token_expires_at
from aia.api.fields import StrictCharField, StrictSerializer
from aia.api.schema import errors
from aia.api.throttling import AuthTokenThrottle


class TokenCreateApi(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthTokenThrottle]

    class InputSerializer(StrictSerializer):
        username = StrictCharField(max_length=150)
        password = StrictCharField(trim_whitespace=False, max_length=4096, write_only=True)
        otp = StrictCharField(
            required=False,
            max_length=20,
            write_only=True,
            help_text="The 6-digit code from the user's authenticator app. Required for legal "
            "advisers, SROs, ministers and superusers, who set the app up by signing in to "
            "the browser once.",
        )

        class Meta:
            ref_name = "TokenRequest"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(
            help_text="Send it as `Authorization: Token <token>` on every other request."
        )
        expires_at = serializers.DateTimeField(
            help_text="When the token stops working (`AIA_API_TOKEN_LIFETIME_HOURS` after it "
            "was issued; 24 by default). Sign in again then for a new one."
        )

        class Meta:
            ref_name = "Token"

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        summary="Get an API token",
        description="Returns the same token on every sign-in until it expires, then a new "
        "one. Wrong credentials and inactive accounts both get 400. Roles that sign in with a "
        "second factor must also send `otp`, the current code from their authenticator app; a "
        "missing or wrong code is a 400 on the `otp` field. Throttled per client address.",
        auth=[],
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400, 413, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_obtain(request=request._request, **serializer.validated_data)
        answer = {"token": token.key, "expires_at": token_expires_at(token.created)}
        return Response(self.OutputSerializer(answer).data, status=status.HTTP_200_OK)
