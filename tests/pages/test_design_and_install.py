"""The design reference (DEBUG only), the components it shows, and what makes the
site installable: icons, the web app manifest, the service worker."""

import json
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.test_security_headers import blocked_inline_code, header_problems
from units import charts

ROOT = Path(__file__).resolve().parents[2]


class TestDesignReference:
    def test_is_shown_in_debug_with_every_component(self, client, db, settings):
        settings.DEBUG = True

        response = client.get("/design/")

        html = response.content.decode()
        assert response.status_code == 200
        for component in (
            'class="podium"',
            'class="ranking',
            'class="change change-up"',
            "<progress",
            'class="stat"',
            'class="sparkline"',
            'class="columns"',
            'class="bar"',
            'class="avatar"',
            'class="emblem"',
            'class="medal"',
            'class="empty"',
            'class="toast"',
            'class="you-are-here"',
        ):
            assert component in html, component
        assert blocked_inline_code(html) == []
        assert header_problems(response) == []

    def test_is_not_there_in_production(self, client, db, settings):
        settings.DEBUG = False

        assert client.get("/design/").status_code == 404


class TestCharts:
    def test_a_sparkline_carries_every_value_in_words(self):
        with translation.override("vi"):
            svg = charts.sparkline([0, 1200, 46630], label="Điểm")

        assert 'aria-label="Điểm: 0, 1.200, 46.630"' in svg
        assert "style=" not in svg

    def test_columns_write_their_values_and_labels_as_text(self):
        svg = charts.column_chart([("T2", 12), ("T3", 0)], label="Người học")

        assert ">12</text>" in svg and ">T2</text>" in svg and ">0</text>" in svg
        assert 'role="img"' in svg

    def test_a_bar_is_as_long_as_its_share_and_never_longer(self):
        assert 'width="50"' in charts.bar(5, 10)
        assert 'width="100"' in charts.bar(50, 10)
        assert 'width="0"' in charts.bar(3, 0)

    @pytest.mark.parametrize(
        "name, letters",
        [
            ("Nguyễn Văn An", "NA"),
            ("Ẩn", "ẨN"),
            ("", "?"),
            ("🙂 Lan", "LA"),
        ],
    )
    def test_initials(self, name, letters):
        assert charts.initials(name) == letters

    def test_a_unit_emblem_leaves_out_its_kind(self):
        assert charts.unit_initials("Thôn Hồ Liễn") == "HL"
        assert charts.unit_initials("Xã Kê Sặt") == "KS"

    def test_the_same_name_has_the_same_colour(self):
        assert charts.colour_for("Lan") == charts.colour_for("Lan")
        assert charts.colour_for("Lan") in charts.AVATAR_COLOURS

    def test_names_are_escaped(self):
        svg = charts.column_chart([("<b>", 1)], label="<i>")

        assert "<b>" not in svg and "<i>" not in svg

    def test_numbers_in_vietnamese_and_english(self):
        template = Template("{% load ui %}{{ 46630|num }} {{ 1.9712|num }}")
        with translation.override("vi"):
            vi = template.render(Context())
        with translation.override("en"):
            en = template.render(Context())

        assert vi == "46.630 1,97"
        assert en == "46,630 1.97"


class TestInstallable:
    def test_the_manifest_names_the_app_and_its_icons(self, client, db):
        response = client.get("/manifest.webmanifest")

        manifest = json.loads(response.content)
        assert response["Content-Type"].startswith("application/manifest+json")
        assert manifest["name"] == "Thi Đua Số" and manifest["display"] == "standalone"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            path = ROOT / "static" / icon["src"].removeprefix("/static/")
            assert path.exists(), icon["src"]

    def test_every_page_links_the_manifest_and_icons(self, client, db):
        html = client.get("/").content.decode()

        assert 'rel="manifest" href="/manifest.webmanifest"' in html
        assert 'rel="icon"' in html and 'rel="apple-touch-icon"' in html

    def test_the_service_worker_is_served_from_the_root_never_stale(self, client, db):
        response = client.get("/sw.js")

        script = response.content.decode()
        assert response["Content-Type"].startswith("text/javascript")
        assert response["Service-Worker-Allowed"] == "/"
        assert "no-cache" in response["Cache-Control"]
        assert '"/offline/"' in script

    def test_the_service_worker_keeps_only_public_pages(self):
        script = (ROOT / "static/js/sw.js").read_text()

        # Only what the server marked public (a visitor's page) is kept, and only
        # boards, their JSON and static files are considered.
        assert r"/\bpublic\b/.test(control)" in script
        assert r"!/\b(private|no-store)\b/.test(control)" in script
        assert '"/leaderboards/"' in script and '"/api/v1/leaderboards/"' in script

    def test_the_offline_page_is_public(self, client, db):
        response = client.get("/offline/")

        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
