"""Deactivated people and units leave the boards by one rule, and only they move.

The rule (leaderboards.boards.counts): a member counts on a board only if it is
active and every unit it is credited under, all the way up, is active; what a
deactivated unit or person earned stays in the totals of the active units above.
"""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competitions.models import PointEntry
from leaderboards import members, projector
from leaderboards.boards import PEOPLE, Board, period_instances, storage_key
from tests.competitions.conftest import TEST_ORIGIN, a_credit, credit_one
from units.models import Person, Unit
from units.services import set_person_active, set_unit_active


def current(store, today):
    """Every current board in the store, empty ones left out."""
    boards = {
        key: store.scores(key) for key in projector._current_keys(store.keys(), today)
    }
    return {key: scores for key, scores in boards.items() if scores}


def expected_from_ledger(today):
    """The current boards worked out the slow, obvious way, entry by entry."""
    current_instances = set(period_instances(today))
    units = {unit.pk: unit for unit in Unit.objects.all()}
    by_path = {unit.path: unit for unit in units.values()}
    active_people = dict(Person.objects.values_list("pk", "is_active"))
    boards = defaultdict(lambda: defaultdict(int))
    for entry in PointEntry.objects.projected():
        unit = units[entry.unit_id]
        chain = [by_path[path] for path in unit.ancestor_paths] + [unit]
        day = timezone.localtime(entry.occurred_at).date()
        for instance in set(period_instances(day)) & current_instances:
            everyone_active = all(u.is_active for u in chain)
            if entry.person_id and active_people[entry.person_id] and everyone_active:
                for scope in chain:
                    key = storage_key(entry.competition_id, scope.pk, PEOPLE, instance)
                    boards[key][entry.person_id] += entry.points
            for depth, member in enumerate(chain):
                if all(u.is_active for u in chain[: depth + 1]):
                    for scope in chain[:depth]:
                        key = storage_key(
                            entry.competition_id, scope.pk, member.kind, instance
                        )
                        boards[key][member.pk] += entry.points
    return {key: dict(scores) for key, scores in boards.items()}


def people_board(competition, unit, today):
    return Board(competition.pk, unit.pk, PEOPLE).storage_key(today)


def unit_board(competition, unit, kind, today):
    return Board(competition.pk, unit.pk, kind).storage_key(today)


def deactivate(obj, administrator, *, active=False):
    change = set_unit_active if isinstance(obj, Unit) else set_person_active
    return change(
        **{"unit" if isinstance(obj, Unit) else "person": obj},
        active=active,
        by=administrator,
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )


@pytest.fixture
def credited(store, tree, officer, citizen, competition, initiative):
    """Lan (the officer) earned 40 in Hồ Liễn; An (citizen) 25 in Hồ Liễn and 7 in
    Cậy of the other commune; Quán Gỏi 100 without a person. All projected."""
    for n, (unit, person, points) in enumerate(
        [
            (tree["ho_lien"], officer.person, 40),
            (tree["ho_lien"], citizen.person, 25),
            (tree["cay"], citizen.person, 7),
            (tree["quan_goi"], None, 100),
        ]
    ):
        credit_one(
            a_credit(
                competition,
                initiative,
                unit,
                person=person,
                points=points,
                key=f"activity:{n}",
            )
        )
    projector.catch_up()
    return {"lan": officer.person, "an": citizen.person}


class TestOneRule:
    def test_a_person_credited_under_a_deactivated_village_is_on_no_people_board(
        self, store, tree, officer, competition, initiative, today
    ):
        lan = officer.person
        credit_one(
            a_credit(competition, initiative, tree["ho_lien"], person=lan, points=40)
        )
        # Deactivated before the entry is projected (and without the signal that
        # moves the boards): the rule alone must keep Lan off the boards above.
        Unit.objects.filter(pk=tree["ho_lien"].pk).update(is_active=False)

        projector.catch_up()

        for scope in ("ho_lien", "ke_sat", "province"):
            assert (
                store.score(people_board(competition, tree[scope], today), lan.pk)
                is None
            )
        assert current(store, today) == expected_from_ledger(today)
        projector.rebuild()
        for scope in ("ho_lien", "ke_sat", "province"):
            assert (
                store.score(people_board(competition, tree[scope], today), lan.pk)
                is None
            )
        assert current(store, today) == expected_from_ledger(today)

    def test_the_commune_keeps_what_its_deactivated_village_earned(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            deactivate(tree["ho_lien"], administrator)

        communes = unit_board(competition, tree["province"], "commune", today)
        villages = unit_board(competition, tree["ke_sat"], "village", today)
        assert store.scores(communes) == {
            tree["ke_sat"].pk: 165,
            tree["binh_giang"].pk: 7,
        }
        assert store.scores(villages) == {tree["quan_goi"].pk: 100}
        assert store.scores(people_board(competition, tree["ho_lien"], today)) == {}

    def test_a_person_credited_in_two_villages_keeps_the_points_of_the_active_one(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        django_capture_on_commit_callbacks,
    ):
        an = credited["an"].pk

        with django_capture_on_commit_callbacks(execute=True):
            deactivate(tree["ho_lien"], administrator)

        assert store.score(people_board(competition, tree["province"], today), an) == 7
        assert store.score(people_board(competition, tree["ke_sat"], today), an) is None
        assert store.score(people_board(competition, tree["cay"], today), an) == 7

    def test_a_unit_under_a_deactivated_commune_leaves_the_province_boards(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            deactivate(tree["ke_sat"], administrator)

        villages = unit_board(competition, tree["province"], "village", today)
        assert store.scores(villages) == {tree["cay"].pk: 7}
        assert store.scores(people_board(competition, tree["province"], today)) == {
            credited["an"].pk: 7
        }
        assert current(store, today) == expected_from_ledger(today)


class TestOnlyTheChangeIsApplied:
    @pytest.fixture(autouse=True)
    def no_rebuild(self, monkeypatch):
        def refuse(**kwargs):
            raise AssertionError("deactivation must not rebuild every board")

        monkeypatch.setattr(projector, "rebuild", refuse)

    def test_a_deactivated_person_leaves_every_board_and_comes_back_exactly(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        django_capture_on_commit_callbacks,
    ):
        before = current(store, today)
        lan = credited["lan"]

        with django_capture_on_commit_callbacks(execute=True):
            deactivate(lan, administrator)

        after = current(store, today)
        assert all(
            lan.pk not in scores for key, scores in after.items() if ":people:" in key
        )
        # Their village keeps the points they earned.
        villages = unit_board(competition, tree["ke_sat"], "village", today)
        assert store.score(villages, tree["ho_lien"].pk) == 65
        assert after == expected_from_ledger(today)

        with django_capture_on_commit_callbacks(execute=True):
            deactivate(lan, administrator, active=True)

        assert current(store, today) == before

    def test_a_deactivated_village_and_its_people_leave_and_come_back_exactly(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        django_capture_on_commit_callbacks,
    ):
        before = current(store, today)

        with django_capture_on_commit_callbacks(execute=True):
            deactivate(tree["ho_lien"], administrator)

        assert current(store, today) == expected_from_ledger(today)
        assert projector.reconcile().mismatches == []

        with django_capture_on_commit_callbacks(execute=True):
            deactivate(tree["ho_lien"], administrator, active=True)

        assert current(store, today) == before

    def test_the_change_is_audited(self, store, tree, credited, administrator):
        from units.models import AuditEvent

        deactivate(tree["ho_lien"], administrator)

        event = AuditEvent.objects.get(action="unit.deactivated")
        assert (event.object_id, event.from_state, event.to_state) == (
            tree["ho_lien"].pk,
            "active",
            "inactive",
        )

    def test_refresh_reports_only_what_it_changed(
        self, store, tree, competition, credited, today
    ):
        assert members.refresh(people=[credited["lan"].pk]) == []

        Person.objects.filter(pk=credited["lan"].pk).update(is_active=False)
        changes = members.refresh(people=[credited["lan"].pk])

        assert {(c.store, c.ledger) for c in changes} == {(40, None)}
        assert len(changes) == 9  # 3 scopes x 3 periods


class TestPropertyStoreEqualsTheLedgerWhateverIsActive:
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(seed=st.integers(min_value=0, max_value=1_000_000))
    def test_after_random_awards_and_activity_changes(
        self,
        store,
        tree,
        officer,
        citizen,
        outsider,
        administrator,
        competition,
        initiative,
        today,
        django_capture_on_commit_callbacks,
        seed,
    ):
        rng = random.Random(seed)
        people = [officer.person, citizen.person, outsider.person]
        units = list(tree.values())
        with django_capture_on_commit_callbacks(execute=True):
            for step in range(rng.randint(5, 25)):
                if rng.random() < 0.6:
                    unit = rng.choice(units)
                    person = rng.choice([*people, None])
                    credit_one(
                        a_credit(
                            competition,
                            initiative,
                            unit,
                            person=person,
                            points=rng.randint(0, 50),
                            key=f"random:{seed}:{step}",
                            occurred_at=timezone.now()
                            - timedelta(days=rng.randint(0, 40)),
                        )
                    )
                    if rng.random() < 0.7:
                        projector.catch_up()
                else:
                    target = rng.choice([*units, *people])
                    target.refresh_from_db()
                    deactivate(target, administrator, active=not target.is_active)
        projector.catch_up()

        expected = expected_from_ledger(today)
        assert current(store, today) == expected
        assert projector.reconcile().mismatches == []
        projector.rebuild()
        assert current(store, today) == expected


class TestWhenTheTargetedMoveIsNotTheWay:
    def test_a_subtree_with_too_many_people_is_rebuilt_instead(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        monkeypatch.setattr(members, "MAX_TARGETED_PEOPLE", 1)
        rebuilds = []
        rebuild = projector.rebuild
        monkeypatch.setattr(
            projector, "rebuild", lambda **kw: rebuilds.append(1) or rebuild(**kw)
        )

        with django_capture_on_commit_callbacks(execute=True):
            deactivate(tree["ke_sat"], administrator)

        assert rebuilds == [1]
        assert current(store, today) == expected_from_ledger(today)

    def test_a_stopped_store_keeps_the_deactivation_and_the_reconciliation_moves_later(
        self,
        store,
        tree,
        competition,
        credited,
        administrator,
        today,
        monkeypatch,
        caplog,
        django_capture_on_commit_callbacks,
    ):
        from leaderboards.reconciliation import reconcile_and_repair
        from leaderboards.stores import StoreUnavailable

        def unavailable(*args, **kwargs):
            raise StoreUnavailable("connection refused")

        monkeypatch.setattr(store, "scores_of", unavailable)
        with django_capture_on_commit_callbacks(execute=True):
            deactivate(credited["lan"], administrator)
        monkeypatch.undo()

        assert not Person.objects.get(pk=credited["lan"].pk).is_active
        assert "moves at the next reconciliation" in caplog.text
        assert current(store, today) != expected_from_ledger(today)

        reconcile_and_repair()

        assert current(store, today) == expected_from_ledger(today)
