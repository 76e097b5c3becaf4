"""Badges are awarded where facts change, for the recipients touched, once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges import criteria, evaluation, services
from badges.models import Assertion, BadgeClass
from competitions.models import Competition, Notification, PointEntry
from learning import households
from learning.models import Household, HouseholdMember, SkillArea, Training
from tests.badges.conftest import committed, complete, make_class, pair
from tests.competitions.conftest import TEST_ORIGIN
from tests.learning.conftest import make_person
from units.models import Unit
from units.services import create_unit

pytestmark = pytest.mark.django_db


def held(slug, **recipient):
    return sorted(
        Assertion.objects.filter(badge_slug=slug, **recipient).values_list(
            "level", flat=True
        )
    )


class TestDaiSuSo:
    def test_the_fifth_mentee_completing_awards_bronze_once(
        self, mentor, mentees, course
    ):
        for mentee in mentees[:4]:
            complete(mentee, course)
        assert held("dai-su-so", person=mentor) == []

        complete(mentees[4], course)

        assert held("dai-su-so", person=mentor) == ["bronze"]
        assertion = Assertion.objects.get(badge_slug="dai-su-so")
        assert assertion.evidence == {"l0": 5}
        assert Notification.objects.filter(
            user=mentor.user, link=f"/badges/assertions/{assertion.uid}/"
        ).exists()

    def test_evaluating_again_awards_nothing_more(self, mentor, mentees, course):
        for mentee in mentees[:5]:
            complete(mentee, course)

        again = services.evaluate_change(
            services.Change(kind=criteria.COMPLETION, mentors={mentor.pk}),
            at=timezone.now(),
        )

        assert again == []
        assert Assertion.objects.filter(badge_slug="dai-su-so").count() == 1

    def test_a_mentee_who_completed_before_accepting_does_not_count(
        self, tree, mentor, mentees, course
    ):
        latecomer = make_person(tree["ho_lien"], "Người đến sau")
        complete(latecomer, course, on=timezone.localdate() - timedelta(days=20))
        pair(mentor, latecomer, days_ago=5)
        for mentee in mentees[:4]:
            complete(mentee, course)

        services.evaluate_change(
            services.Change(kind=criteria.COMPLETION, mentors={mentor.pk}),
            at=timezone.now(),
        )

        assert held("dai-su-so", person=mentor) == []

    def test_ten_mentees_reach_silver_as_well(self, tree, mentor, mentees, course):
        people = mentees + [
            make_person(tree["ho_lien"], f"Học viên {n}") for n in range(4)
        ]
        for person in people[6:]:
            pair(mentor, person)

        for person in people:
            complete(person, course)

        assert held("dai-su-so", person=mentor) == ["bronze", "silver"]


class TestOtherSeededBadges:
    def test_trainings_covering_every_area_of_decision_757_make_a_cong_dan_so(
        self, villagers, course, second_course
    ):
        areas = SkillArea.objects.filter(framework__code="qd-757-2025").order_by("code")
        course.areas.set([areas[0]])
        second_course.areas.set([areas[1]])

        complete(villagers[0], course)
        assert held("cong-dan-so", person=villagers[0]) == []
        complete(villagers[0], second_course)

        assert held("cong-dan-so", person=villagers[0]) == [""]

    def test_every_member_of_a_household_turning_digital_is_a_gia_dinh_so(
        self, tree, villagers, course
    ):
        home = Household.objects.create(
            unit=tree["ho_lien"], name="Hộ ông Bình", created_at=timezone.now()
        )
        for person in villagers[:3]:
            HouseholdMember.objects.create(household=home, person=person)

        complete(villagers[0], course)

        assert Assertion.objects.filter(badge_slug="gia-dinh-so").count() == 3
        assert held("gia-dinh-so", person=villagers[3]) == []

    def test_a_member_joining_a_digital_household_earns_it_too(
        self, tree, villagers, course, officer
    ):
        home = Household.objects.create(
            unit=tree["ho_lien"], name="Hộ bà Cúc", created_at=timezone.now()
        )
        HouseholdMember.objects.create(household=home, person=villagers[1])
        complete(villagers[1], course)

        with committed():
            households.add_member(
                household=home,
                person=villagers[2],
                by=officer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )

        assert held("gia-dinh-so", person=villagers[2]) == [""]

    def test_a_village_with_eighty_percent_digital_households_is_a_thon_so(
        self, tree, course
    ):
        village = create_unit(
            parent=tree["ke_sat"], kind=Unit.Kind.VILLAGE, name="Thôn Mòi", households=5
        )
        people = [make_person(village, f"Chủ hộ {n}") for n in range(5)]
        for person in people:
            home = Household.objects.create(
                unit=village,
                name=f"Hộ {person.display_name}",
                created_at=timezone.now(),
            )
            HouseholdMember.objects.create(household=home, person=person)

        for person in people[:3]:
            complete(person, course)
        assert held("thon-so", unit=village) == []
        complete(people[3], course)

        assert held("thon-so", unit=village) == [""]
        assert Assertion.objects.get(badge_slug="thon-so").evidence == {"l0": 80.0}
        # The commune above is not a village: only the kinds listed earn it.
        assert held("thon-so", unit=tree["ke_sat"]) == []


class TestUnitFactsRollUp:
    def test_a_communes_points_include_its_villages(
        self, tree, villagers, course, learning_competition
    ):
        make_class(
            "xa-100-diem",
            {"fact": "points", "min": 30},
            recipient="unit",
            unit_kinds=["commune"],
        )

        for person in villagers[:3]:
            complete(person, course)  # 10 points each, credited to thôn Hồ Liễn

        assert held("xa-100-diem", unit=tree["ke_sat"]) == [""]
        assert held("xa-100-diem", unit=tree["binh_giang"]) == []


class TestOnlyWhatChanged:
    def test_a_ledger_entry_evaluates_no_class_that_counts_completions(
        self, villagers, course, learning_competition
    ):
        with mock.patch.object(
            evaluation, "evaluate_class", wraps=evaluation.evaluate_class
        ) as spy:
            services.evaluate_change(
                services.Change(
                    kind=criteria.LEDGER,
                    persons={villagers[0].pk},
                    units={villagers[0].memberships.get().unit_id},
                    activities={"training-completed"},
                ),
                at=timezone.now(),
            )

        evaluated = {call.args[0].slug for call in spy.call_args_list}
        # Of the seeded classes only the team badge counts points, and no team is
        # above the villager: nothing is evaluated at all.
        assert evaluated == set()

    def test_a_completion_evaluates_its_classes_for_the_people_it_touched_only(
        self, villagers, course
    ):
        with mock.patch.object(
            evaluation, "evaluate_class", wraps=evaluation.evaluate_class
        ) as spy:
            complete(villagers[0], course)

        scopes = {call.args[0].slug: call.args[1] for call in spy.call_args_list}
        assert set(scopes) == {"cong-dan-so", "dang-vien-tien-phong"}
        assert all(scope.persons == {villagers[0].pk} for scope in scopes.values())

    def test_one_statement_per_class_and_holders_left_out_by_it(
        self, mentor, mentees, course
    ):
        make_class("mot-khoa", {"fact": "completed_trainings", "min": 1})
        complete(mentees[0], course)
        assert held("mot-khoa", person=mentees[0]) == [""]

        with CaptureQueriesContext(connection) as queries:
            again = services.evaluate_change(
                services.Change(kind=criteria.COMPLETION, persons={mentees[0].pk}),
                at=timezone.now(),
            )

        assert again == []
        assert held("mot-khoa", person=mentees[0]) == [""]
        statements = [
            q["sql"]
            for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
        writes = [sql for sql in statements if "INSERT INTO" in sql]
        # Công dân số, Đảng viên tiên phong and mot-khoa count completions: one
        # statement each (levels, thresholds and holdings inside it), and one
        # read of the published classes.
        assert len(writes) == 3
        assert len(statements) == 4


class TestAfterTheBoards:
    def test_a_completion_moves_the_boards_before_badges_are_evaluated(
        self, villagers, course, learning_competition
    ):
        from leaderboards import projector

        order = []
        real_project, real_evaluate = projector.project, services.evaluate_change

        def project(*args, **kwargs):
            order.append("boards")
            return real_project(*args, **kwargs)

        def evaluate(change, **kwargs):
            order.append(f"badges:{change.kind}")
            return real_evaluate(change, **kwargs)

        with (
            mock.patch.object(projector, "project", project),
            mock.patch.object(services, "evaluate_change", evaluate),
        ):
            complete(villagers[0], course)

        assert order[0] == "boards", order
        assert {"badges:ledger", "badges:completion"} <= set(order)


class TestRevocationAndVersions:
    def test_a_revoked_badge_stays_revoked_however_the_facts_change(
        self, mentor, mentees, course, second_course, administrator
    ):
        for mentee in mentees[:5]:
            complete(mentee, course)
        assertion = Assertion.objects.get(badge_slug="dai-su-so")
        services.revoke_assertion(
            assertion=assertion,
            reason="Người học khai không trung thực",
            by=administrator,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        complete(mentees[5], course)
        for mentee in mentees[:5]:
            complete(mentee, second_course)

        assert Assertion.objects.filter(badge_slug="dai-su-so").count() == 1
        assert Assertion.objects.get(badge_slug="dai-su-so").is_revoked

    def test_a_new_version_does_not_award_its_holders_again(
        self, mentor, mentees, course, administrator
    ):
        for mentee in mentees[:5]:
            complete(mentee, course)
        current = BadgeClass.objects.get(slug="dai-su-so", status="published")
        draft = services.new_version(
            current, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        draft.criteria = {"fact": "mentees_completed", "min": [4, 10, 20]}
        draft.save()

        services.publish_class(
            draft, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        services.backfill_class(draft, at=timezone.now())

        assert Assertion.objects.filter(badge_slug="dai-su-so").count() == 1
        current.refresh_from_db()
        assert current.status == BadgeClass.Status.RETIRED
        assert Assertion.objects.get(badge_slug="dai-su-so").badge_class == current

    def test_publishing_a_class_awards_everyone_who_already_qualifies(
        self, villagers, course, administrator
    ):
        for person in villagers[:3]:
            complete(person, course)
        draft = make_class(
            "hoc-vien-cham", {"fact": "completed_trainings", "min": 1}, status="draft"
        )

        services.publish_class(
            draft, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        made = services.backfill_class(draft, at=timezone.now(), chunk=2)

        assert made == 3
        assert Assertion.objects.filter(badge_slug="hoc-vien-cham").count() == 3

    def test_the_scheduled_job_awards_what_the_admin_published(
        self, villagers, course, administrator, settings
    ):
        from units import schedule

        settings.BADGES_PUBLISH_SECONDS = 10
        for person in villagers[:2]:
            complete(person, course)
        draft = make_class(
            "hoc-vien-moi", {"fact": "completed_trainings", "min": 1}, status="draft"
        )
        services.publish_class(
            draft, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )

        ran = schedule.run_if_due(schedule.registered()["badges.publish"])

        assert ran
        assert Assertion.objects.filter(badge_slug="hoc-vien-moi").count() == 2
        draft.refresh_from_db()
        assert draft.evaluated_at is not None


class TestTimeLimitedAndMeta:
    def test_a_class_whose_period_is_over_awards_nothing(self, villagers, course):
        make_class(
            "ngay-hoi-2025",
            {"fact": "completed_trainings", "min": 1},
            valid_from=timezone.localdate() - timedelta(days=30),
            valid_until=timezone.localdate() - timedelta(days=1),
        )

        complete(villagers[0], course)

        assert held("ngay-hoi-2025", person=villagers[0]) == []

    def test_a_competitions_class_counts_only_its_period(
        self, villagers, course, competition
    ):
        make_class(
            "trong-dot",
            {"fact": "completed_trainings", "min": 1},
            competition=competition,
        )

        complete(villagers[0], course, on=competition.starts_on - timedelta(days=1))
        complete(villagers[1], course)

        assert held("trong-dot", person=villagers[0]) == []
        assert held("trong-dot", person=villagers[1]) == [""]
        assert (
            Assertion.objects.get(badge_slug="trong-dot").period == f"c{competition.pk}"
        )

    def test_a_badge_requiring_other_badges_follows_them(self, villagers, course):
        make_class("mot-khoa", {"fact": "completed_trainings", "min": 1})
        make_class(
            "huy-hieu-kep", {"fact": "badges_held", "badges": ["mot-khoa"], "min": 1}
        )

        complete(villagers[0], course)

        assert held("huy-hieu-kep", person=villagers[0]) == [""]

    def test_the_top_of_a_board_at_the_close_earns_a_rank_badge(
        self, villagers, course, learning_competition
    ):
        complete(villagers[0], course)
        complete(villagers[1], course)
        complete(
            villagers[1], Training.objects.create(title="Khóa 2", kind="online_course")
        )
        make_class(
            "quan-quan",
            {"fact": "board_rank", "competition": learning_competition.pk, "top": 1},
        )
        assert not Assertion.objects.filter(badge_slug="quan-quan").exists()

        with committed():
            learning_competition.status = Competition.Status.CLOSED
            learning_competition.save()

        assert held("quan-quan", person=villagers[1]) == [""]
        assert held("quan-quan", person=villagers[0]) == []
        assert PointEntry.objects.filter(person=villagers[1]).count() == 2


class TestEvaluateBadgesCommand:
    def test_awards_the_classes_not_yet_evaluated_with_a_progress_bar(
        self, villagers, course
    ):
        import io

        from django.core.management import call_command

        from tests.badges.conftest import committed

        for person in villagers[:2]:
            complete(person, course)
        make_class("hai-nguoi", {"fact": "completed_trainings", "min": 1})
        output = io.StringIO()

        with committed():
            call_command("evaluate_badges", stdout=output)

        assert Assertion.objects.filter(badge_slug="hai-nguoi").count() == 2
        assert "[" in output.getvalue() and "2 awarded" in output.getvalue()
        assert BadgeClass.objects.get(slug="hai-nguoi").evaluated_at is not None
