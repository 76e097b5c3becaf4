"""Every page fits a 320-pixel phone (WCAG 1.4.10 reflow) and is usable by thumb.

Every route of the URL conf (tests/routes.py, the list the security-header test
requests) is opened in Chromium at 320 × 640 CSS pixels on the demo province, as the
first persona that can open it (a visitor, the learner, the officer, the reviewer,
the council member, the organiser, the administrator); of the Django admin's add,
delete and history pages, one of each kind (ADMIN_KINDS_WALKED_ONCE). A page fails when it
scrolls sideways (naming its widest element) or when a control or a link outside
running text is smaller than 44 × 44 pixels.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.browser.conftest import serious_accessibility_violations, watched_page
from tests.demo_snapshot import load_demo
from tests.routes import (
    BROWSER_ACCEPT,
    complete_demo,
    not_a_page,
    page_urls,
    routes,
    url_of,
)
from units.models import Unit

PERSONAS = [None, "hocvien", "canbo", "thamdinh", "hoidong", "doanthanhnien", "quantri"]
PHONE = {"width": 320, "height": 640}
# The longest village name a province might type (60 characters): on the boards, the
# unit pages and the lists it must wrap, not push the page sideways.
LONG_NAME = "Thôn Đông Hưng Thịnh Vượng Phát Triển Bền Vững Nông Thôn Mới"

# What the page measures, in the page: the overflow and the widest element beyond
# the viewport; the targets smaller than 44 px that are not words in a sentence.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim()
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== "hidden";
  };
  let widest = null;
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && visible(el) && (!widest || r.width > widest.width)) {
      widest = {name: name(el), width: Math.round(r.width), right: Math.round(r.right)};
    }
  }
  // Words in a sentence, a table cell or a heading are exempt (WCAG 2.5.8's inline
  // exception); so is the skip link until it is focused.
  const inText = "p, dd, dt, td, th, h1, h2, h3, h4, caption, figcaption, .help, .muted, label, summary, legend, .skip-link";
  const small = [];
  for (const el of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    if (!visible(el) || el.closest("[hidden]")) continue;
    if (el.matches("a") && el.parentElement.closest(inText)) continue;
    let box = el.getBoundingClientRect();
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const label = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
      const row = el.closest(".checkbox") || label;
      if (!row) { small.push(name(el) + " (no label)"); continue; }
      box = row.getBoundingClientRect();
    }
    if (box.height < 43.5 || box.width < 43.5) {
      small.push(`${name(el)} “${(el.textContent || el.value || "").trim().slice(0, 30)}” ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return {overflow: document.documentElement.scrollWidth - width, widest, small};
}"""


def session_cookie(username: str, base_url: str) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return {
        "name": "sessionid",
        "value": client.cookies["sessionid"].value,
        "url": base_url,
    }


def first_able(contexts: dict, url: str, *, admin: bool = False) -> str | None:
    """The first persona whose browser gets the page itself (200, HTML). The Django
    admin's pages are the administrator's alone: asked of them first, they spare
    six refusals each (they are over half of the routes)."""
    order = list(contexts)
    if admin:
        order.sort(key=lambda persona: persona != "quantri")
    for persona in order:
        context = contexts[persona]
        response = context.request.get(
            url, headers={"Accept": BROWSER_ACCEPT}, max_redirects=0
        )
        if response.status == 200 and response.headers.get(
            "content-type", ""
        ).startswith("text/html"):
            return persona
    return None


# The Django admin's pages of these kinds are one template whatever the model (a
# confirmation, the object's history, an empty form of the fields its change page
# shows): one of each is walked. Its lists and change pages, which differ by model
# (columns, inlines), are walked for every model.
ADMIN_KINDS_WALKED_ONCE = ("_add", "_delete", "_history")


def phone_pages() -> list:
    """The routes the walk opens: every page, the admin's generic ones once."""
    pages, seen = [], set()
    for route in routes():
        if not_a_page(route):
            continue
        kind = next(
            (
                k
                for k in ADMIN_KINDS_WALKED_ONCE
                if route.key.startswith("admin:") and route.key.endswith(k)
            ),
            None,
        )
        if kind in seen:
            continue
        if kind:
            seen.add(kind)
        pages.append(route)
    return pages


# The pages are checked in shards that xdist's workers share (a page costs about a
# second: up to seven persona requests, the page itself, its measure and axe).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_fits_a_320_pixel_phone_and_a_thumb(
    browser, live_asgi, transactional_db, settings, tmp_path, shard
):
    settings.DEBUG = True  # seed_demo refuses to run in production
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(settings.MEDIA_ROOT)
    settings.DEBUG = False
    demo = complete_demo()
    Unit.objects.filter(name="Thôn Hồ Liễn").update(name=LONG_NAME)
    contexts = {}
    for persona in PERSONAS:
        page = watched_page(browser, axe=True)
        page.set_viewport_size(PHONE)
        if persona:
            page.context.add_cookies([session_cookie(persona, live_asgi)])
        contexts[persona] = page.context

    urls = page_urls(demo)
    problems, checked = [], 0
    pages = phone_pages()
    for route in pages[shard::SHARDS]:
        url = url_of(route, urls)
        persona = first_able(
            contexts, live_asgi + url, admin=route.key.startswith("admin")
        )
        if persona is None:
            continue
        page = contexts[persona].pages[0]
        page.goto(live_asgi + url, wait_until="load")
        found = page.evaluate(MEASURE)
        checked += 1
        if not url.startswith("/admin/"):
            for violation in serious_accessibility_violations(page):
                problems.append(f"{url} ({persona or 'visitor'}): axe: {violation}")
        who = persona or "visitor"
        if found["overflow"] > 0:
            problems.append(
                f"{url} ({who}): {found['overflow']} px wider than the screen; "
                f"widest: {found['widest']}"
            )
        # The Django admin keeps Django's own styles (a desktop tool of the
        # administrators): its pages must still reflow, its targets are Django's.
        if found["small"] and not url.startswith("/admin/"):
            problems.append(
                f"{url} ({who}): targets under 44 px: " + "; ".join(found["small"][:6])
            )

    violations = [v for c in contexts.values() for v in c.pages[0].policy_violations]
    for context in contexts.values():
        context.close()
    print(f"{checked} pages checked at 320 px")
    assert checked > 20, f"only {checked} pages could be opened"
    assert problems == [], "\n".join(problems)
    assert violations == []


@pytest.mark.parametrize("width", [320, 390])
def test_the_check_does_catch_a_page_wider_than_the_phone(page, width):
    page.set_viewport_size({"width": width, "height": 640})
    page.set_content(
        '<html><body><div id="wide" style="width: 500px">x</div>'
        '<a href="/x" style="display:inline-block;height:20px">tiny</a></body></html>'
    )

    found = page.evaluate(MEASURE)

    assert found["overflow"] > 0 and found["widest"]["name"] == "div#wide"
    assert found["small"] and "tiny" in found["small"][0]
