"""Every page a role can use is reachable by following links from where it lands.

For each persona of the demo (a visitor and every demo account), the pages it can
use are found by requesting every route of the URL conf (tests/routes.py) as that
persona: those answering 200 with HTML. Then the site is crawled from the persona's
landing page (units/landing.py; "/" for a visitor), following same-site links. A
usable page that no link reaches is a page people only find by typing its address.
"""

import heapq
from html.parser import HTMLParser
from itertools import count
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve

from tests.routes import (  # noqa: F401 (the demo fixture)
    BROWSER_ACCEPT,
    demo,
    not_a_page,
    page_urls,
    routes,
    url_of,
)
from units.landing import landing_url

# Pages reached from outside the platform's own pages, and why.
REACHED_FROM_OUTSIDE = {
    "learning:invite": "the mentor's link or QR code, sent to the mentee",
    "account_confirm_email": "the link in the verification e-mail",
    "account_reset_password_from_key": "the link in the password-reset e-mail",
    "account_logout": "the header's sign-out button is a form, not a link",
    "account_inactive": "where sign-in sends a deactivated account",
    "pages:offline": "the service worker shows it when a page is asked for offline",
}
# Links a crawl does not follow: the admin has its own navigation, the language
# switch only sets a cookie.
NOT_FOLLOWED = ("/admin/", "/i18n/", "/static/", "/media/", "/evidence/", "/api/")
# A route with many addresses (a unit page, a board) is visited this often.
VISITS_PER_ROUTE = 4
PERSONAS = [None, "hocvien", "canbo", "thamdinh", "hoidong", "doanthanhnien", "quantri"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(url: str, html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        target = urlsplit(urljoin("http://testserver" + url, href))
        if target.netloc != "testserver" or target.path.startswith(NOT_FOLLOWED):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def route_key(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name if match.url_name else match.route


def is_page(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith(
        "text/html"
    )


class Pages:
    """A persona's GETs, each address requested once: the crawl comes back to the
    pages the first walk opened (49 of the officer's 160 requests, measured), and neither
    changes anything. A page answering 200 is kept; anything else is asked again
    with its redirects followed, as the crawl needs."""

    def __init__(self, client):
        self.client = client
        self.seen: dict[str, object] = {}

    def get(self, url: str, *, follow: bool = False):
        response = self.seen.get(url)
        if response is None or (follow and response.status_code != 200):
            response = self.client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT, follow=follow)
            self.seen[url] = response
        return response


def usable_pages(pages: Pages, demo) -> dict[str, str]:  # noqa: F811
    """route key -> URL of every page this persona can open."""
    urls = page_urls(demo)
    usable = {}
    for route in routes():
        if route.key.startswith("admin") or not_a_page(route):
            continue
        url = url_of(route, urls)
        if is_page(pages.get(url)):
            usable[route.key] = url
    return usable


def crawl(pages: Pages, start: str, usable: dict[str, str]) -> set[str]:
    """Route keys of the pages visited from `start` and of every link they hold,
    up to the moment every usable page is among them (what the test asks).

    Links to routes seen least are followed first; among those, links to the very
    pages this persona uses (`usable`: its own unit, its own board), then the
    deepest, so that the crawl goes down the unit tree (province, commune, village)
    instead of visiting every commune, and spends a route's visits on the persona's
    own units before others'; each route is visited at most VISITS_PER_ROUTE times.
    """
    own = set(usable.values())
    wanted = set(usable) - set(REACHED_FROM_OUTSIDE)
    reached, visits, seen, order = set(), {}, {start}, count()
    queue = [(0, False, 0, next(order), start, 0)]
    while queue and not wanted <= reached:
        times, _other, _depth, _n, url, depth = heapq.heappop(queue)
        key = route_key(url)
        if key is None or visits.get(key, 0) >= VISITS_PER_ROUTE:
            continue
        if visits.get(key, 0) != times:  # seen more since queued: requeue
            heapq.heappush(
                queue, (visits[key], url not in own, -depth, next(order), url, depth)
            )
            continue
        visits[key] = times + 1
        response = pages.get(url, follow=True)
        if not is_page(response):
            continue
        # Where a redirect (the footer's "my points") led.
        url = response.request["PATH_INFO"]
        reached.add(route_key(url))
        for link in links_of(url, response.content.decode()):
            reached.add(route_key(link))
            if link not in seen:
                seen.add(link)
                known = visits.get(route_key(link), 0)
                heapq.heappush(
                    queue,
                    (known, link not in own, -depth - 1, next(order), link, depth + 1),
                )
    return reached


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_a_role_can_use_is_linked_from_its_pages(
    client,
    demo,  # noqa: F811
    username,
):
    start = "/"
    if username:
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        start = landing_url(user)

    pages = Pages(client)
    usable = usable_pages(pages, demo)
    reached = crawl(pages, start, usable)

    unreachable = {
        key: url
        for key, url in usable.items()
        if key not in reached and key not in REACHED_FROM_OUTSIDE
    }
    assert unreachable == {}, (
        f"{username or 'a visitor'} can open these pages but no link from "
        f"{start} leads there: {unreachable}"
    )


def test_every_exception_names_a_route_that_exists():
    keys = {route.key for route in routes()}

    assert set(REACHED_FROM_OUTSIDE) - keys == set()
