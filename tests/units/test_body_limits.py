"""Request bodies over their path's limit are refused before anything reads them.

The requests go through the real ASGI stack (config.asgi.application: the guard,
then Django) in this process; tests/test_server_memory.py does the same through a
real server in its own process and measures its memory.
"""

import re

import pytest
from django.conf import settings
from django.contrib.admindocs.views import (
    extract_views_from_urlpatterns,
    simplify_regex,
)
from django.urls import get_resolver
from django.utils import translation

from tests.asgi import Exchange
from units.body_limits import FORM_OVERHEAD, largest_limit, limit_for

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def every_path() -> list[str]:
    """One concrete path for every pattern of the URL conf (a new view is included)."""
    paths = set()
    for _view, regex, _namespace, _name in extract_views_from_urlpatterns(
        get_resolver().url_patterns
    ):
        paths.add(re.sub(r"<[^>]+>", "1", simplify_regex(regex)))
    return sorted(paths)


def claiming(length: int, content_type=b"multipart/form-data; boundary=x"):
    return [(b"content-length", str(length).encode()), (b"content-type", content_type)]


class TestEveryPath:
    def test_every_path_refuses_a_body_over_its_limit_without_reading_it(self):
        paths = every_path()
        assert len(paths) > 150  # the whole URL conf, admin included

        refused = {
            path: Exchange(path, headers=claiming(limit_for(path) + 1))
            for path in paths
        }

        wrong = {path: r.status for path, r in refused.items() if r.status != 413}
        assert not wrong
        read = {
            p: r.body_messages_read for p, r in refused.items() if r.body_messages_read
        }
        assert not read
        for path, exchange in refused.items():
            if path.startswith("/api/"):
                assert exchange.response_headers["Content-Type"] == "application/json"
                assert '"error": "too_large"' in exchange.text
            else:
                assert "Gửi quá nhiều trong một lần" in exchange.text, path

    def test_a_body_within_the_limit_reaches_the_view(self):
        exchange = Exchange(
            "/i18n/setlang/",
            chunks=[b"language=en"],
            headers=claiming(11, b"application/x-www-form-urlencoded"),
        )

        # Past the limit check: the view ran (and CSRF refused the cookieless form).
        assert exchange.status == 403
        assert exchange.body_messages_read == 1

    def test_the_forms_that_take_files_declare_their_own_limits(self, settings):
        assert limit_for("/submissions/new/") == settings.EVIDENCE_REQUEST_MAX_BYTES
        assert limit_for("/submissions/1/edit/") == settings.EVIDENCE_REQUEST_MAX_BYTES
        assert limit_for("/learning/imports/new/") == 20 * MB + FORM_OVERHEAD
        assert limit_for("/learning/completions/new/") == 10 * MB + FORM_OVERHEAD
        assert limit_for("/api/v1/completions/") == 1 * MB
        assert limit_for("/submissions/1/comments/") == settings.REQUEST_MAX_BYTES
        assert limit_for("/no/such/page/") == settings.REQUEST_MAX_BYTES
        assert largest_limit() == settings.EVIDENCE_REQUEST_MAX_BYTES

    def test_the_limits_follow_their_settings(self, settings):
        settings.EVIDENCE_REQUEST_MAX_BYTES = 5 * MB
        settings.LEARNING_IMPORT_MAX_BYTES = 3 * MB

        assert limit_for("/submissions/new/") == 5 * MB
        assert limit_for("/learning/imports/new/") == 3 * MB + FORM_OVERHEAD


class TestChunkedBodies:
    """No Content-Length: the guard counts what Django reads and cuts it at the limit."""

    def test_a_chunked_page_body_is_cut_at_the_limit(self):
        chunk = b"x" * (64 * 1024)
        chunks = [chunk] * (settings.REQUEST_MAX_BYTES // len(chunk) + 10)

        exchange = Exchange(
            "/submissions/1/comments/",
            chunks=chunks,
            headers=[(b"content-type", b"multipart/form-data; boundary=x")],
        )

        assert exchange.status == 413
        assert "Gửi quá nhiều trong một lần" in exchange.text
        assert exchange.body_messages_read < len(chunks)

    def test_a_chunked_api_body_is_cut_at_a_megabyte(self):
        chunks = [b"[" * (64 * 1024)] * 40  # 2.5 MB, never complete

        exchange = Exchange(
            "/api/v1/completions/",
            chunks=chunks,
            headers=[(b"content-type", b"application/json")],
        )

        assert exchange.status == 413
        assert exchange.response_headers["Content-Type"] == "application/json"
        assert exchange.body_messages_read == 1 * MB // (64 * 1024) + 1


class TestUnderWsgi:
    def test_the_middleware_refuses_by_content_length_too(self, client):
        response = client.post(
            "/submissions/new/",
            data=b"x",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(settings.EVIDENCE_REQUEST_MAX_BYTES + 1),
        )

        assert response.status_code == 413
        assert "Gửi quá nhiều trong một lần" in response.content.decode()
        assert "(tối đa 50 MB" in response.content.decode()

    def test_the_page_speaks_english_to_who_chose_it(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

        # The language the request activates stays with this thread: put it back.
        with translation.override(settings.LANGUAGE_CODE):
            response = client.post(
                "/learning/imports/new/",
                data=b"x",
                content_type="multipart/form-data; boundary=x",
                CONTENT_LENGTH=str(30 * MB),
            )

        assert response.status_code == 413
        assert "(20 MB at most in one sending)" in response.content.decode()
