"""The counters follow the records after commit, and the dashboard, the report and a
count straight from the records give the same numbers."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from learning.models import Completion
from reports import compose, tallies
from reports import dashboard as board
from reports.models import Fact, Tally
from tests.reports.conftest import complete, person
from units.models import TargetGroup, Unit

TODAY = date(2026, 6, 15)


def straight(unit: Unit, as_of: date) -> dict[str, int]:
    """People reached per group, counted from the completions themselves."""
    firsts = (
        Completion.objects.filter(
            status=Completion.Status.CONFIRMED,
            training__counts_toward_universal=True,
        )
        .values("person_id")
        .annotate(first=Min("completed_on"))
    )
    counts = {group.value: 0 for group in TargetGroup}
    for row in firsts:
        first = (
            Completion.objects.filter(
                person_id=row["person_id"],
                status=Completion.Status.CONFIRMED,
                training__counts_toward_universal=True,
            )
            .order_by("completed_on", "pk")
            .select_related("unit", "person")
            .first()
        )
        if first.completed_on <= as_of and first.unit.path.startswith(unit.path):
            counts[first.person.target_group] += 1
    return counts


def shown(unit: Unit, as_of: date) -> dict[str, int]:
    data = board.dashboard(unit, as_of=as_of, today=TODAY)
    return {row.group: row.reached for row in data.groups}


def test_a_completion_counts_after_commit_once_per_person(
    tree, course, other_course, django_capture_on_commit_callbacks
):
    ho_lien = tree["ho_lien"]
    an = person(ho_lien)
    with django_capture_on_commit_callbacks(execute=True):
        complete(an, course, date(2026, 3, 2))
        complete(an, other_course, date(2026, 1, 20))
    # Reached once, on the earlier day, in the village, the commune and the province.
    for unit in (ho_lien, tree["ke_sat"], tree["province"]):
        assert shown(unit, TODAY)["citizen"] == 1
    assert shown(tree["ke_sat"], date(2026, 1, 19))["citizen"] == 0
    assert shown(tree["ke_sat"], date(2026, 1, 20))["citizen"] == 1
    assert shown(tree["binh_giang"], TODAY)["citizen"] == 0
    data = board.dashboard(tree["ke_sat"], today=TODAY)
    # The models' table: trainings completed is its sixth line.
    assert data.models[5][1] == 2


def test_headcounts_follow_the_unit(tree, django_capture_on_commit_callbacks):
    tallies.reconcile()
    ke_sat = tree["ke_sat"]
    data = board.dashboard(ke_sat, today=TODAY)
    assert data.groups[0].headcount == 550  # 300 + 250 adults in the two villages
    with django_capture_on_commit_callbacks(execute=True):
        tree["quan_goi"].adult_residents = 150
        tree["quan_goi"].save()
    data = board.dashboard(ke_sat, today=TODAY)
    assert data.groups[0].headcount == 450


def test_reconciliation_repairs_what_drifted(tree, course):
    an = person(tree["ho_lien"])
    # Recorded while the receivers were not listening (no commit callbacks here).
    complete(an, course, date(2026, 2, 1))
    assert shown(tree["province"], TODAY)["citizen"] == 0
    Tally.objects.create(
        unit=tree["cay"],
        metric="reach:student",
        grain="t",
        day=tallies.TOTAL_DAY,
        value=7,
    )
    repaired = tallies.reconcile()
    assert repaired["facts"] >= 1 and repaired["tallies"] >= 1
    assert shown(tree["province"], TODAY)["citizen"] == 1
    assert shown(tree["cay"], TODAY)["student"] == 0
    assert tallies.reconcile() == {"facts": 0, "tallies": 0}


def test_inclusion_is_suppressed_below_the_minimum_group(
    tree, course, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_MIN_GROUP = 3
    with django_capture_on_commit_callbacks(execute=True):
        elders = [person(tree["ho_lien"], f"Cụ {i}", is_elderly=True) for i in range(4)]
        minority = person(tree["ho_lien"], "Lò Văn Páo", is_ethnic_minority=True)
        for elder in elders[:3]:
            complete(elder, course, date(2026, 2, 1))
        complete(minority, course, date(2026, 2, 1))
    rows = {
        row["name"]: row
        for row in board.dashboard(tree["ke_sat"], today=TODAY).inclusion
    }
    # Four elderly people, three reached: the one not reached is a group of one.
    assert rows["elderly"]["suppressed"]
    assert rows["minority"]["suppressed"] and rows["minority"]["reached"] is None
    assert rows["disability"]["suppressed"]
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            person(tree["ho_lien"], f"Cụ mới {i}", is_elderly=True)
    rows = {
        row["name"]: row
        for row in board.dashboard(tree["ke_sat"], today=TODAY).inclusion
    }
    assert not rows["elderly"]["suppressed"]
    assert (rows["elderly"]["size"], rows["elderly"]["reached"]) == (7, 3)


GROUPS = [group.value for group in TargetGroup]


class TestDashboardEqualsReportEqualsStraightCount:
    @settings(
        max_examples=12,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        seed=st.integers(min_value=0, max_value=10**6),
        events=st.lists(
            st.tuples(
                st.integers(0, 7),  # person
                st.integers(0, 2),  # unit credited (a village of the tree)
                st.integers(0, 200),  # days before TODAY
                st.integers(0, 1),  # training
                st.booleans(),  # confirmed (a pending self-report does not count)
            ),
            max_size=25,
        ),
    )
    def test_random_records(
        self,
        tree,
        course,
        other_course,
        django_capture_on_commit_callbacks,
        seed,
        events,
    ):
        rng = random.Random(seed)
        villages = [tree["ho_lien"], tree["quan_goi"], tree["cay"]]
        with transaction.atomic():
            tallies.reconcile()  # the tree's headcounts, made before the receivers
            with django_capture_on_commit_callbacks(execute=True):
                people = [
                    person(
                        rng.choice(villages),
                        f"Người {i}",
                        target_group=rng.choice(GROUPS),
                    )
                    for i in range(8)
                ]
                for who, where, back, which, confirmed in events:
                    complete(
                        people[who],
                        (course, other_course)[which],
                        TODAY - timedelta(days=back),
                        unit=villages[where],
                        pending=not confirmed,
                    )
            days = [
                TODAY,
                TODAY - timedelta(days=rng.randint(0, 200)),
                date(2026, 1, 1),
            ]
            for unit in [tree["province"], tree["ke_sat"], *villages]:
                for day in days:
                    assert shown(unit, day) == straight(unit, day), (unit, day)
            # The report's KPI sheet carries the dashboard's numbers.
            start = date(2026, 4, 1)
            data = compose.compose(
                tree["province"], start, date(2026, 6, 30), year=2026, today=TODAY
            )
            kpi = next(s for s in data["sections"] if s["key"] == "kpi")
            expected = straight(tree["province"], TODAY)
            assert [row[2] for row in kpi["rows"][:4]] == [expected[g] for g in GROUPS]
            assert kpi["rows"][4][2] == sum(expected.values())
            before = straight(tree["province"], start - timedelta(days=1))
            assert kpi["rows"][4][3] == sum(expected.values()) - sum(before.values())
            units = next(s for s in data["sections"] if s["key"] == "units")
            assert len(units["rows"]) == Unit.objects.count()
            assert tallies.reconcile() == {"facts": 0, "tallies": 0}
            transaction.set_rollback(True)
        assert not Fact.objects.exists()


def test_the_nightly_reconciliation_runs_through_the_schedule(tree, course, settings):
    from units import schedule

    an = person(tree["ho_lien"])
    complete(an, course, date(2026, 2, 1))  # no commit callbacks: not counted yet
    assert shown(tree["province"], TODAY)["citizen"] == 0
    settings.REPORTS_RECONCILE_MINUTES = 60
    schedule.forget_local_state()

    assert "reports.reconcile" in schedule.run_due()
    assert shown(tree["province"], TODAY)["citizen"] == 1
