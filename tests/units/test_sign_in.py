"""Sign-in through allauth: username or email, rate limits, and the admin's door."""

import re
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache

from tests.conftest import PASSWORD, make_user

LOCKED = "Quá nhiều lần đăng nhập sai"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


def sign_in(client, login, password, **extra):
    return client.post(
        "/accounts/login/", {"login": login, "password": password}, **extra
    )


class TestSignIn:
    def test_sign_in_page_is_vietnamese(self, client, db):
        response = client.get("/accounts/login/")

        assert response.status_code == 200
        assert "Đăng nhập" in response.content.decode()

    @pytest.mark.parametrize("login", ["officer", "officer@example.vn"])
    def test_signs_in_with_username_or_email(self, client, officer, login):
        response = sign_in(client, login, PASSWORD)

        assert response.status_code == 302
        assert client.get("/units/mine/").status_code == 200

    def test_a_wrong_password_says_so_in_vietnamese(self, client, officer):
        response = sign_in(client, "officer", "sai-mat-khau")

        assert response.status_code == 200
        assert "không đúng" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_a_burst_of_wrong_passwords_locks_the_account(self, client, officer):
        for attempt in range(5):
            sign_in(
                client, "officer", f"sai-{attempt}", REMOTE_ADDR=f"10.0.0.{attempt}"
            )

        response = sign_in(client, "OFFICER", PASSWORD, REMOTE_ADDR="10.0.0.99")

        assert "_auth_user_id" not in client.session
        assert "Quá nhiều lần đăng nhập sai" in response.content.decode()

    def test_one_address_spraying_logins_gets_429(self, client, db):
        statuses = [sign_in(client, f"user{n}", "x").status_code for n in range(31)]

        assert 429 in statuses
        assert statuses[:10] == [200] * 10


def _answer(response) -> str:
    """What the sign-in page tells the visitor: its errors, without the echoed login."""
    return " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


class TestOneLockPerAccount:
    """Five failures lock the account, whatever name, letter case or address."""

    @pytest.mark.parametrize(
        ("wrong_as", "right_as"),
        [
            (["officer"] * 5, "officer@example.vn"),
            (["officer@example.vn"] * 5, "officer"),
            (
                ["OFFICER", "Officer", "OFFICER@EXAMPLE.VN", "officer@Example.vn"]
                + ["oFFicer"],
                "officer@example.vn",
            ),
            (["Officer@Example.VN"] * 2 + ["oFFicer"] * 3, "OFFICER@example.vn"),
        ],
    )
    def test_failures_under_any_name_lock_the_account(
        self, client, officer, wrong_as, right_as
    ):
        for attempt, login in enumerate(wrong_as):
            sign_in(client, login, f"sai-{attempt}", REMOTE_ADDR=f"10.0.1.{attempt}")

        response = sign_in(client, right_as, PASSWORD, REMOTE_ADDR="10.0.2.1")

        assert not _signed_in(client)
        assert LOCKED in response.text

    def test_four_failures_leave_the_account_open(self, client, officer):
        for attempt, login in enumerate(["officer", "OFFICER@example.vn"] * 2):
            sign_in(client, login, f"sai-{attempt}", REMOTE_ADDR=f"10.0.3.{attempt}")

        sign_in(client, "officer@example.vn", PASSWORD, REMOTE_ADDR="10.0.3.9")

        assert _signed_in(client)

    def test_the_lock_of_one_account_leaves_another_alone(self, client, officer, db):
        make_user("hocvien")
        for attempt in range(5):
            sign_in(
                client, "officer", f"sai-{attempt}", REMOTE_ADDR=f"10.0.4.{attempt}"
            )

        sign_in(client, "hocvien@example.vn", PASSWORD, REMOTE_ADDR="10.0.4.9")

        assert _signed_in(client)

    def test_a_username_that_looks_like_an_email_counts_for_both_accounts(
        self, client, officer, db
    ):
        # Both backends check a password typed as "officer@example.vn" against
        # this account too; its failures must not escape the officer's counter.
        make_user("officer@example.vn")
        for attempt in range(5):
            sign_in(
                client,
                "officer@example.vn",
                f"sai-{attempt}",
                REMOTE_ADDR=f"10.0.5.{attempt}",
            )

        sign_in(client, "officer", PASSWORD, REMOTE_ADDR="10.0.5.9")

        assert not _signed_in(client)

    def test_the_account_opens_again_after_five_minutes(
        self, client, officer, monkeypatch
    ):
        started = time.time()
        for attempt in range(5):
            sign_in(
                client, "officer", f"sai-{attempt}", REMOTE_ADDR=f"10.0.6.{attempt}"
            )
        assert LOCKED in sign_in(client, "officer@example.vn", PASSWORD).text

        monkeypatch.setattr(time, "time", lambda: started + 5 * 60 + 1)
        sign_in(client, "officer@example.vn", PASSWORD, REMOTE_ADDR="10.0.6.9")

        assert _signed_in(client)

    def test_a_password_reset_opens_the_account(self, client, officer):
        for attempt in range(5):
            sign_in(
                client, "officer", f"sai-{attempt}", REMOTE_ADDR=f"10.0.7.{attempt}"
            )
        client.post("/accounts/password/reset/", {"email": "officer@example.vn"})
        link = re.search(
            r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body
        )
        form_url = client.get(link.group(1)).url
        client.post(
            form_url,
            {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"},
        )

        sign_in(client, "OFFICER", "Mat-khau-moi-2026", REMOTE_ADDR="10.0.7.9")

        assert _signed_in(client)


class CountingHasher(MD5PasswordHasher):
    """MD5 that counts its hashing: the costly step a timing attack would measure."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


class TestUnknownNamesAreNoOracle:
    def _answers(self, client, login) -> list[tuple[int, str]]:
        answers = []
        for attempt in range(7):
            response = sign_in(
                client,
                login,
                f"sai-{attempt}",
                REMOTE_ADDR=f"10.1.{len(login)}.{attempt}",
            )
            answers.append((response.status_code, _answer(response)))
        return answers

    @pytest.mark.parametrize("unknown", ["khongcoai", "khongcoai@example.vn"])
    def test_an_unknown_name_answers_like_a_real_one(self, client, officer, unknown):
        real = "officer@example.vn" if "@" in unknown else "officer"

        assert self._answers(client, unknown) == self._answers(client, real)
        assert LOCKED in self._answers(client, unknown.upper())[-1][1]

    @pytest.mark.parametrize("unknown", ["khongcoai", "khongcoai@example.vn"])
    def test_an_unknown_name_costs_the_same_hashing_as_a_real_one(
        self, client, officer, settings, unknown
    ):
        settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
        officer.set_password(PASSWORD)
        officer.save()
        real = "officer@example.vn" if "@" in unknown else "officer"
        costs = {}
        for login in (real, unknown):
            CountingHasher.calls = 0
            sign_in(client, login, "sai", REMOTE_ADDR="10.2.0.1")
            costs[login] = CountingHasher.calls

        assert costs[unknown] == costs[real] > 0


class TestAdminSignIn:
    def test_the_admin_sign_in_goes_through_allauth(self, client, administrator):
        response = client.get("/admin/login/")

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_posting_the_right_password_to_the_admin_does_not_bypass_the_lock(
        self, client, administrator
    ):
        response = client.post(
            "/admin/login/", {"username": "administrator", "password": PASSWORD}
        )

        assert response.status_code == 302
        assert "_auth_user_id" not in client.session

    def test_administrator_reaches_the_admin_after_signing_in(
        self, client, administrator
    ):
        sign_in(client, "administrator", PASSWORD)

        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/units/unit/").status_code == 200


class TestAccountJourneys:
    def test_sign_up_sends_a_verification_email(self, client, db):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "moi@example.vn",
                "username": "nguoimoi",
                "password1": "Hoc-ky-nang-so-2025",
                "password2": "Hoc-ky-nang-so-2025",
            },
        )

        assert response.status_code == 302
        assert len(mail.outbox) == 1
        assert "moi@example.vn" in mail.outbox[0].to

    def test_password_reset_sends_a_link(self, client, officer):
        response = client.post(
            "/accounts/password/reset/", {"email": "officer@example.vn"}
        )

        assert response.status_code == 302
        assert len(mail.outbox) == 1


class TestLanguage:
    def test_the_footer_link_switches_to_english_and_back(self, client, db):
        home = client.get("/leaderboards/")
        assert 'href="/i18n/choose/en/?next=/leaderboards/"' in home.content.decode()

        response = client.get("/i18n/choose/en/", {"next": "/leaderboards/"})

        assert response.status_code == 302
        assert response["Location"] == "/leaderboards/"
        assert client.get("/leaderboards/")["Content-Language"] == "en"
        client.get("/i18n/choose/vi/", {"next": "/"})
        assert client.get("/leaderboards/")["Content-Language"] == "vi"

    @pytest.mark.parametrize(
        "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
    )
    def test_the_switch_never_sends_anyone_off_site(self, client, db, next_url):
        response = client.get("/i18n/choose/en/", {"next": next_url})

        assert response["Location"] == "/"

    def test_an_unknown_language_is_404(self, client, db):
        assert client.get("/i18n/choose/fr/").status_code == 404

    def test_english_can_be_chosen(self, client, db):
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})

        response = client.get("/")

        assert response["Content-Language"] == "en"
        assert "Digital skills for every citizen" in response.content.decode()

    @pytest.mark.parametrize("browser_language", ["en-US,en;q=0.9", "fr", ""])
    def test_vietnamese_is_the_default_whatever_the_browser_says(
        self, client, db, browser_language
    ):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=browser_language)

        assert response["Content-Language"] == "vi"
        assert "Kỹ năng số cho mọi người dân" in response.content.decode()

    def test_the_time_zone_is_vietnams(self, settings):
        assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
