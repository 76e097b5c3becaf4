"""Every page reads as Vietnamese is written, for each role of the demo.

Every route of the URL conf (tests/routes.py) is requested on the demo province whose
ids all start above 100,000, as a visitor, the administrator, the officer and the
learner (in the walk of tests/test_security_headers.py, which checks each page for
both) and the reviewer (here), and parsed:
- an id never carries the thousands separator into an address or a form value
  (USE_THOUSAND_SEPARATOR groups every number a template writes: "100.017");
- no "---------" placeholder in a list to choose from;
- no audit action code ("submission.approved") and no English state word
  ("submitted") in the text: what happened is said in words;
- people are named, never shown by their username.
The Django admin is the administrators' own tool and keeps its English terms.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from tests.routes import demo, visit_every_page  # noqa: F401 (the demo fixture)
from units.audit import described_actions
from units.demo import DEMO_ACCOUNTS

# A number written with the Vietnamese thousands separator: 100.017, 1.234.567.
GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{3})+(?![\d.])")
# Attributes that carry ids: addresses, form values, element ids, data for scripts.
ID_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "value",
    "id",
    "for",
    "name",
    "headers",
    "list",
}
STATE_WORDS = re.compile(
    r"\b(draft|submitted|approved|rejected|returned|appealed|pending|confirmed)\b"
)
USERNAMES = [account.username for account in DEMO_ACCOUNTS]


class PageReader(HTMLParser):
    """The visible text of a page and the attribute values that carry ids."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.id_values: list[tuple[str, str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in ID_ATTRIBUTES or name.startswith(("data-", "aria-"))):
                self.id_values.append((tag, name, value))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def reading_problems(url: str, html: str) -> list[str]:
    page = read(html)
    text = " ".join(page.text)
    problems = []
    grouped = [
        f'<{tag} {name}="{value}">'
        for tag, name, value in page.id_values
        if GROUPED.search(value)
    ]
    if grouped:
        problems.append(
            f"{url}: {grouped[0]} and {len(grouped) - 1} more: an id written with the "
            "thousands separator (use |unlocalize or {% url %})"
        )
    if "---------" in text:
        problems.append(
            f"{url}: a “---------” placeholder (give the field an empty_label)"
        )
    codes = sorted(code for code in described_actions() if ":" not in code)
    for code in codes:
        if code in text:
            problems.append(f"{url}: the audit code {code!r} shown instead of words")
    if match := STATE_WORDS.search(text):
        problems.append(f"{url}: the state word {match.group()!r} in a Vietnamese page")
    for username in USERNAMES:
        if re.search(rf"(?<![\w@.]){username}(?![\w@.])", text):
            problems.append(f"{url}: the username {username!r} where a name belongs")
    return problems


def page_html(url: str, response) -> str | None:
    """The HTML of one of our pages (the admin is the administrators' English tool)."""
    if url.startswith("/admin/") or response.status_code != 200:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    if not hasattr(response, "content"):
        return None
    return response.content.decode()


def walk_problems(route, url, response) -> list[str]:
    html = page_html(url, response)
    return [] if html is None else reading_problems(url, html)


class TestEveryPageReadsWell:
    # The visitor, the administrator, the officer and the learner are read in the
    # walk of tests/test_security_headers.py (one walk per persona checks both).
    @pytest.mark.parametrize("username", ["thamdinh"])
    def test_for_each_role(self, client, demo, username):  # noqa: F811
        client.force_login(get_user_model().objects.get(username=username))
        problems = []

        for route, url, response in visit_every_page(client, demo):
            problems += walk_problems(route, url, response)

        assert problems == [], "\n".join(problems)


class TestTheReader:
    """The checks themselves: each finds what it is for."""

    @pytest.mark.parametrize(
        "html",
        [
            '<a href="/submissions/100.017/">x</a>',
            '<option value="1.234.567">Thôn</option>',
            '<tr data-key="p100.017">',
            "<select><option>---------</option></select>",
            "<p>submission.approved</p>",
            "<p>Trạng thái: submitted</p>",
            "<p>Người gửi: canbo</p>",
        ],
    )
    def test_finds_what_does_not_read_well(self, html):
        assert reading_problems("/x/", html) != []

    @pytest.mark.parametrize(
        "html",
        [
            '<a href="/submissions/100017/">Thành tích</a>',
            "<p>46.630 điểm · 1,97 %</p>",
            "<p>canbo@demo.thiduaso.vn</p>",
            '<script type="application/ld+json">{"status": "approved"}</script>',
            '<option value="submission.approved">Duyệt thành tích</option>',
        ],
    )
    def test_lets_good_pages_pass(self, html):
        assert reading_problems("/x/", html) == []
