"""Class sessions: attendance by an officer, QR check-in by the learner."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from competitions.models import Notification, PointEntry
from learning import sessions
from learning.models import ClassSession, Completion
from tests.conftest import PASSWORD, make_user
from units.models import Role

from .conftest import make_person

pytestmark = pytest.mark.django_db


def _points(**filters) -> int:
    return PointEntry.objects.filter(**filters).aggregate(t=Sum("points"))["t"] or 0


def _scan(client, session, *, at=None):
    """Open the address the projected QR code holds (at `at`, default now)."""
    return client.get(sessions.checkin_path(session, at=at or timezone.now()))


def _check_in(client, session):
    """Scan the projected code, then press "I am here"."""
    _scan(client, session)
    return client.post(reverse("learning:checkin", args=[session.checkin_token]))


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

    def test_the_session_page_shows_the_qr_code_of_the_current_code(
        self, client, officer, session
    ):
        client.force_login(officer)

        response = client.get(reverse("learning:session", args=[session.pk]))

        assert "<svg" in response.text
        assert sessions.checkin_path(session, at=timezone.now()) in response.text
        assert "js/checkin-qr.js" in response.text


class TestCheckIn:
    def test_a_learner_checks_in_once_and_learner_trainer_and_unit_are_credited(
        self, client, citizen, session, tree
    ):
        client.force_login(citizen)
        url = reverse("learning:checkin", args=[session.checkin_token])

        assert _scan(client, session).url == url
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
        client.force_login(citizen)
        _scan(client, session)
        session.checkin_until = timezone.now() - timedelta(minutes=1)
        session.save()

        response = client.post(
            reverse("learning:checkin", args=[session.checkin_token])
        )

        assert response.status_code == 410
        assert not Completion.objects.exists()

    def test_an_unknown_token_is_404(self, client, citizen):
        client.force_login(citizen)

        assert client.get("/learning/checkin/khong-co/").status_code == 404

    def test_someone_not_signed_in_scans_signs_in_and_checks_in(
        self, client, citizen, session
    ):
        url = reverse("learning:checkin", args=[session.checkin_token])

        scanned = _scan(client, session)
        to_sign_in = client.get(scanned.url)
        signed_in = client.post(
            to_sign_in.url, {"login": "citizen", "password": PASSWORD}
        )
        response = client.post(url)

        assert "/accounts/login/" in to_sign_in.url and "next=" in to_sign_in.url
        assert signed_in.url == url
        assert response.status_code == 302
        assert Completion.objects.get(person=citizen.person).status == "confirmed"

    def test_the_trainer_cannot_check_in_to_their_own_session(
        self, client, session, tree
    ):
        from tests.conftest import make_user

        user = make_user("trainer", unit=tree["ho_lien"])
        session.trainer = user.person
        session.save()
        client.force_login(user)

        response = _check_in(client, session)

        assert response.status_code == 400
        assert not Completion.objects.exists()


class TestTheProjectedCodeChanges:
    def test_the_code_changes_every_thirty_seconds(self, session):
        start = timezone.now().replace(second=0, microsecond=0)

        codes = [
            sessions.checkin_code(session, at=start + timedelta(seconds=n))
            for n in (0, 29, 30, 59, 60)
        ]

        assert codes[0] == codes[1] != codes[2] == codes[3] != codes[4]
        assert len(codes[0]) == 16

    @pytest.mark.parametrize(("age", "accepted"), [(0, True), (45, True), (61, False)])
    def test_the_current_and_the_previous_code_are_accepted(
        self, session, age, accepted
    ):
        start = timezone.now().replace(second=0, microsecond=0)
        code = sessions.checkin_code(session, at=start)

        if accepted:
            sessions.scan(session=session, code=code, at=start + timedelta(seconds=age))
        else:
            with pytest.raises(sessions.CodeExpired):
                sessions.scan(
                    session=session, code=code, at=start + timedelta(seconds=age)
                )

    def test_a_forwarded_photo_of_an_old_code_says_to_ask_for_the_current_one(
        self, client, citizen, session
    ):
        client.force_login(citizen)

        response = _scan(client, session, at=timezone.now() - timedelta(minutes=2))
        after = client.post(reverse("learning:checkin", args=[session.checkin_token]))

        assert response.status_code == 410
        assert "Hãy nhờ cán bộ chiếu mã hiện tại" in response.text
        assert after.status_code == 410
        assert not Completion.objects.exists()

    def test_another_sessions_code_does_not_open_this_one(
        self, client, citizen, session, officer
    ):
        other = ClassSession.objects.create(
            training=session.training,
            unit=session.unit,
            held_on=session.held_on,
            checkin_until=session.checkin_until,
            created_by=officer,
            created_at=timezone.now(),
        )
        code = sessions.checkin_code(other, at=timezone.now())
        client.force_login(citizen)

        response = client.get(
            reverse("learning:checkin_scan", args=[session.checkin_token, code])
        )

        assert response.status_code == 410

    def test_the_bare_link_without_a_scan_checks_nobody_in(
        self, client, citizen, session
    ):
        # What a forwarded address without the code gives: the page, then nothing.
        client.force_login(citizen)
        url = reverse("learning:checkin", args=[session.checkin_token])

        page = client.get(url)
        response = client.post(url)

        assert page.status_code == response.status_code == 410
        assert not Completion.objects.exists()

    def test_a_scan_is_good_for_ten_minutes(
        self, client, citizen, session, monkeypatch
    ):
        client.force_login(citizen)
        _scan(client, session)
        later = timezone.now() + sessions.SCAN_VALID + timedelta(seconds=5)
        monkeypatch.setattr(timezone, "now", lambda: later)

        response = client.post(
            reverse("learning:checkin", args=[session.checkin_token])
        )

        assert response.status_code == 410
        assert not Completion.objects.exists()

    def test_the_page_fetches_the_current_code(self, client, officer, session):
        client.force_login(officer)

        response = client.get(reverse("learning:session_code", args=[session.pk]))

        current = response.json()
        assert current["open"] is True
        assert current["url"].endswith(
            sessions.checkin_path(session, at=timezone.now())
        )
        assert current["svg"].startswith("<svg") and 1 <= current["refresh_in"] <= 30
        assert "no-store" in response["Cache-Control"]

    def test_only_the_sessions_officers_get_the_code(self, client, outsider, session):
        client.force_login(outsider)

        for name in ("session_code", "session_projector"):
            response = client.get(reverse(f"learning:{name}", args=[session.pk]))
            assert response.status_code == 404

    def test_the_projector_page_renews_itself_without_javascript(
        self, client, officer, session
    ):
        client.force_login(officer)

        response = client.get(reverse("learning:session_projector", args=[session.pk]))

        assert '<noscript><meta http-equiv="refresh" content="' in response.text
        assert sessions.checkin_path(session, at=timezone.now()) in response.text


@pytest.fixture
def stranger(tree):
    """A villager of another commune (Bình Giang), with a login."""
    return make_user("stranger", unit=tree["cay"], person_name="Người Xã Khác")


class TestCheckInFromOutsideTheCommune:
    def test_is_recorded_for_the_officer_to_confirm_and_credits_nothing(
        self, client, stranger, session, officer
    ):
        client.force_login(stranger)

        response = _check_in(client, session)

        completion = Completion.objects.get(person=stranger.person)
        assert response.status_code == 302
        assert completion.status == Completion.Status.PENDING
        assert not PointEntry.objects.exists()
        notice = Notification.objects.get(user=officer)
        assert "Người Xã Khác" in notice.message and "Xã Kê Sặt" in notice.message
        assert "cán bộ sẽ xác nhận" in client.get(response.url).text

    def test_a_villager_of_another_village_of_the_commune_is_credited_at_once(
        self, client, session, tree
    ):
        neighbour = make_user("langben", unit=tree["quan_goi"])
        client.force_login(neighbour)

        _check_in(client, session)

        assert Completion.objects.get(person=neighbour.person).status == "confirmed"
        assert _points(person=neighbour.person) == 10

    def test_the_officer_confirms_and_learner_and_trainer_are_credited_once(
        self, client, stranger, session, officer
    ):
        client.force_login(stranger)
        _check_in(client, session)
        completion = Completion.objects.get(person=stranger.person)
        client.force_login(officer)
        page = client.get(reverse("learning:session", args=[session.pk]))
        decide = reverse("learning:checkin_decide", args=[session.pk, completion.pk])

        client.post(decide, {"decision": "confirm"})
        client.post(decide, {"decision": "confirm"})
        client.post(decide, {"decision": "refuse"})

        assert "Người Xã Khác" in page.text and "Xác nhận" in page.text
        completion.refresh_from_db()
        assert completion.status == Completion.Status.CONFIRMED
        assert _points(person=stranger.person) == 10
        assert _points(person=session.trainer) == 2

    def test_the_officer_refuses_and_nothing_is_credited(
        self, client, stranger, session, officer
    ):
        client.force_login(stranger)
        _check_in(client, session)
        completion = Completion.objects.get(person=stranger.person)
        client.force_login(officer)

        client.post(
            reverse("learning:checkin_decide", args=[session.pk, completion.pk]),
            {"decision": "refuse"},
        )

        completion.refresh_from_db()
        assert completion.status == Completion.Status.REJECTED
        assert not PointEntry.objects.exists()

    def test_nobody_else_decides_it(self, client, stranger, session, outsider, tree):
        client.force_login(stranger)
        _check_in(client, session)
        completion = Completion.objects.get(person=stranger.person)
        # The reviewer of the learner's own commune did not see the class.
        home_reviewer = make_user(
            "thamdinh", unit=tree["binh_giang"], role=Role.Kind.REVIEWER
        )

        client.force_login(outsider)
        foreign = client.post(
            reverse("learning:checkin_decide", args=[session.pk, completion.pk]),
            {"decision": "confirm"},
        )
        client.force_login(home_reviewer)
        queue = client.get(reverse("learning:completion_review"))
        review = client.post(
            reverse("learning:completion_decide", args=[completion.pk]),
            {"decision": "approve", "reason": ""},
        )

        assert foreign.status_code == 404
        assert completion not in list(queue.context["page"])
        assert review.status_code == 400
        completion.refresh_from_db()
        assert completion.status == Completion.Status.PENDING


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_check_ins_racing_credit_once(
    tree, citizen, community_training, officer, learning_competition
):
    import threading

    from django.db import connection

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
            now = timezone.now()
            sessions.check_in(
                session=session,
                user=citizen,
                scanned_at=now,
                at=now,
                origin=COMMAND,
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
