"""A mentor's one-time invite code: guessing is hopeless, wrong codes are limited per
user, per address and for everyone, and nothing about an invite is told before a
code is accepted."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from learning import codes, mentoring
from learning.models import MentorInvite, Mentorship
from tests.conftest import make_user
from units.audit import Origin
from units.limits import Limit

from .conftest import make_person

pytestmark = pytest.mark.django_db

HERE = Origin(ip_address="203.0.113.7")


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mentor(tree):
    return make_user("daisu", unit=tree["ho_lien"], person_name="Đại Sứ Số").person


def _invite(mentor, *, days=7, at=None, **fields):
    at = at or timezone.now()
    return MentorInvite.objects.create(
        mentor=mentor, created_at=at, expires_at=at + timedelta(days=days), **fields
    )


def _wrong_code(*taken) -> str:
    code = codes.new_code()
    while code in taken:
        code = codes.new_code()
    return code


def _learners(tree, count, prefix="hv"):
    return [make_user(f"{prefix}{n}", unit=tree["ho_lien"]) for n in range(count)]


def _try(user, code, *, at=None, origin=HERE):
    """The outcome of one typed code: "ok", or the refusal's class name."""
    try:
        mentoring.confirm_by_code(
            code=code, user=user, at=at or timezone.now(), origin=origin
        )
    except mentoring.LearningError as error:
        return type(error).__name__
    return "ok"


class TestTheCode:
    def test_a_code_has_twelve_characters_no_vowel_no_d_no_w(self):
        drawn = {codes.new_code() for _ in range(500)}

        assert len(drawn) == 500
        for code in drawn:
            assert len(code) == 12 and codes.normalise(code) == code
            assert not set(code) & set("AEIOUYDWL")

    def test_every_single_mistyped_character_is_told_apart_from_a_wrong_code(self):
        for _ in range(20):
            code = codes.new_code()
            for position in range(len(code)):
                for other in codes.ALPHABET.replace(code[position], ""):
                    typo = code[:position] + other + code[position + 1 :]
                    with pytest.raises(codes.Mistyped):
                        codes.normalise(typo)

    def test_what_people_type_for_what_they_see_is_read_as_meant(self):
        code = "0" + codes.new_code()[1:]
        code = code[:11] + codes.luhn.calc_check_digit(code[:11], codes.ALPHABET)

        typed = "o" + code[1:4].lower() + " - " + code[4:8] + "." + code[8:]

        assert codes.normalise(typed) == code

    @pytest.mark.parametrize("typed", ["", "123456", "7KX9F2M4PR05X", "ĐKX9F2M4PR05"])
    def test_anything_not_shaped_like_a_code_is_malformed(self, typed):
        with pytest.raises(codes.Malformed):
            codes.normalise(typed)

    def test_the_arithmetic_of_the_readme_holds_for_these_limits(self):
        # P(an attacker takes any of N open invites in a day) <= G * N / |codes|,
        # G the wrong codes they may type that day; doubled for two calendar
        # windows within 24 hours.
        open_invites = 10_000
        day = 24 * 3600
        per_day = {
            scope: min(limit.count * day // limit.seconds for limit in limits)
            for scope, limits in mentoring.WRONG_CODE_LIMITS.items()
        }
        attacker = min(1_000 * per_day["user"], 100 * per_day["address"])
        attacker = min(attacker, per_day["everyone"])

        assert codes.SPACE == 26**11
        assert 2 * per_day["everyone"] * open_invites / codes.SPACE <= 1e-6
        assert attacker * open_invites / codes.SPACE <= 1e-7
        assert per_day == {"user": 30, "address": 100, "everyone": 20_000}


class TestNothingIsToldBeforeACodeIsAccepted:
    def _answer(self, client, code):
        response = client.post(reverse("learning:invite_code"), {"code": code})
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.text)
        return response.status_code, body.replace(code, "CODE")

    def test_wrong_expired_used_own_and_inactive_mentor_answer_alike(
        self, client, mentor, citizen, tree
    ):
        client.force_login(citizen)
        inactive = make_person(tree["ho_lien"], "Người Nghỉ")
        inactive.is_active = False
        inactive.save()
        used = _invite(mentor)
        Mentorship.objects.create(
            mentor=mentor,
            mentee=make_person(tree["ho_lien"], "Học Trò Cũ"),
            invite=used,
            confirmed_at=timezone.now(),
        )
        used.used_at = timezone.now()
        used.save()
        own = _invite(citizen.person)
        taken = [
            _invite(mentor, days=-1).code,  # expired
            used.code,
            own.code,
            _invite(inactive).code,
        ]

        answers = {self._answer(client, code) for code in [_wrong_code(), *taken]}

        assert len(answers) == 1
        status, body = answers.pop()
        assert status == 400
        assert "Đại Sứ Số" not in body and "Người Nghỉ" not in body
        assert not Mentorship.objects.filter(mentee=citizen.person).exists()

    def test_the_code_page_names_nobody(self, client, mentor, citizen):
        _invite(mentor)
        client.force_login(citizen)

        page = client.get(reverse("learning:invite_code"))

        assert "Đại Sứ Số" not in page.text

    def test_a_typo_is_said_and_costs_no_guess(self, mentor, tree):
        learner = make_user("hv", unit=tree["ho_lien"])
        invite = _invite(mentor)
        typo = (
            invite.code[:5] + ("2" if invite.code[5] != "2" else "3") + invite.code[6:]
        )

        outcomes = {_try(learner, typo) for _ in range(40)}

        assert outcomes == {"LearningError"}
        assert _try(learner, invite.code) == "ok"


class TestWrongCodesAreLimited:
    def test_ten_wrong_codes_stop_a_user_for_ten_minutes_even_with_the_right_one(
        self, mentor, tree
    ):
        learner = make_user("hv", unit=tree["ho_lien"])
        invite = _invite(mentor)
        now = timezone.now().replace(minute=0, second=0)
        wrong = [_try(learner, _wrong_code(), at=now) for _ in range(10)]

        blocked = _try(learner, invite.code, at=now + timedelta(minutes=9))
        later = _try(learner, invite.code, at=now + timedelta(minutes=10))

        assert wrong == ["CodeNotAccepted"] * 10
        assert blocked == "TooManyWrongCodes"
        assert later == "ok"

    def test_thirty_wrong_codes_stop_a_user_for_the_day(self, mentor, tree):
        learner = make_user("hv", unit=tree["ho_lien"])
        invite = _invite(mentor)
        day = timezone.now().replace(hour=1, minute=0, second=0)
        for ten_minutes in range(3):
            for _ in range(10):
                _try(
                    learner, _wrong_code(), at=day + timedelta(minutes=10 * ten_minutes)
                )

        assert _try(learner, invite.code, at=day + timedelta(hours=3)) == (
            "TooManyWrongCodes"
        )

    def test_many_accounts_on_one_address_share_its_hundred(self, mentor, tree):
        accounts = _learners(tree, 11)
        invite = _invite(mentor)
        at = timezone.now()
        for account in accounts[:10]:
            for _ in range(10):
                assert _try(account, _wrong_code(), at=at) == "CodeNotAccepted"

        same_address = _try(accounts[10], invite.code, at=at)
        elsewhere = _try(
            accounts[10], invite.code, at=at, origin=Origin("198.51.100.9")
        )

        assert same_address == "TooManyWrongCodes"
        assert elsewhere == "ok"

    def test_an_ipv6_client_is_one_address_for_its_whole_64(self, mentor, tree):
        accounts = _learners(tree, 11)
        at = timezone.now()
        for n, account in enumerate(accounts[:10]):
            for m in range(10):
                origin = Origin(f"2001:db8:1:2::{n:x}:{m:x}")
                _try(account, _wrong_code(), at=at, origin=origin)

        assert (
            _try(accounts[10], _wrong_code(), at=at, origin=Origin("2001:db8:1:2::ff"))
            == "TooManyWrongCodes"
        )

    def test_everyone_together_has_a_daily_allowance(self, mentor, tree, monkeypatch):
        monkeypatch.setitem(
            mentoring.WRONG_CODE_LIMITS, "everyone", [Limit(12, 24 * 3600)]
        )
        accounts = _learners(tree, 5)
        invite = _invite(mentor)
        at = timezone.now()
        for n, account in enumerate(accounts[:4]):
            for _ in range(3):
                _try(account, _wrong_code(), at=at, origin=Origin(f"192.0.2.{n}"))

        outcome = _try(accounts[4], invite.code, at=at, origin=Origin("192.0.2.99"))

        assert outcome == "TooManyWrongCodes"
        assert not Mentorship.objects.exists()

    def test_the_limit_is_told_in_vietnamese_with_a_way_out(
        self, client, mentor, citizen
    ):
        client.force_login(citizen)
        for _ in range(10):
            client.post(reverse("learning:invite_code"), {"code": _wrong_code()})

        response = client.post(
            reverse("learning:invite_code"), {"code": _invite(mentor).code}
        )

        assert response.status_code == 429
        assert "đường dẫn" in response.text
        assert not Mentorship.objects.exists()

    def test_refusals_that_do_not_depend_on_the_code_cost_no_guess(self, mentor, tree):
        learner = make_user("hv", unit=tree["ho_lien"])
        Mentorship.objects.create(
            mentor=mentor,
            mentee=learner.person,
            invite=_invite(mentor),
            confirmed_at=timezone.now(),
        )

        outcomes = {_try(learner, _wrong_code()) for _ in range(15)}

        assert outcomes == {"InviteConflict"}

    def test_an_unwritable_counter_refuses(self, mentor, tree, monkeypatch):
        learner = make_user("hv", unit=tree["ho_lien"])
        invite = _invite(mentor)

        def down(*args, **kwargs):
            raise ConnectionError("redis is down")

        monkeypatch.setattr(cache, "incr", down)

        assert _try(learner, invite.code) == "TooManyWrongCodes"

    def test_a_user_stopped_by_their_own_limit_uses_up_nobody_elses(
        self, mentor, tree, monkeypatch
    ):
        monkeypatch.setitem(
            mentoring.WRONG_CODE_LIMITS, "address", [Limit(15, 24 * 3600)]
        )
        first, second = _learners(tree, 2)
        at = timezone.now().replace(minute=0, second=0)
        for _ in range(25):  # ten wrong, fifteen refused
            _try(first, _wrong_code(), at=at)

        outcomes = [_try(second, _wrong_code(), at=at) for _ in range(6)]

        assert outcomes == ["CodeNotAccepted"] * 5 + ["TooManyWrongCodes"]

    def test_a_right_code_is_not_counted_as_wrong(self, mentor, tree, monkeypatch):
        monkeypatch.setitem(
            mentoring.WRONG_CODE_LIMITS, "everyone", [Limit(3, 24 * 3600)]
        )
        learners = _learners(tree, 5)
        at = timezone.now()
        for learner in learners[:4]:
            assert _try(learner, _invite(mentor).code, at=at) == "ok"

        assert _try(learners[4], _wrong_code(), at=at) == "CodeNotAccepted"


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_invite_a_long_code_and_keeps_its_link(tree):
    before = [("learning", "0003_import_preview_counts")]
    after = [("learning", "0004_longer_invite_codes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Person = old.get_model("units", "Person")
    mentor = Person.objects.create(display_name="Đại Sứ Cũ", target_group="citizen")
    now = timezone.now()
    Invite = old.get_model("learning", "MentorInvite")
    for code, days in [("123456", 7), ("123456", -3), ("654321", 7)]:
        Invite.objects.create(
            mentor_id=mentor.pk,
            token=f"tok-{code}-{days}",
            code=code,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )

    executor.loader.build_graph()
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    invites = list(MentorInvite.objects.order_by("pk"))
    assert [i.token for i in invites] == [
        "tok-123456-7",
        "tok-123456--3",
        "tok-654321-7",
    ]
    assert len({i.code for i in invites}) == 3
    assert all(codes.normalise(i.code) == i.code for i in invites)
    learner = make_user("hv", unit=tree["ho_lien"])
    assert _try(learner, "123456") == "LearningError"  # the old code: not a code
    assert _try(learner, invites[2].code) == "ok"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_wrong_codes_racing_in_parallel_cannot_slip_past_a_limit(tree, monkeypatch):
    import threading

    monkeypatch.setitem(mentoring.WRONG_CODE_LIMITS, "everyone", [Limit(5, 24 * 3600)])
    learners = _learners(tree, 16)
    at = timezone.now()
    barrier = threading.Barrier(len(learners))
    outcomes = []

    def guess(n, learner):
        try:
            barrier.wait()
            outcomes.append(
                _try(learner, _wrong_code(), at=at, origin=Origin(f"192.0.2.{n}"))
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=guess, args=pair) for pair in enumerate(learners)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["CodeNotAccepted"] * 5 + ["TooManyWrongCodes"] * 11
