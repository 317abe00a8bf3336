"""A county user logs in through the real form in Chromium and lands on the Chinese home page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_logs_in_and_sees_their_county(
    live_server, page, county_nanhu, browser_login, shots, csp_violations
):
    browser_login(county_nanhu)
    units = page.get_by_test_id("my-units")
    assert "南湖区" in units.inner_text()
    assert "我的待办" in page.content()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.screenshot(path=shots / "county-home.png", full_page=True)
    assert csp_violations == []


def test_phone_width_collapses_the_navigation(live_server, page, county_nanhu, browser_login, shots):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(county_nanhu)
    assert page.locator(".navbar-toggler").is_visible()
    assert not page.get_by_role("link", name="首页").is_visible()
    page.click(".navbar-toggler")
    # Bootstrap marks the menu "show" once its opening animation has ended; a click on an entry that is
    # still sliding in may land on the page beneath it.
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(page.get_by_role("link", name="首页")).to_be_visible()
    account = page.locator("#mainnav .dropdown-toggle")
    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.screenshot(path=shots / "county-home-phone.png")


def test_wrong_password_is_explained_in_chinese(live_server, page, county_nanhu):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "county_nanhu")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text(".alert-danger")
