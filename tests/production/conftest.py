"""The production journey runs only inside .ci/production, against the app it started (PRODUCTION_URL)."""

import os

import pytest


@pytest.fixture(scope="session")
def production(django_db_blocker):
    """Where the running deployment is, and a way to write its data directly (the journey's starting point)."""
    url = os.environ.get("PRODUCTION_URL")
    if not url:
        pytest.skip("runs in CI's production leg only: .ci/production starts nginx, gunicorn, worker and beat")
    return {
        "url": url,
        "logs": os.environ["PRODUCTION_LOGS"],
        "ports": os.environ["PRODUCTION_WEB_PORTS"].split(","),
        "mail": os.environ["EMAIL_FILE_PATH"],
        "db": django_db_blocker,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The certificate is made at run time by .ci/production, so no browser trusts it.
    return {**browser_context_args, "ignore_https_errors": True}
