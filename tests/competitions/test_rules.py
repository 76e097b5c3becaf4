"""Versioned rules: past entries keep their points until a previewed recalculation."""

import random
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competitions import rules, selectors, services
from competitions.models import PointEntry, PointRule
from tests.competitions.conftest import TEST_ORIGIN, make_submission, noisy_photo


def new_version(competition, activity, *, effective_from, per_event):
    return PointRule.objects.create(
        competition=competition,
        activity_type=activity,
        version=rules.next_version(competition=competition, activity_type=activity),
        effective_from=effective_from,
        points_per_event=per_event,
    )


def approve(submission, reviewer):
    return services.approve_submission(
        submission=submission, reviewer=reviewer, at=timezone.now(), origin=TEST_ORIGIN
    )


class TestRuleVersions:
    def test_a_new_version_applies_from_its_date_and_past_entries_keep_their_points(
        self, tree, officer, reviewer, competition, initiative, today
    ):
        old = approve(
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                on=today - timedelta(days=10),
                photo=noisy_photo(1),
            ),
            reviewer,
        )[0]
        new_version(
            competition,
            initiative,
            effective_from=today - timedelta(days=5),
            per_event=150,
        )

        recent = approve(
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                on=today - timedelta(days=2),
                photo=noisy_photo(2),
            ),
            reviewer,
        )[0]

        assert (PointEntry.objects.get(pk=old.pk).points, recent.points) == (100, 150)
        assert recent.rule.version == 2

    def test_preview_shows_what_a_retroactive_version_would_change(
        self, tree, officer, reviewer, competition, initiative, today
    ):
        approve(
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                on=today - timedelta(days=10),
                photo=noisy_photo(1),
            ),
            reviewer,
        )
        rule = new_version(
            competition,
            initiative,
            effective_from=today - timedelta(days=20),
            per_event=130,
        )

        changes = rules.preview_recalculation(rule=rule)

        assert [(c.entry.points, c.new_points) for c in changes] == [(100, 130)]
        assert PointEntry.objects.count() == 1  # a preview writes nothing

    def test_applying_reverses_and_credits_again_once(
        self, tree, officer, reviewer, administrator, competition, initiative, today
    ):
        approve(
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                on=today - timedelta(days=10),
                photo=noisy_photo(1),
            ),
            reviewer,
        )
        rule = new_version(
            competition,
            initiative,
            effective_from=today - timedelta(days=20),
            per_event=130,
        )

        rules.apply_recalculation(rule=rule, by=administrator, at=timezone.now())
        rules.apply_recalculation(rule=rule, by=administrator, at=timezone.now())

        assert sorted(PointEntry.objects.values_list("points", flat=True)) == [
            -100,
            100,
            130,
        ]
        assert selectors.unit_total(tree["province"], competition) == 130

    def test_a_version_from_a_later_date_stays_in_force_after_recalculating_an_earlier_one(
        self, tree, officer, reviewer, administrator, competition, initiative, today
    ):
        approve(
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                on=today - timedelta(days=2),
                photo=noisy_photo(1),
            ),
            reviewer,
        )
        new_version(
            competition,
            initiative,
            effective_from=today - timedelta(days=5),
            per_event=150,
        )
        earlier = new_version(
            competition,
            initiative,
            effective_from=today - timedelta(days=30),
            per_event=50,
        )

        assert rules.preview_recalculation(rule=earlier) == []


class TestLedgerEqualsTotals:
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        seed=st.integers(min_value=0, max_value=10_000),
        steps=st.integers(min_value=3, max_value=14),
    )
    def test_after_random_awards_reversals_and_rule_changes_totals_equal_ledger_sums(
        self,
        tree,
        officer,
        outsider,
        reviewer,
        administrator,
        competition,
        initiative,
        community_class,
        today,
        seed,
        steps,
    ):
        rng = random.Random(seed)
        villages = [("ho_lien", officer), ("quan_goi", officer), ("cay", outsider)]
        approved = []
        for step in range(steps):
            action = rng.choice(["award", "award", "award", "reverse", "rule"])
            if action == "award":
                village, who = rng.choice(villages)
                if village == "quan_goi":
                    continue  # the officer's role covers Hồ Liễn only
                activity = rng.choice([initiative, community_class])
                submission = make_submission(
                    officer=who,
                    unit=tree[village],
                    competition=competition,
                    activity_type=activity,
                    on=today - timedelta(days=rng.randint(0, 60)),
                    quantity=rng.randint(1, 80),
                    photo=noisy_photo(seed * 100 + step),
                )
                reviewer_for = reviewer if village != "cay" else administrator
                approved += approve(submission, reviewer_for)
            elif action == "reverse" and approved:
                entry = approved.pop(rng.randrange(len(approved)))
                services.revoke_entries(
                    submission=entry.submission,
                    by=administrator,
                    reason="ngẫu nhiên",
                    at=timezone.now(),
                    origin=TEST_ORIGIN,
                )
            elif action == "rule":
                activity = rng.choice([initiative, community_class])
                day = today - timedelta(days=rng.randint(0, 60))
                if not PointRule.objects.filter(
                    competition=competition, activity_type=activity, effective_from=day
                ).exists():
                    rule = new_version(
                        competition,
                        activity,
                        effective_from=day,
                        per_event=rng.randint(0, 200),
                    )
                    rules.apply_recalculation(
                        rule=rule, by=administrator, at=timezone.now()
                    )

        for unit in tree.values():
            expected = sum(
                entry.points
                for entry in PointEntry.objects.filter(
                    competition=competition
                ).select_related("unit")
                if entry.unit.path.startswith(unit.path)
            )
            assert selectors.unit_total(unit, competition) == expected
        for person_id in (
            PointEntry.objects.exclude(person=None)
            .values_list("person", flat=True)
            .distinct()
        ):
            expected = PointEntry.objects.filter(person_id=person_id).aggregate(
                total=Sum("points")
            )["total"]
            from units.models import Person

            assert (
                selectors.person_total(Person.objects.get(pk=person_id), competition)
                == expected
            )
        # No live entry is negative and every reversal cancels exactly one entry.
        assert not PointEntry.objects.filter(
            points__lt=0, reverses__isnull=True
        ).exists()
        for reversal in PointEntry.objects.filter(
            reverses__isnull=False
        ).select_related("reverses"):
            assert reversal.points == -reversal.reverses.points
