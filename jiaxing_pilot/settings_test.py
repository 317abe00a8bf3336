"""The test suite's settings: the real settings plus the test-only workflow app the core's tests use.

When the suite runs in parallel (pytest-xdist, ``make test``), each worker has its own database (pytest-django
adds the worker's name to it) and here its own Redis database: a real Celery worker or beat started by one
test must not take the tasks of a test running beside it."""

import os
import re

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … in a parallel run
# Once per worker: the processes a test starts (a Celery worker, beat) inherit the marker and take the
# REDIS_URL they are given as it is.
if re.fullmatch(r"gw\d+", _worker) and os.environ.get("REDIS_URL") and not os.environ.get("TEST_REDIS_OF_WORKER"):
    _url = re.match(r"^(.*?)(?:/(\d+))?/?$", os.environ["REDIS_URL"])
    _db = (int(_url.group(2) or 0) - int(_worker[2:])) % 16
    os.environ["REDIS_URL"] = f"{_url.group(1)}/{_db}"
    os.environ["TEST_REDIS_OF_WORKER"] = _worker

from jiaxing_pilot.settings import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, "workflow.tests.testapp"]  # noqa: F405
