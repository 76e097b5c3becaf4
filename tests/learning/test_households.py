"""Gia đình số households and citizens helped with VNeID."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from competitions.models import PointEntry
from learning import households, services
from learning.models import Household, HouseholdMember, VneidHelp
from units.audit import COMMAND

from .conftest import make_person

pytestmark = pytest.mark.django_db


def _points(**filters) -> int:
    return PointEntry.objects.filter(**filters).aggregate(t=Sum("points"))["t"] or 0


@pytest.fixture
def household(tree):
    return Household.objects.create(
        unit=tree["ho_lien"], name="Hộ ông Bình", created_at=timezone.now()
    )


def _complete(person, training, unit, officer):
    services.record_completion(
        services.NewCompletion(
            person=person,
            training=training,
            unit=unit,
            completed_on=timezone.localdate() - timedelta(days=2),
            source="attendance",
        ),
        by=officer,
        at=timezone.now(),
        origin=COMMAND,
    )


class TestHouseholds:
    def test_officer_creates_a_household_and_adds_people(
        self, client, officer, tree, villagers
    ):
        client.force_login(officer)

        response = client.post(
            reverse("learning:households", args=[tree["ho_lien"].pk]),
            {"name": "Hộ bà Cúc"},
        )
        household = Household.objects.get()
        client.post(
            reverse("learning:household", args=[household.pk]),
            {"person": villagers[0].pk, "action": "add"},
        )

        assert response.status_code == 302
        assert list(household.members.all()) == [villagers[0]]

    def test_adding_a_member_who_already_completed_makes_it_digital_once(
        self,
        client,
        officer,
        tree,
        villagers,
        household,
        course,
        second_course,
        learning_competition,
    ):
        _complete(villagers[0], course, tree["ho_lien"], officer)
        _complete(villagers[1], second_course, tree["ho_lien"], officer)
        client.force_login(officer)
        url = reverse("learning:household", args=[household.pk])

        client.post(url, {"person": villagers[0].pk, "action": "add"})
        client.post(url, {"person": villagers[1].pk, "action": "add"})

        household.refresh_from_db()
        assert household.digital_since == timezone.localdate() - timedelta(days=2)
        assert _points(activity_type__code="digital-household") == 8

    def test_removing_a_member_keeps_the_points(
        self, client, officer, tree, villagers, household, course, learning_competition
    ):
        _complete(villagers[0], course, tree["ho_lien"], officer)
        client.force_login(officer)
        url = reverse("learning:household", args=[household.pk])
        client.post(url, {"person": villagers[0].pk, "action": "add"})

        client.post(url, {"person": villagers[0].pk, "action": "remove"})

        assert not HouseholdMember.objects.exists()
        assert _points(activity_type__code="digital-household") == 8

    def test_a_person_in_two_households_is_refused(
        self, client, officer, tree, villagers, household
    ):
        other = Household.objects.create(
            unit=tree["ho_lien"], name="Hộ khác", created_at=timezone.now()
        )
        HouseholdMember.objects.create(household=other, person=villagers[0])
        client.force_login(officer)

        response = client.post(
            reverse("learning:household", args=[household.pk]),
            {"person": villagers[0].pk, "action": "add"},
        )

        assert response.status_code == 400
        assert HouseholdMember.objects.get(person=villagers[0]).household == other

    def test_a_person_of_another_village_is_refused(
        self, client, officer, tree, household
    ):
        stranger = make_person(tree["cay"], "Người Thôn Khác")
        client.force_login(officer)

        response = client.post(
            reverse("learning:household", args=[household.pk]),
            {"person": stranger.pk, "action": "add"},
        )

        assert response.status_code == 400
        assert not HouseholdMember.objects.exists()

    def test_the_share_uses_the_headcount(self, client, officer, tree, household):
        Household.objects.filter(pk=household.pk).update(
            digital_since=timezone.localdate()
        )
        client.force_login(officer)

        response = client.get(reverse("learning:households", args=[tree["ho_lien"].pk]))

        share = response.context["share"]
        assert (share.digital, share.total, share.percent) == (1, 120, 1)

    def test_unit_page_shows_the_share(self, client, tree, household):
        Household.objects.filter(pk=household.pk).update(
            digital_since=timezone.localdate()
        )

        response = client.get(reverse("units:detail", args=[tree["ho_lien"].pk]))

        assert (
            "1 / 120" in response.text
            or "1 of 120" in response.text
            or "1 trên 120" in response.text
        )

    def test_another_units_households_are_404(self, client, outsider, tree, household):
        client.force_login(outsider)

        assert (
            client.get(
                reverse("learning:households", args=[tree["ho_lien"].pk])
            ).status_code
            == 404
        )
        assert (
            client.get(reverse("learning:household", args=[household.pk])).status_code
            == 404
        )


class TestVneidHelp:
    def _post(self, client, unit, **fields):
        data = {
            "unit": unit.pk,
            "helped_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "citizens": 7,
            "note": "Tại nhà văn hóa",
            "form_token": str(uuid.uuid4()),
            **fields,
        }
        return client.post(reverse("learning:vneid"), data)

    def test_a_count_is_credited_three_points_per_citizen(
        self, client, officer, tree, villagers, learning_competition
    ):
        client.force_login(officer)

        response = self._post(client, tree["ho_lien"], helper=villagers[0].pk)

        assert response.status_code == 302
        assert _points(activity_type__code="vneid-help", person=villagers[0]) == 21

    def test_a_replayed_form_records_once(
        self, client, officer, tree, learning_competition
    ):
        client.force_login(officer)
        token = str(uuid.uuid4())

        self._post(client, tree["ho_lien"], form_token=token)
        self._post(client, tree["ho_lien"], form_token=token)

        assert VneidHelp.objects.count() == 1
        assert _points(activity_type__code="vneid-help") == 21

    @pytest.mark.parametrize(
        "note",
        [
            "CCCD 001203004567",
            "số 123456789",
            "0012 0300 4567",
            "001.203.004.567",
            "CMND: 123-456-789",
            "cccd 0012/0300/4567 bà Lan",
        ],
    )
    def test_an_id_number_in_the_note_is_refused(self, client, officer, tree, note):
        client.force_login(officer)

        response = self._post(client, tree["ho_lien"], note=note)

        assert response.status_code == 400
        assert "Không nhập số định danh cá nhân" in response.content.decode()
        assert not VneidHelp.objects.exists()

    @pytest.mark.parametrize(
        "note", ["Giúp 3 người cao tuổi ngày 12/5", "SĐT 0912 345 678", "2 cụ, 80 tuổi"]
    )
    def test_counts_dates_and_phone_numbers_are_not_id_numbers(self, note):
        assert not households.looks_like_an_id_number(note)

    @pytest.mark.parametrize(
        "fields", [{"citizens": 0}, {"citizens": 501}, {"helped_on": "2099-01-01"}]
    )
    def test_implausible_input_is_refused(self, client, officer, tree, fields):
        client.force_login(officer)

        response = self._post(client, tree["ho_lien"], **fields)

        assert response.status_code == 400
        assert not VneidHelp.objects.exists()

    def test_another_units_id_is_refused(self, client, officer, tree):
        client.force_login(officer)

        response = self._post(client, tree["cay"])

        assert response.status_code == 400
        assert not VneidHelp.objects.exists()

    def test_someone_without_a_role_gets_404(self, client, citizen):
        client.force_login(citizen)

        assert client.get(reverse("learning:vneid")).status_code == 404
