"""Phones (390×844): every list page of every role reads without squeezing. No visible table cell is narrower
than four Chinese characters (lists become stacked cards; a table that stays a table scrolls sideways in its
own wrapper), and no page of any role (lists, records, forms) scrolls sideways itself.
"""

import pytest

from .site_pages import half_of, open_context, seed_demo_site, visitors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}

# Per page: does the document scroll sideways, and which visible cells are narrower than four characters
# (content box against 4 × the cell's own font size). A cell inside a clipped, visually hidden header is not seen.
MEASURE = """() => {
  const root = document.documentElement;
  const narrow = [];
  const hidden = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const box = node.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return true;
      if (getComputedStyle(node).display === "none") return true;
    }
    return false;
  };
  const tables = document.querySelectorAll("main table");
  for (const cell of document.querySelectorAll("main table th, main table td")) {
    if (hidden(cell)) continue;
    const style = getComputedStyle(cell);
    const content = cell.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const fourChars = 4 * parseFloat(style.fontSize);
    if (content < fourChars - 0.5) {
      const text = cell.textContent.trim().slice(0, 12);
      narrow.push(`${cell.tagName.toLowerCase()} “${text}” ${Math.round(content)}px < ${Math.round(fourChars)}px`);
    }
  }
  return {scrollWidth: root.scrollWidth, viewport: root.clientWidth, tables: tables.length, narrow: narrow.slice(0, 5)};
}"""


# Two halves of the roles, so that a parallel run (make test) checks them side by side.
@pytest.mark.parametrize("half", [0, 1], ids=["roles-1-of-2", "roles-2-of-2"])
def test_every_page_reads_on_a_phone_without_squeezed_columns(browser, live_server, half):
    seed_demo_site()
    problems, tables_seen = [], 0
    for visitor in half_of(visitors(), half):
        context = open_context(browser, live_server, visitor.username, **PHONE)
        page = context.new_page()
        for name, path, is_list in visitor.pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{visitor.username} {name} {path}: {response.status}"
            page.wait_for_load_state("load")
            result = page.evaluate(MEASURE)
            tables_seen += result["tables"]
            where = f"{visitor.username} · {name} ({path})"
            if result["scrollWidth"] > result["viewport"]:
                problems.append(f"{where}: 页面横向滚动（{result['scrollWidth']}px > {result['viewport']}px）")
            if is_list:
                problems += [f"{where}: {cell}" for cell in result["narrow"]]
        context.close()
    assert tables_seen >= 10  # the lists were really there
    assert not problems, "手机宽度下的问题：\n" + "\n".join(problems)
