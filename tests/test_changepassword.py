"""``manage.py changepassword`` changes a password as the admin does: token revoked, logged."""

import io

import pytest
from django.core.management import CommandError, call_command, get_commands
from rest_framework.authtoken.models import Token

from aia.management.commands.changepassword import Command
from aia.models import SecurityEvent
from tests.factories import PASSWORD
from tests.signing_in import assert_password_changed

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quite different passphrase 7"


@pytest.fixture
def typed(monkeypatch):
    """Answer the command's password prompts with the given answers, in order."""

    def type_answers(*answers: str) -> None:
        queue = list(answers)
        monkeypatch.setattr("getpass.getpass", lambda prompt="": queue.pop(0))

    return type_answers


def _changepassword(*args: str) -> str:
    out = io.StringIO()
    call_command(Command(), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_manage_py_changepassword_is_aias_command():
    assert get_commands()["changepassword"] == "aia"


def test_the_command_revokes_the_api_token_and_logs_the_change(team, typed):
    Token.objects.create(user=team.lead)
    typed(NEW_PASSWORD, NEW_PASSWORD)
    assert "Password changed successfully for user 'lead'" in _changepassword("lead")
    assert_password_changed(team.lead, NEW_PASSWORD)


def test_the_command_asks_again_until_the_password_is_typed_twice_and_valid(team, typed):
    typed(NEW_PASSWORD, "a typo", "lead", "lead", NEW_PASSWORD, NEW_PASSWORD)
    _changepassword("lead")
    team.lead.refresh_from_db()
    assert team.lead.check_password(NEW_PASSWORD)


def test_the_command_gives_up_after_three_attempts_and_changes_nothing(team, typed):
    token = Token.objects.create(user=team.lead)
    typed(*["short", "short"] * 3)
    with pytest.raises(CommandError, match="after 3 attempts"):
        _changepassword("lead")
    team.lead.refresh_from_db()
    assert team.lead.check_password(PASSWORD)
    assert Token.objects.filter(pk=token.pk).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED).exists()


def test_the_command_refuses_an_unknown_user(team):
    with pytest.raises(CommandError, match="user 'nobody' does not exist"):
        _changepassword("nobody")
