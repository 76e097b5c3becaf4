"""Class sessions: attendance by an officer, QR check-in by the learner."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from competitions.models import PointEntry
from learning.models import ClassSession, Completion

from .conftest import make_person

pytestmark = pytest.mark.django_db


def _points(**filters) -> int:
    return PointEntry.objects.filter(**filters).aggregate(t=Sum("points"))["t"] or 0


@pytest.fixture
def session(tree, officer, community_training, villagers, learning_competition):
    trainer = villagers[4]
    return ClassSession.objects.create(
        training=community_training,
        unit=tree["ho_lien"],
        trainer=trainer,
        held_on=timezone.localdate(),
        place="Nhà văn hóa thôn",
        checkin_until=timezone.now() + timedelta(hours=3),
        created_by=officer,
        created_at=timezone.now(),
    )


class TestCreateSession:
    def test_officer_creates_a_session_and_a_replayed_form_finds_it(
        self, client, officer, tree, community_training, villagers
    ):
        client.force_login(officer)
        data = {
            "training": community_training.pk,
            "unit": tree["ho_lien"].pk,
            "held_on": timezone.localdate().isoformat(),
            "place": "Nhà văn hóa",
            "trainer": villagers[0].pk,
            "checkin_hours": 24,
            "form_token": str(uuid.uuid4()),
        }

        first = client.post(reverse("learning:session_new"), data)
        again = client.post(reverse("learning:session_new"), data)

        assert first.status_code == 302 and again.url == first.url
        assert ClassSession.objects.count() == 1

    def test_an_online_course_has_no_session(self, client, officer, tree, course):
        client.force_login(officer)

        response = client.post(
            reverse("learning:session_new"),
            {
                "training": course.pk,
                "unit": tree["ho_lien"].pk,
                "held_on": timezone.localdate().isoformat(),
                "checkin_hours": 24,
            },
        )

        assert response.status_code == 400
        assert not ClassSession.objects.exists()

    def test_a_unit_outside_the_officers_scope_is_refused(
        self, client, officer, tree, community_training
    ):
        client.force_login(officer)

        response = client.post(
            reverse("learning:session_new"),
            {
                "training": community_training.pk,
                "unit": tree["cay"].pk,
                "held_on": timezone.localdate().isoformat(),
                "checkin_hours": 24,
            },
        )

        assert response.status_code == 400
        assert not ClassSession.objects.exists()


class TestAttendance:
    def test_named_attendees_credit_learner_and_trainer_once(
        self, client, officer, session, villagers
    ):
        client.force_login(officer)
        url = reverse("learning:session", args=[session.pk])
        data = {"people": [villagers[0].pk, villagers[1].pk], "anonymous": 0}

        client.post(url, data)
        client.post(url, data)

        assert Completion.objects.filter(session=session).count() == 2
        assert _points(person=villagers[0]) == 10
        assert (
            _points(person=session.trainer, activity_type__code="class-attendee") == 4
        )

    def test_the_count_of_people_not_named_is_credited_to_the_unit_once(
        self, client, officer, session, tree
    ):
        client.force_login(officer)
        url = reverse("learning:session", args=[session.pk])

        client.post(url, {"anonymous": 12})
        second = client.post(url, {"anonymous": 5})

        assert second.status_code == 400
        assert (
            _points(
                unit=tree["ho_lien"], person=None, activity_type__code="class-attendee"
            )
            == 24
        )

    @pytest.mark.parametrize("count", [-1, 501, "nhiều"])
    def test_an_implausible_count_is_refused(self, client, officer, session, count):
        client.force_login(officer)

        response = client.post(
            reverse("learning:session", args=[session.pk]), {"anonymous": count}
        )

        assert response.status_code == 400
        assert not PointEntry.objects.exists()

    def test_a_person_of_another_commune_cannot_be_recorded(
        self, client, officer, session, tree
    ):
        stranger = make_person(tree["cay"], "Người Xã Khác")
        client.force_login(officer)

        response = client.post(
            reverse("learning:session", args=[session.pk]), {"people": [stranger.pk]}
        )

        assert response.status_code == 400
        assert not Completion.objects.exists()

    def test_another_units_session_is_404(self, client, outsider, session):
        client.force_login(outsider)

        assert (
            client.get(reverse("learning:session", args=[session.pk])).status_code
            == 404
        )
        assert (
            client.post(
                reverse("learning:session", args=[session.pk]), {"anonymous": 3}
            ).status_code
            == 404
        )

    def test_the_session_page_shows_the_qr_code(self, client, officer, session):
        client.force_login(officer)

        response = client.get(reverse("learning:session", args=[session.pk]))

        assert "<svg" in response.text
        assert session.checkin_token in response.text


class TestCheckIn:
    def test_a_learner_checks_in_once_and_learner_trainer_and_unit_are_credited(
        self, client, citizen, session, tree
    ):
        client.force_login(citizen)
        url = reverse("learning:checkin", args=[session.checkin_token])

        assert client.get(url).status_code == 200
        client.post(url)
        again = client.post(url, follow=True)

        learner = citizen.person
        assert Completion.objects.get(person=learner).source == "checkin"
        assert _points(person=learner) == 10
        assert _points(person=session.trainer) == 2
        # The learner's credit counts for the village too (its boards and totals).
        assert _points(person=learner, unit=tree["ho_lien"]) == 10
        assert again.status_code == 200
        assert "Bạn đã điểm danh rồi" in again.text
        assert PointEntry.objects.filter(person=learner).count() == 1

    def test_a_closed_check_in_is_410(self, client, citizen, session):
        session.checkin_until = timezone.now() - timedelta(minutes=1)
        session.save()
        client.force_login(citizen)

        response = client.post(
            reverse("learning:checkin", args=[session.checkin_token])
        )

        assert response.status_code == 410
        assert not Completion.objects.exists()

    def test_an_unknown_token_is_404(self, client, citizen):
        client.force_login(citizen)

        assert client.get("/learning/checkin/khong-co/").status_code == 404

    def test_someone_not_signed_in_is_sent_to_sign_in_and_back(self, client, session):
        url = reverse("learning:checkin", args=[session.checkin_token])

        response = client.get(url)

        assert response.status_code == 302
        assert "/accounts/login/" in response.url and "next=" in response.url

    def test_the_trainer_cannot_check_in_to_their_own_session(
        self, client, session, tree
    ):
        from tests.conftest import make_user

        user = make_user("trainer", unit=tree["ho_lien"])
        session.trainer = user.person
        session.save()
        client.force_login(user)

        response = client.post(
            reverse("learning:checkin", args=[session.checkin_token])
        )

        assert response.status_code == 400
        assert not Completion.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_check_ins_racing_credit_once(
    tree, citizen, community_training, officer, learning_competition
):
    import threading

    from django.db import connection

    from learning import sessions
    from units.audit import COMMAND

    trainer = make_person(tree["ho_lien"], "Giảng Viên")
    session = ClassSession.objects.create(
        training=community_training,
        unit=tree["ho_lien"],
        trainer=trainer,
        held_on=timezone.localdate(),
        checkin_until=timezone.now() + timedelta(hours=1),
        created_by=officer,
        created_at=timezone.now(),
    )
    barrier = threading.Barrier(4)
    errors = []

    def check_in():
        try:
            barrier.wait()
            sessions.check_in(
                session=session, user=citizen, at=timezone.now(), origin=COMMAND
            )
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Completion.objects.filter(person=citizen.person).count() == 1
    assert PointEntry.objects.filter(person=citizen.person).count() == 1
    assert PointEntry.objects.filter(person=trainer).count() == 1
