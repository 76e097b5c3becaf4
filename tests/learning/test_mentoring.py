"""The "Đại sứ số" network: invites, honest confirmations, progress, patterns."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from competitions.models import PointEntry
from learning import codes, mentoring, services
from learning.models import Completion, MentorInvite, Mentorship
from tests.conftest import make_user
from units.audit import COMMAND

from .conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor_user(tree):
    return make_user("daisu", unit=tree["ho_lien"], person_name="Đại Sứ Số")


def _invite(mentor, *, days=7, at=None):
    at = at or timezone.now()
    return MentorInvite.objects.create(
        mentor=mentor, created_at=at, expires_at=at + timedelta(days=days)
    )


def _mentor_points(person) -> int:
    return (
        PointEntry.objects.filter(
            person=person, activity_type__code="mentee-guided"
        ).aggregate(t=Sum("points"))["t"]
        or 0
    )


class TestCreateInvite:
    def test_no_two_open_invites_share_a_code(self, mentor_user, monkeypatch):
        now = timezone.now()
        taken = _invite(mentor_user.person, days=-1)  # used or expired: still taken
        fresh = codes.new_code()
        drawn = iter([taken.code, taken.code, fresh])
        monkeypatch.setattr(mentoring, "invite_code", lambda: next(drawn))

        invite = mentoring.create_invite(mentor=mentor_user.person, at=now)

        assert invite.code == fresh

    def test_mentor_page_creates_an_invite_with_link_qr_and_code(
        self, client, mentor_user
    ):
        client.force_login(mentor_user)

        client.post(reverse("learning:mentoring"))
        page = client.get(reverse("learning:mentoring"))

        invite = MentorInvite.objects.get()
        assert invite.token in page.text
        assert invite.code_grouped in page.text and len(invite.code) == 12
        assert "<svg" in page.text
        assert "0 trên 5" in page.text or "0 of 5" in page.text

    def test_open_invites_are_limited(self, mentor_user):
        for _ in range(mentoring.MAX_OPEN_INVITES):
            _invite(mentor_user.person, at=timezone.now() - timedelta(hours=2))

        with pytest.raises(services.LearningError):
            mentoring.create_invite(mentor=mentor_user.person, at=timezone.now())


class TestConfirmInvite:
    def test_mentee_confirms_by_link_after_signing_in(
        self, client, mentor_user, citizen
    ):
        invite = _invite(mentor_user.person)
        url = reverse("learning:invite", args=[invite.token])

        assert "/accounts/login/" in client.get(url).url
        client.force_login(citizen)
        response = client.post(url)

        assert response.status_code == 302
        assert Mentorship.objects.get().mentee == citizen.person

    def test_a_replayed_confirmation_is_a_friendly_409(
        self, client, mentor_user, citizen
    ):
        invite = _invite(mentor_user.person)
        client.force_login(citizen)
        client.post(reverse("learning:invite", args=[invite.token]))

        again = client.post(reverse("learning:invite", args=[invite.token]))

        assert again.status_code == 409
        assert Mentorship.objects.count() == 1

    def test_an_expired_invite_is_410(self, client, mentor_user, citizen):
        invite = _invite(mentor_user.person, days=-1)
        client.force_login(citizen)

        assert (
            client.get(reverse("learning:invite", args=[invite.token])).status_code
            == 410
        )
        assert (
            client.post(reverse("learning:invite", args=[invite.token])).status_code
            == 410
        )
        assert not Mentorship.objects.exists()

    def test_an_invite_used_by_someone_else_is_409(
        self, client, mentor_user, citizen, tree
    ):
        invite = _invite(mentor_user.person)
        client.force_login(citizen)
        client.post(reverse("learning:invite", args=[invite.token]))
        other = make_user("nguoikhac", unit=tree["ho_lien"])
        client.force_login(other)

        response = client.post(reverse("learning:invite", args=[invite.token]))

        assert response.status_code == 409
        assert not Mentorship.objects.filter(mentee=other.person).exists()

    def test_confirming_ones_own_invite_is_refused(self, client, mentor_user):
        invite = _invite(mentor_user.person)
        client.force_login(mentor_user)

        response = client.post(reverse("learning:invite", args=[invite.token]))

        assert response.status_code == 400
        assert not Mentorship.objects.exists()

    def test_a_circular_pair_is_refused(self, client, mentor_user, citizen):
        first = _invite(mentor_user.person)
        client.force_login(citizen)
        client.post(reverse("learning:invite", args=[first.token]))
        back = _invite(citizen.person)
        client.force_login(mentor_user)

        response = client.post(reverse("learning:invite", args=[back.token]))

        assert response.status_code == 400
        assert Mentorship.objects.count() == 1

    def test_a_longer_circle_is_refused_too(self, mentor_user, citizen, tree):
        third = make_user("hv3", unit=tree["ho_lien"], person_name="Người Thứ Ba")
        now = timezone.now()
        # citizen guides third, third guides the mentor; the mentor may not now
        # guide the citizen (citizen -> third -> mentor -> citizen).
        mentoring.confirm_invite(
            invite=_invite(citizen.person), user=third, at=now, origin=COMMAND
        )
        mentoring.confirm_invite(
            invite=_invite(third.person), user=mentor_user, at=now, origin=COMMAND
        )

        with pytest.raises(services.LearningError):
            mentoring.confirm_invite(
                invite=_invite(mentor_user.person),
                user=citizen,
                at=now,
                origin=COMMAND,
            )

        assert Mentorship.objects.count() == 2

    def test_a_mentee_has_one_mentor(self, client, mentor_user, citizen, tree):
        other_mentor = make_person(tree["ho_lien"], "Người Hướng Dẫn Khác")
        client.force_login(citizen)
        client.post(
            reverse("learning:invite", args=[_invite(mentor_user.person).token])
        )

        response = client.post(
            reverse("learning:invite", args=[_invite(other_mentor).token])
        )

        assert response.status_code == 409
        assert Mentorship.objects.get().mentor == mentor_user.person

    def test_an_unknown_token_is_404(self, client, citizen):
        client.force_login(citizen)

        assert client.get("/learning/invite/khong-ton-tai/").status_code == 404

    def test_a_right_code_confirms_typed_in_any_case_with_any_spacing(
        self, client, mentor_user, citizen
    ):
        invite = _invite(mentor_user.person)
        client.force_login(citizen)
        typed = f" {invite.code[:4].lower()}-{invite.code[4:8]} {invite.code[8:]} "

        response = client.post(reverse("learning:invite_code"), {"code": typed})

        assert response.status_code == 302
        assert Mentorship.objects.get().invite == invite
        assert "Đại Sứ Số" in client.get(response.url).text


class TestMentorPoints:
    def test_mentor_earns_when_a_confirmed_mentee_completes(
        self, client, mentor_user, citizen, course, learning_competition, officer
    ):
        client.force_login(citizen)
        client.post(
            reverse("learning:invite", args=[_invite(mentor_user.person).token])
        )

        for _ in range(2):
            services.record_completion(
                services.NewCompletion(
                    person=citizen.person,
                    training=course,
                    unit=citizen.person.units.get(),
                    completed_on=timezone.localdate(),
                    source="attendance",
                ),
                by=officer,
                at=timezone.now(),
                origin=COMMAND,
            )

        assert _mentor_points(mentor_user.person) == 5
        client.force_login(mentor_user)
        page = client.get(reverse("learning:mentoring"))
        assert page.context["progress"].guided == 1

    def test_mentor_page_costs_the_same_queries_for_many_mentees(
        self, client, mentor_user, tree, django_assert_max_num_queries
    ):
        now = timezone.now()
        for n in range(8):
            mentee = make_person(tree["ho_lien"], f"Học Viên {n}")
            invite = _invite(mentor_user.person)
            Mentorship.objects.create(
                mentor=mentor_user.person,
                mentee=mentee,
                invite=invite,
                confirmed_at=now,
            )
        client.force_login(mentor_user)

        with django_assert_max_num_queries(12):
            response = client.get(reverse("learning:mentoring"))

        assert len(response.context["progress"].mentees) == 8


class TestPatterns:
    def test_a_burst_of_confirmations_is_flagged_and_a_normal_mentor_is_not(
        self, client, reviewer, mentor_user, tree
    ):
        calm = make_person(tree["ho_lien"], "Đại Sứ Bình Thường")
        now = timezone.now()
        for n in range(12):
            mentee = make_person(tree["quan_goi"], f"Người {n}")
            Mentorship.objects.create(
                mentor=mentor_user.person,
                mentee=mentee,
                invite=_invite(mentor_user.person),
                confirmed_at=now - timedelta(seconds=20 * n),
            )
        for n in range(3):
            mentee = make_person(tree["quan_goi"], f"Học trò {n}")
            Mentorship.objects.create(
                mentor=calm,
                mentee=mentee,
                invite=_invite(calm),
                confirmed_at=now - timedelta(days=n),
            )
        client.force_login(reviewer)

        response = client.get(reverse("learning:mentoring_patterns"))

        flagged = [flag.mentor for flag in response.context["page"]]
        assert flagged == [mentor_user.person]

    def test_mentees_with_nothing_done_weeks_later_are_flagged(self, tree, course):
        now = timezone.now()
        idle_mentor = make_person(tree["ho_lien"], "Đại Sứ Hình Thức")
        busy_mentor = make_person(tree["ho_lien"], "Đại Sứ Tận Tâm")
        for mentor in (idle_mentor, busy_mentor):
            for n in range(5):
                mentee = make_person(tree["quan_goi"], f"Học viên {mentor.pk}.{n}")
                Mentorship.objects.create(
                    mentor=mentor,
                    mentee=mentee,
                    invite=_invite(mentor),
                    # A day apart, weeks ago: no burst, time enough to learn.
                    confirmed_at=now - timedelta(days=20 + n),
                )
                if mentor == busy_mentor and n < 3:
                    Completion.objects.create(
                        person=mentee,
                        training=course,
                        unit=tree["quan_goi"],
                        completed_on=timezone.localdate(),
                        source=Completion.Source.IMPORT,
                        status=Completion.Status.CONFIRMED,
                        recorded_at=now,
                    )

        flags = mentoring.suspicious_mentors(units=[tree["ho_lien"]], at=now)

        assert [flag.mentor for flag in flags] == [idle_mentor]
        assert flags[0].reasons == [
            "5 trên 5 người học chưa hoàn thành khóa nào sau 14 ngày"
        ]

    def test_a_citizen_cannot_see_patterns(self, client, citizen):
        client.force_login(citizen)

        assert client.get(reverse("learning:mentoring_patterns")).status_code == 404


def _confirm_at_once(pairs) -> list[str]:
    """Confirm (invite, user) pairs from one thread each, released together; the
    sorted outcomes ("ok" or "refused")."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(pairs))
    outcomes = []

    def confirm(invite, user):
        try:
            barrier.wait()
            mentoring.confirm_invite(
                invite=invite, user=user, at=timezone.now(), origin=COMMAND
            )
            outcomes.append("ok")
        except services.LearningError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_mentees_racing_for_one_invite_make_one_mentorship(tree):
    mentor = make_person(tree["ho_lien"], "Đại Sứ")
    users = [make_user(f"hv{n}", unit=tree["ho_lien"]) for n in range(4)]
    invite = _invite(mentor)

    outcomes = _confirm_at_once([(invite, user) for user in users])

    assert outcomes == ["ok", "refused", "refused", "refused"]
    assert Mentorship.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_people_confirming_each_others_invites_at_once_make_no_circle(tree):
    first = make_user("hv-a", unit=tree["ho_lien"], person_name="Người A")
    second = make_user("hv-b", unit=tree["ho_lien"], person_name="Người B")

    outcomes = _confirm_at_once(
        [(_invite(second.person), first), (_invite(first.person), second)]
    )

    assert outcomes == ["ok", "refused"]
    assert Mentorship.objects.count() == 1
