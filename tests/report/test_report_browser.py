"""The HTML report in a real headless Chromium: it runs without errors, sorts, filters, and
shows hostile AWS strings as text."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from driftctl.db.types import utcnow
from tests.report.browser import Rendered, dump_dom, needs_chromium
from tests.report.dom import Node, parse
from tests.report.estate import BREAKOUT_ID, IMG_REGION, XSS_TAG, seed_report_estate

pytestmark = needs_chromium

FRAGMENTS = {
    "default": "",
    "by_cost": "sort=cost",
    "filtered": "sort=cost&dir=asc&severity=critical&q=EU-WEST",
    "search": "status=open&q=alert(1)",
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Rendered]]:
    """One report, opened once per URL fragment (in parallel: each launch takes a second)."""
    from driftctl.config import load_settings
    from driftctl.render.html_report import render_html
    from driftctl.services.context import open_context
    from driftctl.services.report import build_report
    from tests.conftest import _migrate

    work = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as env:
        # Nothing from this machine's driftctl configuration may shape the report.
        env.setenv("XDG_CONFIG_HOME", str(work / "config"))
        env.setenv("XDG_CACHE_HOME", str(work / "cache"))
        env.setenv("HOME", str(work))
        env.delenv("DRIFTCTL_CONFIG", raising=False)
        env.chdir(work)
        url = f"sqlite:///{work / 'driftctl.db'}"
        _migrate(url)
        ctx = open_context(load_settings(database_url=url), command="pytest")
        try:
            seeded = seed_report_estate(ctx, utcnow())
            page = work / "report.html"
            page.write_text(render_html(build_report(ctx, now=seeded.now)), encoding="utf-8")
        finally:
            ctx.dispose()
        with ThreadPoolExecutor(max_workers=len(FRAGMENTS)) as pool:
            futures = {
                name: pool.submit(dump_dom, page, fragment, work / f"profile-{name}")
                for name, fragment in FRAGMENTS.items()
            }
            yield {name: future.result() for name, future in futures.items()}


def rows(doc: Node) -> list[Node]:
    return doc.by_id("drift-rows").find_all("tr")


def cells(row: Node, css: str) -> str:
    (cell,) = [n for n in row.find_all("td") if css in (n.attrs.get("class") or "").split()]
    return cell.text


def test_the_page_runs_without_console_errors(pages: dict[str, Rendered]) -> None:
    for name, rendered in pages.items():
        assert rendered.console == [], name
        body = parse(rendered.dom).find("body")
        assert body.attrs.get("data-ready") == "1", name
        assert "data-pwned" not in body.attrs, name


def test_the_table_shows_every_open_drift(pages: dict[str, Rendered]) -> None:
    doc = parse(pages["default"].dom)

    assert doc.by_id("shown-count").text == "6"
    assert doc.by_id("total-count").text == "6"
    assert "hidden" not in doc.by_id("drift-controls").attrs
    table = doc.by_id("drift-table")
    assert (table.attrs["data-sort"], table.attrs["data-dir"]) == ("severity", "desc")
    severities = [r.attrs["data-severity"] for r in rows(doc)]
    assert severities == ["critical", "critical", "warning", "warning", "warning", "info"]
    assert doc.find("th", data_key="severity").attrs["aria-sort"] == "descending"
    assert doc.find("th", data_key="cost").attrs["aria-sort"] == "none"


def test_hostile_strings_are_text(pages: dict[str, Rendered]) -> None:
    dom = pages["default"].dom
    doc = parse(dom)

    # Only the page's own two script elements exist, and nothing ran from the data.
    scripts = doc.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None]
    assert not any(s.text.strip().startswith(("alert", "document.body")) for s in scripts)
    assert doc.find_all("img") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    by_resource = {cells(r, "resource"): r for r in rows(doc)}
    hostile = by_resource[BREAKOUT_ID]
    assert cells(hostile, "region") == IMG_REGION
    actuals = [n.text for n in by_resource["acme-logs"].walk() if n.attrs.get("class") == "actual"]
    assert actuals == [XSS_TAG]


def test_a_url_fragment_sorts_by_cost(pages: dict[str, Rendered]) -> None:
    doc = parse(pages["by_cost"].dom)

    costs = [float(r.attrs["data-cost"]) for r in rows(doc)]
    assert costs == [105.12, 30.37, 15.18, 7.5, 0.0, 0.0]
    assert [cells(r, "cost") for r in rows(doc)][:2] == ["105.12", "30.37"]
    assert doc.by_id("drift-table").attrs["data-sort"] == "cost"
    assert doc.find("th", data_key="cost").attrs["aria-sort"] == "descending"


def test_a_url_fragment_filters_and_sorts_ascending(pages: dict[str, Rendered]) -> None:
    doc = parse(pages["filtered"].dom)

    assert doc.by_id("shown-count").text == "2"
    assert [cells(r, "resource") for r in rows(doc)] == ["sg-0123456789abcdef0", "shadow-db"]
    assert doc.find("th", data_key="cost").attrs["aria-sort"] == "ascending"


def test_the_text_filter_searches_difference_values(pages: dict[str, Rendered]) -> None:
    doc = parse(pages["search"].dom)

    assert [cells(r, "resource") for r in rows(doc)] == ["acme-logs"]
    assert doc.by_id("shown-count").text == "1"


def test_the_sort_headers_are_buttons(pages: dict[str, Rendered]) -> None:
    doc = parse(pages["default"].dom)

    keys = [th.attrs["data-key"] for th in doc.find_all("th") if "data-key" in th.attrs]
    assert keys == ["severity", "status", "kind", "type", "resource", "region", "cost", "detected"]
    assert all(th.find("button").attrs == {"type": "button"} for th in doc.find_all("th")[:8])
