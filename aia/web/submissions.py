"""Forms that create something carry a one-time token, so that a second click, a resent page or
a duplicated tab creates nothing more (``aia.services.submissions``)."""

import re
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from aia.services.submissions import Answer, submission_once

# The hidden field of the form, and what its value looks like (a UUID's hex).
FIELD = "submission"
_TOKEN = re.compile(r"[0-9a-f]{32}")
ALREADY_SENT = "This form was already sent, so nothing more was saved."


def submission_token(request: HttpRequest) -> str:
    """Return the form's one-time token: the one posted (a page shown again with errors keeps
    it), or a new one."""
    posted = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return posted if _TOKEN.fullmatch(posted) else uuid.uuid4().hex


def submit_once(request: HttpRequest, create: Callable[[], tuple[str, str]]) -> HttpResponse:
    """Run ``create`` (which returns where to go next and what to say) once per token, and go
    there; a repeat of the token goes where the first went, saying nothing more was saved.
    Whatever ``create`` raises (a refusal, field errors) saves nothing and keeps the token
    free, for the caller to show the form again."""
    token = request.POST.get(FIELD, "")

    def run() -> Answer:
        url, message = create()
        return Answer(status=302, body={"redirect": url, "message": message})

    if not _TOKEN.fullmatch(token):
        answer = run()  # a page from before the tokens: no repeat to guard against
    else:
        answer = submission_once(
            user=request.user, key=f"form:{token}", path=request.path, body={}, run=run
        )
    if answer.replayed:
        messages.info(request, ALREADY_SENT)
    else:
        messages.success(request, answer.body["message"])
    return redirect(answer.body["redirect"])
