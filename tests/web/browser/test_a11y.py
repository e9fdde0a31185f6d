"""axe-core over every page, at desktop and phone size: no serious or critical violation.

axe-core comes from npm (package.json, package-lock.json; scripts/test.sh runs ``npm ci``) and is
evaluated in the page through the DevTools protocol, which the page's CSP does not govern, so
the page is checked under its real policy. Each page is also saved as a screenshot.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser.site import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` (scripts/test.sh does)")
    return AXE.read_text()


# Playwright's evaluate has no timeout of its own: axe.run once gave no answer at all in a full
# run (the suite waited until it was stopped). The page gives it 60 s, then says so.
AXE_RUN = """() => Promise.race([
    axe.run(document, {resultTypes: ['violations']}),
    new Promise(resolve => setTimeout(() => resolve({noAnswer: true}), 60000)),
])"""


def axe_violations(page, source: str) -> list[dict]:
    page.evaluate(source)
    result = page.evaluate(AXE_RUN)
    if result.get("noAnswer"):  # once more on the page loaded afresh; a second silence fails
        page.reload()
        page.wait_for_load_state("networkidle")
        page.evaluate(source)
        result = page.evaluate(AXE_RUN)
        assert not result.get("noAnswer"), f"axe.run gave no answer in 60 s, twice, on {page.url}"
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(name: str, violations: list[dict]) -> list[str]:
    return [f"{name}: {v['id']} ({v['impact']}) {v['help']} — "
            + "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                        for n in v["nodes"][:4])
            for v in violations]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_has_no_serious_accessibility_violation_and_fits_the_screen(sign_in, axe_source, size):
    site = Site()
    people: dict[str, object] = {}
    found: list[str] = []
    too_wide: list[tuple[str, int]] = []
    visits = site.visits()
    for visit in visits:
        if visit.who not in people:
            people[visit.who] = sign_in(getattr(site, visit.who) if visit.who else None, size=size)
        person = people[visit.who]
        response = person.page.goto(visit.path)
        assert response.status == 200, (visit.name, response.status)
        person.page.wait_for_load_state("networkidle")
        person.shot(f"{size}-{visit.name}")
        found += describe(visit.name, axe_violations(person.page, axe_source))
        width = person.page.evaluate("() => document.documentElement.scrollWidth")
        if width > person.page.viewport_size["width"]:  # the page itself scrolls sideways
            too_wide.append((visit.name, width))
    assert len(visits) >= 20
    assert found == [], "\n".join(found)
    assert too_wide == []
    for who, person in people.items():
        assert person.errors == [], (who, person.errors)


def test_axe_finds_what_it_is_meant_to_find(sign_in, axe_source, live_server):
    """The check can fail: an image without a text alternative on a page is reported."""
    person = sign_in(None, size="phone")
    person.page.goto("/dang-nhap/")
    person.page.evaluate("() => { const i = document.createElement('img'); i.src = '/static/docflow/icon-192.png';"
                         " document.querySelector('main').appendChild(i); }")
    ids = {v["id"] for v in axe_violations(person.page, axe_source)}
    assert "image-alt" in ids
