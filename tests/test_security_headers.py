"""Every page of the URL conf carries the security headers and passes its own policy.

The pages are found by walking the URL resolver, not listed by hand: a new view is
rendered here (or named in NOT_A_PAGE with its reason), or this test fails. Each is
requested as a visitor and as the demo's administrator (a superuser, who can open
every page, the Django admin included), officer and learner on the demo province of
`seed_demo`. The same walk reads each page as tests/test_pages_read_well.py does.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from tests.routes import (  # noqa: F401 (the demo fixture)
    NOT_A_PAGE,
    demo,
    not_a_page,
    routes,
    visit_every_page,
)
from tests.test_pages_read_well import walk_problems


class InlineCode(HTMLParser):
    """Collect what a strict Content-Security-Policy blocks in a page."""

    DATA_BLOCKS = {"application/json", "application/ld+json"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            if attributes.get("type") not in self.DATA_BLOCKS:
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}>')
            if name.startswith("on"):
                self.found.append(f"{name}= handler on <{tag}>")
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and value.strip().lower().startswith("javascript:")
            ):
                self.found.append(f"javascript: URL in <{tag} {name}>")

    handle_startendtag = handle_starttag


def blocked_inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


# Files we serve (evidence, certificates) carry a stricter policy of their own.
FILE_POLICY = "default-src 'none'; sandbox"


def header_problems(response) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy", "")
    for directive in (
        ()
        if policy == FILE_POLICY
        else (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        )
    ):
        if directive not in policy:
            problems.append(f"no {directive!r} in the Content-Security-Policy")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("an unsafe-* source in the Content-Security-Policy")
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "geolocation=()", "microphone=()", "payment=()"):
        if feature not in permissions:
            problems.append(f"no {feature} in the Permissions-Policy")
    return problems


def page_problems(route, url, response) -> list[str]:
    problems = [f"{url}: {problem}" for problem in header_problems(response)]
    if response.status_code >= 500:
        problems.append(f"{url}: answered {response.status_code}")
    if response.get("Content-Type", "").startswith("text/html") and hasattr(
        response, "content"
    ):
        for found in blocked_inline_code(response.content.decode()):
            problems.append(f"{url}: {found}")
    return problems


class TestEveryPage:
    def test_a_visitor_gets_the_policies_and_pages_that_pass_them(
        self,
        client,
        demo,  # noqa: F811
    ):
        problems = []
        for route, url, response in visit_every_page(client, demo):
            problems += page_problems(route, url, response)
            problems += walk_problems(route, url, response)

        assert problems == [], "\n".join(problems)

    def test_every_signed_in_page_is_private_and_passes_the_policy(
        self,
        client,
        demo,  # noqa: F811
    ):
        # The administrator opens every page; the officer and the learner see what
        # only they see (the learner's open invite with its QR code, say).
        problems = []
        for username in ("quantri", "canbo", "hocvien"):
            client.force_login(get_user_model().objects.get(username=username))
            for route, url, response in visit_every_page(client, demo):
                problems += page_problems(route, url, response)
                problems += walk_problems(route, url, response)
                is_page = response.status_code == 200 and response.get(
                    "Content-Type", ""
                ).startswith("text/html")
                if username == "quantri" and not is_page and not_a_page(route) is None:
                    problems.append(
                        f"{url} ({route.key}): {response.status_code} "
                        f"{response.get('Content-Type')}, not a page: render it for "
                        "the administrator or name it in NOT_A_PAGE"
                    )
                if is_page and not re.search(
                    r"\b(private|no-store)\b", response.get("Cache-Control", "")
                ):
                    problems.append(
                        f"{url} as {username}: Cache-Control "
                        f"{response.get('Cache-Control')!r} is not private"
                    )

        assert problems == [], "\n".join(problems)


def test_error_pages_pass_the_policy_too(client, administrator):
    client.force_login(administrator)

    response = client.get("/units/999999999/")

    assert response.status_code == 404
    assert header_problems(response) == []
    assert blocked_inline_code(response.content.decode()) == []


def test_every_exception_names_a_route_that_exists():
    # A stale entry would excuse a page that no longer exists, or a new one of the
    # same name.
    keys = {route.key for route in routes()}

    assert set(NOT_A_PAGE) - keys == set()


class TestTheInlineCodeFinder:
    """The finder itself: a check that cannot fail is no check."""

    @pytest.mark.parametrize(
        "html",
        [
            "<script>alert(1)</script>",
            "<style>p{color:red}</style>",
            '<p style="color:red">x</p>',
            '<img src="x.png" onerror="alert(1)">',
            '<a href="javascript:alert(1)">x</a>',
            "<svg><style>rect{fill:red}</style></svg>",
        ],
    )
    def test_finds_what_the_policy_blocks(self, html):
        assert blocked_inline_code(html) != []

    @pytest.mark.parametrize(
        "html",
        [
            '<script src="/static/js/board.js" data-board="1"></script>',
            '<script type="application/json" id="x">{"a": 1}</script>',
            '<svg class="segno"><path stroke="#000" d="M0 0h1"/></svg>',
            '<link rel="stylesheet" href="/static/css/site.css">',
        ],
    )
    def test_lets_files_and_data_pass(self, html):
        assert blocked_inline_code(html) == []


class TestPrivateWhenSignedIn:
    def test_a_signed_in_page_is_private_even_where_visitors_get_a_public_one(
        self, client, tree, citizen
    ):
        public = client.get("/leaderboards/")
        client.force_login(citizen)

        private = client.get("/leaderboards/")

        assert "public" in public["Cache-Control"]
        directives = {d.strip() for d in private["Cache-Control"].split(",")}
        assert directives == {"private", "max-age=0"}

    def test_a_response_that_never_read_the_session_keeps_its_own_caching(
        self, client, tree, citizen
    ):
        # The JSON API answers the same to everyone: a proxy may keep it.
        client.force_login(citizen)

        response = client.get("/api/v1/leaderboards/")

        assert response["Cache-Control"] == "public, max-age=60"
