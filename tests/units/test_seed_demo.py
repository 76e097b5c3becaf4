import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from units.demo import DEMO_ACCOUNTS, KE_SAT_VILLAGES
from units.models import Membership, Person, Role, Unit


@pytest.fixture
def seeded(demo_province, db, settings):
    settings.DEBUG = True  # for the tests that run seed_demo again
    settings.MEDIA_ROOT = demo_province


class TestSeedDemo:
    def test_builds_ke_sat_with_its_29_villages(self, seeded):
        ke_sat = Unit.objects.get(name="Xã Kê Sặt")
        villages = Unit.objects.filter(
            path__startswith=ke_sat.path, depth=ke_sat.depth + 1, kind=Unit.Kind.VILLAGE
        )

        assert villages.count() == 29
        assert set(villages.values_list("name", flat=True)) == {
            f"Thôn {name}" for name in KE_SAT_VILLAGES
        }

    def test_builds_the_department_of_finance_with_offices(self, seeded):
        finance = Unit.objects.get(name="Sở Tài chính")

        assert (
            Unit.objects.filter(
                path__startswith=finance.path, kind=Unit.Kind.OFFICE
            ).count()
            >= 5
        )

    def test_has_every_kind_the_movement_needs(self, seeded):
        kinds = set(Unit.objects.values_list("kind", flat=True))

        assert {
            "province",
            "commune",
            "village",
            "department",
            "office",
            "school",
            "youth_union",
            "youth_branch",
            "digital_team",
            "party_cell",
            "women_union",
            "farmers_union",
            "cooperative",
            "enterprise",
        } <= kinds

    def test_spreads_at_least_2000_people_over_units(self, seeded):
        assert Person.objects.count() >= 2000
        assert Membership.objects.values("unit").distinct().count() >= 50
        assert (
            Membership.objects.filter(is_primary=True).count() == Person.objects.count()
        )

    def test_gives_every_unit_kind_with_people_a_headcount(self, seeded):
        for village in Unit.objects.filter(kind=Unit.Kind.VILLAGE):
            assert village.households > 0 and village.adult_residents > 0

    def test_creates_one_account_per_role(self, seeded):
        kinds = set(Role.objects.values_list("kind", flat=True))

        assert kinds == set(Role.Kind.values)
        assert get_user_model().objects.filter(
            username__in=[a.username for a in DEMO_ACCOUNTS]
        ).count() == len(DEMO_ACCOUNTS)

    def test_running_twice_adds_nothing(self, seeded):
        counts = (Unit.objects.count(), Person.objects.count(), Role.objects.count())

        call_command("seed_demo", verbosity=0)

        assert (
            Unit.objects.count(),
            Person.objects.count(),
            Role.objects.count(),
        ) == counts

    def test_its_history_is_not_one_burst_of_submissions(self, seeded):
        from competitions.models import Submission
        from competitions.services import _burst

        sent = list(
            Submission.objects.filter(submitted_at__isnull=False).select_related("unit")
        )
        waiting = [s for s in sent if s.status == Submission.Status.SUBMITTED]

        flagged = [s for s in sent if _burst(s, now=s.submitted_at)]

        # As if each had just been sent: a reviewer of the demo sees a burst flag
        # on almost none, and not on the submission waiting for them.
        assert len(sent) > 1000 and len(flagged) <= len(sent) // 100
        assert waiting and all(
            flag["code"] != "burst" for s in waiting for flag in s.flags
        )
        assert len({s.submitted_at.date() for s in sent}) > 30

    def test_refuses_to_run_with_debug_off(self, db, settings):
        settings.DEBUG = False
        before = Unit.objects.count()

        with pytest.raises(CommandError, match="DEBUG"):
            call_command("seed_demo")

        assert Unit.objects.count() == before
