"""With Redis configured (production), the API's throttles count across processes, and a
Redis outage does not stop the API.

Each request is made by a fresh Python process with the deployment's settings (``REDIS_URL``
set), as separate gunicorn workers would be. They need PostgreSQL (the processes share the
test database) and redis-server (tests/tools.py; make test provides both).
"""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from tests.factories import PASSWORD
from tests.integration.stack import child_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.needs("redis"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

TOKEN_URL = "/api/v1/auth/token/"

# Posts the credentials given as JSON on the command line to the token endpoint, through the
# whole middleware stack, and prints the status and the body.
CLIENT = """
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().post({url!r}, data=sys.argv[1], content_type="application/json")
print(json.dumps({{"status": response.status_code, "body": response.content.decode()}}))
"""


def _post_in_new_process(redis_url: str, username: str, password: str) -> dict:
    env = child_env(redis_url, AIA_API_THROTTLE_AUTH="3/min")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CLIENT.format(url=TOKEN_URL),
            json.dumps({"username": username, "password": password}),
        ],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_sign_in_throttle_counts_across_processes(team, redis):
    for _ in range(3):
        answer = _post_in_new_process(redis.url, "sro", "wrong-password")
        assert answer["status"] == 400, answer
    # A fourth process, even with the right password, is over the rate the others used up.
    answer = _post_in_new_process(redis.url, "lead", PASSWORD)
    assert answer["status"] == 429, answer
    assert "try again" in json.loads(answer["body"])["message"]


def test_the_api_still_answers_while_redis_is_down(team, redis):
    redis.stop()
    answer = _post_in_new_process(redis.url, "lead", PASSWORD)
    assert answer["status"] == 200, answer
    assert json.loads(answer["body"])["token"]
    answer = _post_in_new_process(redis.url, "lead", "wrong-password")
    assert answer["status"] == 400, answer
