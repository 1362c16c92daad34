"""Creating things once per submission: a form's one-time token, an API's Idempotency-Key."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from aia.canonical import sha256_of
from aia.exceptions import Conflict, InvalidInput
from aia.models import Submission, User

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    """What a submission was answered: a status and a JSON body (the API's response, or the
    page's redirect and message)."""

    status: int
    body: Any
    replayed: bool = False


class NotKept(Exception):
    """Raised by a submission's ``run`` to answer without keeping the answer (a refusal that
    created nothing, so that the same key may be tried again)."""

    def __init__(self, answer: Any) -> None:
        super().__init__("The answer is not kept.")
        self.answer = answer


def submission_once(
    *, user: User, key: str, path: str, body: Any, run: Callable[[], Answer]
) -> Answer | Any:
    """Run ``run`` once for the user's ``key``: the first time, in one transaction with a
    record of the key and the answer; a repeat gets the first answer (``replayed``), and a
    concurrent repeat waits for the first to finish. ``run`` raising ``NotKept(answer)`` (or
    any exception) keeps nothing, and the key may be used again: that answer is returned.

    A key used before for another path or another body is refused (409): it is a client's
    mistake, and replaying the other answer would mislead it.
    """
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"Send an idempotency key of 1 to {MAX_KEY_LENGTH} characters.",
            {"Idempotency-Key": [f"Use 1 to {MAX_KEY_LENGTH} characters."]},
        )
    fingerprint = sha256_of(body)
    try:
        with transaction.atomic():
            submission = _claimed(user, key, path, fingerprint)
            if submission is None:
                return _replay(user, key, path, fingerprint)
            answer = run()
            submission.status, submission.answer = answer.status, answer.body
            submission.save(update_fields=["status", "answer"])
            return answer
    except NotKept as refusal:
        return refusal.answer


def _claimed(user: User, key: str, path: str, fingerprint: str) -> Submission | None:
    """Record the key as this request's; ``None`` if a request made with it has committed.

    A concurrent request holding the key makes this wait until it commits (the unique
    constraint), or until it rolls back, and then the key is this request's.
    """
    try:
        with transaction.atomic():
            return Submission.objects.create(
                user=user, key=key, path=path, fingerprint=fingerprint, created_at=timezone.now()
            )
    except IntegrityError:
        return None


def _replay(user: User, key: str, path: str, fingerprint: str) -> Answer:
    first = Submission.objects.get(user=user, key=key)
    if (first.path, first.fingerprint) != (path, fingerprint):
        raise Conflict(
            "This idempotency key was used for another request. Send a new key with each "
            "new request, and the same key only to repeat that request exactly.",
            {"key": key},
        )
    return Answer(status=first.status, body=first.answer, replayed=True)
