"""A worker's memory under large uploads, measured in a real server process.

The server is `python -m config.server` (what `make run` and production run) on the
test database; the requests are streamed from generators, never built in memory.
The figure is the server's peak resident memory (VmHWM, reset through
/proc/<pid>/clear_refs before each request) above its resident memory before it.
Stock daphne peaked 2.4 GB above its start for one 200 MB multipart POST.
"""

import http.client
import io
import os
import secrets
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from competitions.models import Evidence, Submission
from tests.browser.conftest import _database_url, _free_port
from tests.competitions.conftest import community_class, competition, today  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
GROWTH_LIMIT = 100 * MB
# A sending within the limits costs what one photo costs to clean (files are cleaned
# one after the other): its decode (40 MB for a 40-megapixel JPEG decoded at half
# scale) and the two passes of the resize (about 85-95 MB measured).
ONE_PHOTO_LIMIT = 128 * MB
REFUSED_TEXT = "Gửi quá nhiều trong một lần"

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc"
)


def _status(pid: int) -> dict[str, int]:
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _colon, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(value.split()[0]) * 1024
    return values


class Server:
    def __init__(self, database_url: str, media: str, **settings: str):
        self.port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": media,
            "LEADERBOARD_CATCH_UP_SECONDS": "0",
            **settings,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "config.server", "-b", "127.0.0.1"]
            + ["-p", str(self.port), "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=1
                )
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.process.kill()
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def measured(self, send) -> tuple[int, str, int]:
        """Status, text and peak memory growth of one request made by send(connection)."""
        with open(f"/proc/{self.process.pid}/clear_refs", "w") as clear:
            clear.write("5")  # the peak starts again from the current size
        before = _status(self.process.pid)["VmRSS"]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            send(connection)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        return response.status, text, _status(self.process.pid)["VmHWM"] - before


class Multipart:
    """A multipart/form-data body streamed from a generator, its length known first."""

    CHUNK = 64 * 1024

    def __init__(self, fields: dict[str, str], files: list[tuple[str, int | bytes]]):
        self.boundary = f"----thidua{uuid.uuid4().hex}"
        self.parts = []
        for name, value in fields.items():
            self.parts.append(
                (
                    f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"'
                    f"\r\n\r\n{value}\r\n"
                ).encode()
            )
        for filename, content in files:
            self.parts.append(
                (
                    f"--{self.boundary}\r\nContent-Disposition: form-data; "
                    f'name="evidence"; filename="{filename}"\r\n'
                    "Content-Type: image/jpeg\r\n\r\n"
                ).encode()
            )
            self.parts.append(content)
            self.parts.append(b"\r\n")
        self.parts.append(f"--{self.boundary}--\r\n".encode())
        self.length = sum(p if isinstance(p, int) else len(p) for p in self.parts)
        self.content_type = f"multipart/form-data; boundary={self.boundary}"

    def __iter__(self):
        block = b"\xff" * self.CHUNK
        for part in self.parts:
            if isinstance(part, bytes):
                yield part
                continue
            for start in range(0, part, self.CHUNK):
                yield block[: min(self.CHUNK, part - start)]


def post(path, body: Multipart, cookies: str, *, chunked=False):
    def send(connection):
        headers = {"Content-Type": body.content_type, "Cookie": cookies}
        if chunked:
            connection.request(
                "POST", path, body=iter(body), headers=headers, encode_chunked=True
            )
        else:
            headers["Content-Length"] = str(body.length)
            connection.request("POST", path, body=iter(body), headers=headers)

    return send


def forty_megapixel_jpeg() -> bytes:
    # A gradient compresses well: the file is small, the pixels are not.
    gradient = Image.linear_gradient("L").resize((7200, 5500))
    image = Image.merge(
        "RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient)
    )
    output = io.BytesIO()
    image.save(output, "JPEG", quality=80)
    return output.getvalue()


@pytest.fixture
def server(transactional_db, django_db_blocker, tmp_path):
    media = str(tmp_path)
    live = Server(_database_url(), media)
    yield live
    live.stop()


@pytest.fixture
def officer_cookies(officer):
    client = Client()
    client.force_login(officer)
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked secret
    session = client.cookies["sessionid"].value
    return f"sessionid={session}; csrftoken={csrf}", csrf


class TestWorkerMemory:
    def test_large_uploads_are_refused_and_a_full_one_is_processed_within_100_mb(
        self,
        server,
        officer_cookies,
        tree,
        competition,  # noqa: F811
        community_class,  # noqa: F811
    ):
        cookies, csrf = officer_cookies
        fields = {
            "csrfmiddlewaretoken": csrf,
            "competition": str(competition.pk),
            "unit": str(tree["ho_lien"].pk),
            "activity_type": str(community_class.pk),
            "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "quantity": "25",
            "description": "Lớp học VNeID tại nhà văn hóa thôn",
            "action": "save",
        }
        photo = forty_megapixel_jpeg()
        # Warm up: the first requests import and compile what every later one uses.
        warm_up = Multipart(
            {**fields, "form_token": str(uuid.uuid4())}, [("w.jpg", photo)]
        )
        server.measured(post("/submissions/new/", warm_up, cookies))
        too_big = Multipart(fields, [("big.jpg", 60 * MB)])
        server.measured(post("/submissions/new/", too_big, cookies))

        start = _status(server.process.pid)["VmRSS"]

        one_file = server.measured(
            post(
                "/submissions/new/", Multipart(fields, [("big.jpg", 200 * MB)]), cookies
            )
        )
        twenty_files = server.measured(
            post(
                "/submissions/new/",
                Multipart(fields, [(f"anh-{n}.jpg", 9_500_000) for n in range(20)]),
                cookies,
            )
        )
        chunked = server.measured(
            post(
                "/submissions/new/",
                Multipart(fields, [("big.jpg", 200 * MB)]),
                cookies,
                chunked=True,
            )
        )
        full = server.measured(
            post(
                "/submissions/new/",
                Multipart(
                    {**fields, "form_token": str(uuid.uuid4())},
                    [(f"lop-hoc-{n}.jpg", photo) for n in range(4)],
                ),
                cookies,
            )
        )

        retained = _status(server.process.pid)["VmRSS"] - start
        one, twenty, cut, four = (
            r[2] / MB for r in (one_file, twenty_files, chunked, full)
        )
        print(
            f"peak growth, MB: 200 MB file {one:.1f}, twenty 9.5 MB files {twenty:.1f}, "
            f"chunked 200 MB {cut:.1f}, four 40-megapixel photos {four:.1f}; "
            f"kept after the four requests {retained / MB:.1f}"
        )
        assert retained < GROWTH_LIMIT, retained / MB
        for status, text, growth in (one_file, twenty_files, chunked):
            assert status == 413
            assert REFUSED_TEXT in text
            assert growth < GROWTH_LIMIT, growth / MB
        status, _text, growth = full
        assert status == 302
        assert growth < ONE_PHOTO_LIMIT, growth / MB
        assert (
            Evidence.objects.filter(submission__in=Submission.objects.all()).count()
            == 5
        )


class TestTheServersCap:
    def test_a_body_past_eight_caps_is_cut_off_without_an_answer(
        self, transactional_db, tmp_path
    ):
        # With these settings the largest declared limit is the certificate
        # photo's (10 MB + 64 KB): that is the server's cap, and past 8 times that
        # (80.5 MB) the connection is closed.
        media = str(tmp_path)
        small = Server(
            _database_url(),
            media,
            EVIDENCE_REQUEST_MAX_BYTES=str(2 * MB),
            LEARNING_IMPORT_MAX_BYTES=str(1 * MB),
        )
        try:
            within = small.measured(
                post("/submissions/new/", Multipart({}, [("a.jpg", 19 * MB)]), "")
            )
            with pytest.raises((ConnectionError, http.client.HTTPException)):
                small.measured(
                    post("/submissions/new/", Multipart({}, [("a.jpg", 90 * MB)]), "")
                )
        finally:
            small.stop()

        assert within[0] == 413  # over the cap, thrown away, answered
        assert within[2] < GROWTH_LIMIT
