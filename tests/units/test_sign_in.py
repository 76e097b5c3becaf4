"""Sign-in through allauth: username or email, rate limits, and the admin's door."""

import pytest
from django.core import mail
from django.core.cache import cache

from tests.conftest import PASSWORD


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
