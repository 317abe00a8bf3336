"""Fault drills (issue 26, point 4) against the deployment .ci/production started, after the journey: the worker
killed with SIGKILL while it is inside an SMTP send, one web instance killed with SIGKILL, PostgreSQL restarted,
Redis stopped for 30 s. Each drill checks what a user would notice: the status of the pages, what they show after
the fault, how many copies of an e-mail arrived. The processes are stopped and started by `.ci/production control`
(the leg's own PostgreSQL cluster, redis-server and SMTP server on free ports, never the machine's shared ones).

The drills run in the order written and share the people and records made here. The killed worker's e-mail is
checked late (test_the_email_cut_off_by_the_killed_worker_arrives_exactly_once): the outbox sweep that sends it
again runs once a minute, and the other drills run meanwhile."""

import email
import email.policy
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.production.test_production_journey import RETURN_REASON, _person, login, second_factor, wait_until

pytestmark = pytest.mark.browser
REDIS_OUTAGE_SECONDS = 30  # the one fixed duration: how long the issue asks Redis to stay down
RETURNED = "已退回修改"
SUBMITTED = "已提交"
shared = {}  # what one drill leaves for a later one (they run in file order)


@pytest.fixture(scope="module")
def drill(production, browser):  # every drill takes the browser: pytest keeps them in file order
    control = os.environ.get("PRODUCTION_CONTROL")
    if not control:
        pytest.skip("runs in CI's production leg only")

    def run(action, *args):
        started = time.monotonic()
        command = ["/bin/bash", control, "control", action, *map(str, args)]  # the leg's own script
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)  # noqa: S603
        return time.monotonic() - started

    return {**production, "control": run, "smtp": Path(os.environ["PRODUCTION_SMTP"])}


@pytest.fixture(scope="module")
def people(drill):
    with drill["db"].unblock():
        return {
            "office": _person("office_fault", "reform-office", "reform_office", "赵演练"),
            "county": _person("county_fault", "nanhu", "county", "南湖演练员"),
        }


def submitted_application(people, title):
    """An application the county has submitted (written directly: the drills are about what happens next)."""
    from applications import services
    from applications.tests.factories import filled_application, listed_candidate, open_batch

    candidate = listed_candidate(people["office"], open_batch(people["office"]), title=title)
    return services.submit_application(
        actor=people["county"], application=filled_application(people["county"], candidate)
    )


def return_to_county(page, url, app):
    page.goto(f"{url}/applications/{app.pk}/")
    expect(page.get_by_test_id("state")).to_have_text(SUBMITTED)
    page.fill("#id_comment", RETURN_REASON)
    page.get_by_test_id("action-return_to_county").click()
    page.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(page.get_by_test_id("state")).to_have_text(RETURNED)


def messages_in(folder, to):
    """The messages in an SMTP sink folder addressed to ``to``, parsed."""
    found = []
    for path in sorted(Path(folder).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to in str(message["To"]):
            found.append(message)
    return found


def access_log(drill):
    return (Path(drill["logs"]) / "jiaxing-pilot.access.log").read_text(encoding="utf-8").splitlines()


def answers(page, url, path="/"):
    response = page.goto(f"{url}{path}")
    return response.status


# --- 1. the worker killed inside an SMTP send ------------------------------------------------------------------------
def test_the_worker_killed_inside_an_smtp_send_leaves_the_email_to_be_sent_again(drill, people, browser):
    url, county = drill["url"], people["county"]
    with drill["db"].unblock():
        app = submitted_application(people, "演练：邮件发送中断")
    # The SMTP server keeps the county's messages after their last byte, before its answer: the worker that
    # sends one is blocked inside smtplib, waiting for "250".
    (drill["smtp"] / "hold").write_text(county.email + "\n")
    office = login(browser, drill, people["office"])
    return_to_county(office, url, app)  # the web process queues the county's e-mail for the worker

    (held,) = wait_until(lambda: messages_in(drill["smtp"] / "held", county.email), "the worker to be mid-send")
    with drill["db"].unblock():
        from workflow.models import Notification

        note = Notification.objects.get(recipient=county, log__object_id=app.pk)
        assert note.email_status == Notification.EmailStatus.SENDING

    drill["control"]("kill-worker")  # SIGKILL: the worker process and its pool processes, mid-send
    wait_until(lambda: messages_in(drill["smtp"] / "aborted", county.email), "the SMTP server to see the sender go")
    assert messages_in(Path(drill["mail"]), county.email) == []  # not delivered: no "250" was given
    drill["control"]("start-worker")
    (drill["smtp"] / "hold").unlink()  # the mail server answers again

    # The user saw nothing of it: the return was saved and shows.
    office.reload()
    expect(office.get_by_test_id("state")).to_have_text(RETURNED)
    shared["cut_off"] = {"app": app, "note": note.pk, "subject": str(held["Subject"]), "office": office}


# --- 2. one web instance killed ------------------------------------------------------------------------------------
def test_a_killed_web_instance_loses_no_submitted_form_and_comes_back(drill, people):
    url, office = drill["url"], shared["cut_off"]["office"]
    office.goto(f"{url}/accounts/preferences/")
    office.wait_for_load_state("networkidle")
    # nginx (one worker process, round-robin) hands the next request to the instance it did not use last: that
    # one is killed, so the user's next form goes to a dead instance first.
    last = next(m[1] for line in reversed(access_log(drill)) if (m := re.search(r"upstream=127\.0\.0\.1:(\d+) ", line)))
    (dead,) = [port for port in drill["ports"] if port != last]
    alive = last
    drill["control"]("kill-web", dead)

    # The user goes on saving 常用意见 (a form POST each). Round-robin sends some of them to the dead instance
    # first: its connection is refused, nothing was sent, and nginx hands the POST to the live one.
    saved = []
    for n in range(1, 7):
        text = f"演练常用意见{n}"
        office.fill("#phrase-text", text)
        with office.expect_response(lambda r: r.request.method == "POST") as posted:
            office.get_by_test_id("phrase-add").click()
        assert posted.value.status == 302, posted.value.status
        office.wait_for_url(f"{url}/accounts/preferences/")
        expect(office.get_by_role("alert").filter(has_text="常用意见已保存")).to_be_visible()
        saved.append(text)
        if any(
            f"upstream=127.0.0.1:{dead}, 127.0.0.1:{alive}" in line and '"POST /phrases/' in line
            for line in access_log(drill)
        ):
            break
    else:
        raise AssertionError("no POST met the dead instance: the drill proved nothing")
    for text in saved:  # no form was lost
        expect(office.get_by_test_id("phrase").filter(has_text=text)).to_have_count(1)
    errors = (Path(drill["logs"]) / "jiaxing-pilot.error.log").read_text(encoding="utf-8")
    assert "connect() failed (111: Connection refused) while connecting to upstream" in errors
    assert f"127.0.0.1:{dead}" in errors

    drill["control"]("start-web", dead)  # systemd's Restart=on-failure, by hand
    # nginx tries it again (at the latest once fail_timeout, 10 s, has passed): it answers the user's pages again.
    marker = len(access_log(drill))

    def served_by_restarted():
        assert answers(office, url, "/accounts/preferences/") == 200
        return any(f"upstream=127.0.0.1:{dead} " in line and '" 200 ' in line for line in access_log(drill)[marker:])

    wait_until(served_by_restarted, f"nginx to send requests to the restarted :{dead}", timeout=40)


# --- 3. PostgreSQL restarted ---------------------------------------------------------------------------------------
def test_after_a_postgresql_restart_the_next_pages_answer_without_restarting_the_app(drill, people):
    url, office, app = drill["url"], shared["cut_off"]["office"], shared["cut_off"]["app"]
    # Every web process holds a kept connection (CONN_MAX_AGE) before the restart.
    for _ in range(6):
        assert office.context.request.get(f"{url}/applications/{app.pk}/").status == 200
    drill["control"]("restart-postgres")  # fast shutdown: every connection is cut
    with drill["db"].unblock():  # this test process's own connection too; it is not what is tested here
        connections.close_all()
    # The very next pages answer: each process tests its kept connection first (CONN_HEALTH_CHECKS) and
    # reconnects. Enough requests to reach every process of both instances (two each).
    for _ in range(8):
        response = office.context.request.get(f"{url}/applications/{app.pk}/")
        assert response.status == 200, response.status
    office.goto(f"{url}/applications/{app.pk}/")
    expect(office.get_by_test_id("state")).to_have_text(RETURNED)
    # and a write goes through
    office.goto(f"{url}/accounts/preferences/")
    office.fill("#phrase-text", "重启数据库之后")
    office.get_by_test_id("phrase-add").click()
    expect(office.get_by_role("alert").filter(has_text="常用意见已保存")).to_be_visible()


# --- 1, continued: the cut-off e-mail -------------------------------------------------------------------------------
def test_the_email_cut_off_by_the_killed_worker_arrives_exactly_once(drill, people):
    county, cut_off = people["county"], shared["cut_off"]
    # The outbox sweep (beat, once a minute) finds the row still 'sending' with no live sender and sends it.
    arrived = wait_until(lambda: messages_in(drill["mail"], county.email), "the e-mail to be sent again", 150)
    assert len(arrived) == 1, [(str(m["Subject"]), str(m["Date"])) for m in arrived]  # exactly once
    (delivered,) = arrived
    assert str(delivered["Subject"]) == cut_off["subject"]
    with drill["db"].unblock():
        from workflow.models import Notification

        note = Notification.objects.get(pk=cut_off["note"])
    assert (note.email_status, note.email_attempts) == (Notification.EmailStatus.SENT, 2), note.email_error
    shared["sweeps_at_delivery"] = sweeps(drill)


def sweeps(drill):
    log = (Path(drill["logs"]) / "worker.log").read_text(encoding="utf-8", errors="replace")
    return len(re.findall(r"deliver_pending\[[^]]+\] succeeded", log))


# --- 4. Redis stopped for 30 s --------------------------------------------------------------------------------------
def posted_status(page, submit):
    """Submit a form the way the user does and return the status of its POST (a 500 page is an answer too)."""
    with page.expect_response(lambda r: r.request.method == "POST", timeout=15_000) as posted:
        submit()
    page.wait_for_load_state()
    return posted.value.status


def sign_in_status(browser, drill, user):
    context = browser.new_context(ignore_https_errors=True, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{drill['url']}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    return page, posted_status(page, lambda: page.click("button[type=submit]"))


def shown_state(page, url, app):
    response = page.goto(f"{url}/applications/{app.pk}/")
    assert response.status == 200, response.status
    state = page.get_by_test_id("state")
    page.wait_for_load_state()
    assert state.count() == 1, (page.url, page.title(), page.locator("main").inner_text()[:300])
    return state.inner_text().strip()


def test_redis_stopped_for_30_s_and_started_again_leaves_no_page_stale(drill, people, browser):
    url, office = drill["url"], shared["cut_off"]["office"]
    with drill["db"].unblock():
        app = submitted_application(people, "演练：缓存中断")
    county = login(browser, drill, people["county"])
    assert shown_state(county, url, app) == SUBMITTED  # seen, and whatever is cached of it, before the outage
    leaving = login(browser, drill, people["county"])  # a session that signs out during the outage
    office.goto(f"{url}/applications/{app.pk}/")
    office.fill("#id_comment", RETURN_REASON)

    seen = shared["during_redis_outage"] = {}
    arriving = None
    stopped = time.monotonic()
    drill["control"]("stop-redis")
    try:  # what each user gets while Redis is down (asserted in the next test)
        seen["signed-in page"] = county.goto(f"{url}/applications/{app.pk}/").status
        seen["list"] = county.goto(f"{url}/applications/").status
        arriving, seen["sign-in"] = sign_in_status(browser, drill, people["county"])
        seen["return to county"] = posted_status(office, office.get_by_test_id("action-return_to_county").click)
        logout = leaving.locator("form[action='/accounts/logout/']").first
        seen["sign-out"] = posted_status(leaving, lambda: logout.evaluate("form => form.requestSubmit()"))
    finally:
        time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - stopped)))
        drill["control"]("start-redis")
        # for the leg's summary: what the users got while Redis was down
        summary = ", ".join(f"{what} {status}" for what, status in seen.items())
        (Path(drill["logs"]) / "redis-outage.txt").write_text(summary + "\n", encoding="utf-8")

    # Back: every page answers, and none is stale: each shows what the database holds now, whatever the outage
    # let through, to the sessions from before it and the one made during it.
    with drill["db"].unblock():
        app.refresh_from_db()
        now = app.get_status_display()
        session_key = {c["name"]: c["value"] for c in leaving.context.cookies()}.get("sessionid")
        leaving_signed_out = not Session.objects.filter(session_key=session_key).exists()
    for page in (p for p in (county, office, arriving) if p):
        page.goto(f"{url}/")
        if "/otp/verify/" in page.url:  # signed in with the password during the outage: the second factor is next
            page.fill("#id_token", second_factor(people["county"]))
            page.press("#id_token", "Enter")
            page.wait_for_url(f"{url}/")
        if "/accounts/login/" not in page.url:
            assert shown_state(page, url, app) == now
    if seen["return to county"] == 302:
        assert now == RETURNED
        county.goto(f"{url}/applications/{app.pk}/")
        expect(county.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    leaving.goto(f"{url}/applications/")
    assert ("/accounts/login/" in leaving.url) == leaving_signed_out  # a sign-out that went through holds
    if seen["sign-out"] == 302:
        assert leaving_signed_out
    for page in (p for p in (county, arriving, leaving) if p):
        page.context.close()


def test_pages_answered_while_redis_was_down(drill):
    seen = shared["during_redis_outage"]
    assert seen == {
        "signed-in page": 200,
        "list": 200,
        "sign-in": 302,
        "return to county": 302,
        "sign-out": 302,
    }, seen


# --- and no e-mail twice ------------------------------------------------------------------------------------------
def test_no_email_was_accepted_twice(drill, people):
    county = people["county"]
    # One more sweep after the delivery (it would be the one to send a second copy), then count again.
    wait_until(lambda: sweeps(drill) > shared["sweeps_at_delivery"], "another outbox sweep", 100)
    cut_off = shared["cut_off"]
    link = f"/applications/{cut_off['app'].pk}/"  # the e-mail links the record (the subject names only the act)
    copies = [
        m
        for m in messages_in(drill["mail"], county.email)
        if str(m["Subject"]) == cut_off["subject"] and link in m.get_body(preferencelist=("plain",)).get_content()
    ]
    assert len(copies) == 1, [str(m["Subject"]) for m in copies]
    if shared["during_redis_outage"].get("return to county") == 302:
        # the return made while Redis was down (the broker too: queueing failed) is e-mailed by the sweep
        wait_until(lambda: len(messages_in(drill["mail"], county.email)) == 2, "the outage's e-mail", 100)
    shared["cut_off"]["office"].context.close()
