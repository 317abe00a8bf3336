"""Accessibility: axe-core (WCAG 2.1 A and AA) finds no violation on any main page of any role, nor on the
login page. axe-core comes from npm (package.json, `npm ci`), kept for tests only and never served: it is
injected into each page, with the page's CSP bypassed for that one script.
"""

import os
from pathlib import Path

import pytest

from .site_pages import half_of, open_context, seed_demo_site, visitors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) =>
      n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")),
    count: v.nodes.length,
  }));
}"""


@pytest.fixture
def axe_path():
    if not AXE.exists():
        message = "axe-core is not installed (npm ci)"
        if os.environ.get("REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return AXE


def violations_of(page, axe_path):
    page.add_script_tag(path=str(axe_path))
    return page.evaluate(RUN_AXE, TAGS)


def describe(where, found):
    lines = []
    for v in found:
        lines.append(f"{where}: [{v['impact']}] {v['id']}（{v['count']}处）{v['help']}")
        lines += [f"    {node}" for node in v["nodes"]]
    return lines


# Two halves of the roles, so that a parallel run (make test) checks them side by side.
@pytest.mark.parametrize("half", [0, 1], ids=["roles-1-of-2", "roles-2-of-2"])
def test_no_wcag_violation_on_any_page_of_any_role(browser, live_server, axe_path, half):
    seed_demo_site()
    problems, checked = [], 0

    if half == 0:
        anonymous = open_context(browser, live_server, bypass_csp=True)
        page = anonymous.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        problems += describe("登录页", violations_of(page, axe_path))
        anonymous.close()
        checked += 1

    for visitor in half_of(visitors(), half):
        context = open_context(browser, live_server, visitor.username, bypass_csp=True)
        page = context.new_page()
        for name, path, _is_list in visitor.pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{visitor.username} {name} {path}: {response.status}"
            problems += describe(f"{visitor.username} · {name} ({path})", violations_of(page, axe_path))
            checked += 1
        context.close()
    assert checked >= 60  # every role's pages were really checked
    assert not problems, "axe-core（WCAG 2.1 A/AA）发现的问题：\n" + "\n".join(problems)
