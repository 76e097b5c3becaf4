"""The counters built from nothing in SQL are the ones the families' Python path
keeps: the same facts, the same tallies, nothing for the next reconciliation."""

import pytest

from reports import first_build, tallies
from reports.models import Fact, Tally
from tests.badges.conftest import pair
from tests.learning.conftest import make_person
from units.models import Person

pytestmark = pytest.mark.services


def _facts() -> set:
    return set(Fact.objects.values_list("metric", "key", "unit_id", "day", "value"))


def _tallies() -> set:
    return set(
        Tally.objects.exclude(value=0).values_list(
            "unit_id", "metric", "grain", "day", "value"
        )
    )


class TestOnTheDemoProvince:
    @pytest.fixture
    def kept(self, demo_province, db, settings):
        """The demo's counters as the receivers and the Python path left them, then
        the counters emptied."""
        settings.MEDIA_ROOT = demo_province
        # An Đại sứ số too: the demo's mentor guides three; five more.
        mentor = Person.objects.get(user__username="hocvien")
        village = mentor.memberships.get(is_primary=True).unit
        for n in range(5):
            pair(mentor, make_person(village, f"Người được kèm {n}"), days_ago=n + 1)
        tallies.reconcile()  # the Python path counts them
        facts, sums = _facts(), _tallies()
        Fact.objects.all().delete()
        Tally.objects.all().delete()
        return facts, sums

    def test_every_family_gives_the_same_facts_and_tallies(self, kept):
        facts, sums = kept

        assert first_build.applies()
        built = tallies.reconcile()

        assert _facts() == facts
        assert _tallies() == sums
        assert built == {"facts": len(facts), "tallies": len(sums)}
        # Every statement was exercised: each family has facts in the demo.
        families = {metric.split(":")[0] for metric, *_rest in facts}
        assert families >= {
            "reach",
            "inc",
            "pop",
            "hc",
            "completions",
            "households",
            "vneid",
            "classes",
            "mentees",
            "ambassadors",
        }

    def test_the_next_reconciliation_finds_nothing_to_repair(self, kept):
        tallies.reconcile()

        assert not first_build.applies()
        assert tallies.reconcile() == {"facts": 0, "tallies": 0}
