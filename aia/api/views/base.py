from rest_framework.views import APIView

from aia.api.authentication import API_AUTHENTICATION


class ApiView(APIView):
    """Base of every authenticated API view: token authentication that brings the user's
    permissions with the token (``aia.api.authentication``), or the browser's session."""

    authentication_classes = API_AUTHENTICATION
