"""The test suite's settings: the real settings plus the test-only workflow app the core's tests use."""

from .settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "workflow.tests.testapp"]  # noqa: F405
