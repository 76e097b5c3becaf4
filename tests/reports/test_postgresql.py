"""What only a real PostgreSQL can show: counters moved by several workers at once."""

from datetime import date

import pytest

from learning.models import Completion
from reports import dashboard as board
from reports import tallies
from reports.models import Fact
from tests.competitions.test_postgresql import run_at_once
from tests.reports.conftest import person
from units.models import TargetGroup

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_eight_workers_counting_the_same_people_count_each_once(tree, course):
    villages = [tree["ho_lien"], tree["quan_goi"], tree["cay"]]
    people = [
        person(villages[i % 3], f"Người {i}", target_group=TargetGroup.STUDENT)
        for i in range(30)
    ]
    for i, who in enumerate(people):
        Completion.objects.create(
            person=who,
            training=course,
            unit=villages[i % 3],
            completed_on=date(2026, 3, 1 + i % 20),
            source=Completion.Source.IMPORT,
            recorded_at="2026-03-25T08:00:00+07:00",
        )
    keys = [p.pk for p in people]
    # Eight receivers hearing of overlapping batches at once (an import's chunks,
    # a replayed signal): upserts in key order, inserts that skip what another
    # worker inserted first.
    outcomes = run_at_once(
        8, lambda i: tallies.sync(tallies.REACH, keys[i * 3 :] + keys[: i * 3])
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Fact.objects.filter(metric="reach:student").count() == 30
    today = date(2026, 6, 1)
    shown = board.dashboard(tree["province"], today=today)
    assert {r.group: r.reached for r in shown.groups}["student"] == 30
    assert shown.children[0].reached + shown.children[1].reached == 30
    # Every tally is what the facts give: nothing for the reconciliation to repair.
    assert tallies.repair_tallies() == 0
