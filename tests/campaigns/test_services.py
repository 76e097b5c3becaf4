"""Campaign verbs: from a template, enrolment and the join code, check-ins through
the review's machinery, metrics from what the platform records, the close."""

from datetime import timedelta

import pytest
from django.utils import timezone

from badges.models import Assertion
from campaigns import selectors, services
from campaigns.models import Campaign, Enrolment, Goal, Snapshot, SnapshotFrozen
from commendations.models import Nomination
from competitions.models import Evidence, PointEntry, PointRule, Submission
from leaderboards import projector
from learning import mentoring
from learning.models import Household, VneidHelp
from tests.campaigns.conftest import check_in
from tests.competitions.conftest import TEST_ORIGIN
from tests.conftest import make_user
from units.models import AuditEvent
from units.services import create_unit

pytestmark = pytest.mark.django_db


def now():
    return timezone.now()


def approve(campaign, organiser, submission):
    return services.verify_check_in(
        campaign=campaign,
        submission_id=submission.pk,
        approve=True,
        by=organiser,
        at=now(),
        origin=TEST_ORIGIN,
    )


class TestCreateFromTemplate:
    def test_makes_goals_rules_and_a_hashed_code(self, created):
        campaign = created.campaign

        goals = {g.metric: g.target for g in campaign.goals.all()}

        assert goals == {
            "vneid_helped": 50,
            "households_reached": 20,
            "classes_held": 4,
            "mentees_confirmed": 5,
        }
        assert campaign.competition.status == "running"
        assert campaign.competition.scope_unit == campaign.organiser
        assert PointRule.objects.filter(
            competition=campaign.competition, activity_type__code="campaign-class"
        ).exists()
        assert len(created.join_code) == 12
        assert created.join_code not in campaign.join_code_digest
        assert len(campaign.join_code_digest) == 64

    def test_a_festival_lasts_one_day(self, organiser, union):
        festival = services.create_campaign(
            organiser=union["youth"],
            template="ngay-hoi-10-10",
            by=organiser,
            at=now(),
            origin=TEST_ORIGIN,
        ).campaign

        assert festival.is_festival
        assert festival.starts_on == festival.ends_on == timezone.localdate()

    def test_someone_without_the_role_finds_no_unit(self, union, member):
        with pytest.raises(services.NotFound):
            services.create_campaign(
                organiser=union["youth"],
                template="cho-so-4t",
                by=member,
                at=now(),
                origin=TEST_ORIGIN,
            )

        assert not Campaign.objects.exists()

    @pytest.mark.parametrize("target", ["0", "-5", "1000001", "nhiều"])
    def test_refuses_a_target_at_or_below_zero_or_absurd(
        self, organiser, union, target
    ):
        with pytest.raises(services.CampaignError) as refused:
            services.create_campaign(
                organiser=union["youth"],
                template="cho-so-4t",
                by=organiser,
                at=now(),
                origin=TEST_ORIGIN,
                targets={"merchants_trained": target},
            )

        assert refused.value.status == 400
        assert not Campaign.objects.exists()


class TestTargets:
    @pytest.mark.parametrize("target", ["0", "-1", "100001"])
    def test_refuses_bad_targets_and_changes_nothing(self, campaign, organiser, target):
        with pytest.raises(services.CampaignError) as refused:
            services.set_targets(
                campaign=campaign,
                targets={"vneid_helped": "10", "classes_held": target},
                by=organiser,
                at=now(),
                origin=TEST_ORIGIN,
            )

        assert refused.value.status == 400
        assert campaign.goals.get(metric="vneid_helped").target == 50
        assert campaign.goals.get(metric="classes_held").target == 4

    def test_changes_targets_while_running(self, campaign, organiser):
        services.set_targets(
            campaign=campaign,
            targets={"classes_held": "2"},
            by=organiser,
            at=now(),
            origin=TEST_ORIGIN,
        )

        assert campaign.goals.get(metric="classes_held").target == 2


class TestJoinWithCode:
    def test_a_member_joins_their_branch(self, created, union, member, tree):
        enrolment = services.join_with_code(
            code=created.join_code.lower()[:4] + " " + created.join_code[4:],
            unit=union["ho_lien"],
            user=member,
            at=now(),
            origin=TEST_ORIGIN,
        )

        assert enrolment.via == Enrolment.Via.CODE
        assert enrolment.campaign == created.campaign

    def test_a_non_member_cannot_join_a_branch(self, created, union, second_member):
        with pytest.raises(services.NotFound):
            services.join_with_code(
                code=created.join_code,
                unit=union["ho_lien"],
                user=second_member,
                at=now(),
                origin=TEST_ORIGIN,
            )

        assert not Enrolment.objects.exists()

    def test_a_burst_of_guesses_is_refused_even_the_right_code(
        self, created, union, member
    ):
        from learning import codes

        guesses = []
        for _attempt in range(5):
            wrong = codes.new_code()
            with pytest.raises(services.CampaignError) as refused:
                services.join_with_code(
                    code=wrong,
                    unit=union["ho_lien"],
                    user=member,
                    at=now(),
                    origin=TEST_ORIGIN,
                )
            guesses.append(refused.value.status)

        with pytest.raises(services.TooManyWrongCodes) as locked:
            services.join_with_code(
                code=created.join_code,
                unit=union["ho_lien"],
                user=member,
                at=now(),
                origin=TEST_ORIGIN,
            )

        assert guesses == [400] * 5
        assert locked.value.status == 429
        assert "thử lại sau vài phút" in locked.value.message
        assert not Enrolment.objects.exists()

    def test_a_typo_costs_no_guess(self, created, union, member):
        typo = created.join_code[:-1] + ("0" if created.join_code[-1] != "0" else "1")
        for _attempt in range(8):
            with pytest.raises(services.CampaignError):
                services.join_with_code(
                    code=typo,
                    unit=union["ho_lien"],
                    user=member,
                    at=now(),
                    origin=TEST_ORIGIN,
                )

        enrolment = services.join_with_code(
            code=created.join_code,
            unit=union["ho_lien"],
            user=member,
            at=now(),
            origin=TEST_ORIGIN,
        )

        assert enrolment.pk

    def test_an_old_code_stops_working(self, created, organiser, union, member):
        services.new_join_code(
            campaign=created.campaign, by=organiser, at=now(), origin=TEST_ORIGIN
        )

        with pytest.raises(services.CampaignError):
            services.join_with_code(
                code=created.join_code,
                unit=union["ho_lien"],
                user=member,
                at=now(),
                origin=TEST_ORIGIN,
            )


class TestCheckIn:
    def test_is_a_submission_with_its_photo_awaiting_the_organiser(
        self, campaign, member, union
    ):
        submission = check_in(campaign, member, union["ho_lien"])

        assert submission.status == Submission.Status.SUBMITTED
        assert submission.competition == campaign.competition
        assert submission.person == member.person
        assert submission.evidence.count() == 1

    def test_verified_it_credits_points_and_counts_toward_the_goal(
        self, campaign, member, organiser, union
    ):
        submission = check_in(campaign, member, union["ho_lien"], quantity=12)

        approve(campaign, organiser, submission)
        projector.catch_up()
        data = selectors.compute(campaign)

        entry = PointEntry.objects.get(submission=submission)
        assert entry.points == 20 + 12
        branch = next(b for b in data["branches"] if b["id"] == union["ho_lien"].pk)
        assert branch["values"]["classes_held"] == 1
        assert branch["points"] == 32
        assert branch["rank"] == 1
        assert data["feed"][0]["id"] == submission.pk
        assert data["feed"][0]["photo"].endswith("/photo.jpg")

    def test_an_anonymous_member_is_plain_text_in_the_feed(
        self, campaign, member, organiser, union
    ):
        import json

        member.person.appears_anonymously = True
        member.person.save()
        approve(campaign, organiser, check_in(campaign, member, union["ho_lien"]))

        data = selectors.compute(campaign)

        assert json.loads(json.dumps(data))["feed"][0]["by"] == "Ẩn danh"

    def test_another_organiser_of_the_union_verifies(self, campaign, union):
        other = make_user("organiser2", unit=union["youth"], role="campaign_organiser")
        submission = check_in(
            campaign, _member_of(union["ho_lien"], "tv3"), union["ho_lien"]
        )

        approve(campaign, other, submission)

        assert Submission.objects.get(pk=submission.pk).status == "approved"

    def _count(self):
        return (Submission.objects.count(), Evidence.objects.count())

    def test_refuses_a_day_outside_the_period(self, campaign, member, union):
        before = self._count()

        with pytest.raises(services.CampaignError) as refused:
            check_in(
                campaign,
                member,
                union["ho_lien"],
                day=campaign.starts_on - timedelta(days=1),
            )

        assert refused.value.status == 400
        assert "trong thời gian chiến dịch" in refused.value.message
        assert self._count() == before

    def test_refuses_a_branch_not_enrolled(self, campaign, union):
        student = _member_of(union["school"], "hocsinh")
        before = self._count()

        with pytest.raises(services.CampaignError) as refused:
            check_in(campaign, student, union["school"])

        assert refused.value.status == 400
        assert self._count() == before

    def test_refuses_a_non_member(self, campaign, second_member, union):
        before = self._count()

        with pytest.raises(services.NotFound) as refused:
            check_in(campaign, second_member, union["ho_lien"])

        assert refused.value.status == 404
        assert self._count() == before

    def test_refuses_a_duplicate_photo_and_keeps_nothing(self, campaign, member, union):
        check_in(campaign, member, union["ho_lien"], pattern=5)
        before = self._count()

        with pytest.raises(services.CampaignError) as refused:
            check_in(campaign, member, union["ho_lien"], pattern=5)

        assert refused.value.status == 400
        assert self._count() == before

    def test_refuses_a_check_in_of_a_closed_campaign(
        self, campaign, member, organiser, union
    ):
        services.close_campaign(
            campaign=campaign, by=organiser, at=now(), origin=TEST_ORIGIN
        )
        before = self._count()

        with pytest.raises(services.WrongState) as refused:
            check_in(campaign, member, union["ho_lien"])

        assert refused.value.status == 409
        assert self._count() == before


def _member_of(unit, username):
    return make_user(username, unit=unit, person_name=username.title())


class TestMetricsFromThePlatform:
    def test_vneid_help_mentees_completions_and_households_count(
        self, campaign, member, union, tree, organiser
    ):
        today = timezone.localdate()
        VneidHelp.objects.create(
            unit=tree["ho_lien"],
            helper=member.person,
            helped_on=today,
            citizens=7,
            recorded_by=organiser,
            recorded_at=now(),
        )
        VneidHelp.objects.create(  # before the campaign: not counted
            unit=tree["ho_lien"],
            helper=member.person,
            helped_on=campaign.starts_on - timedelta(days=1),
            citizens=100,
            recorded_by=organiser,
            recorded_at=now(),
        )
        mentee = make_user("mentee", unit=tree["ho_lien"])
        invite = mentoring.create_invite(mentor=member.person, at=now())
        mentoring.confirm_invite(
            invite=invite, user=mentee, at=now(), origin=TEST_ORIGIN
        )
        Household.objects.create(
            unit=tree["ho_lien"],
            name="Hộ ông Ba",
            digital_since=today,
            created_at=now(),
        )
        Household.objects.create(  # another area
            unit=tree["quan_goi"],
            name="Hộ bà Tư",
            digital_since=today,
            created_at=now(),
        )

        data = selectors.compute(campaign)

        ho_lien = next(b for b in data["branches"] if b["id"] == union["ho_lien"].pk)
        quan_goi = next(b for b in data["branches"] if b["id"] == union["quan_goi"].pk)
        assert ho_lien["values"]["vneid_helped"] == 7
        assert ho_lien["values"]["mentees_confirmed"] == 1
        assert ho_lien["values"]["households_reached"] == 1
        assert quan_goi["values"] == {
            "vneid_helped": 0,
            "households_reached": 1,
            "classes_held": 0,
            "mentees_confirmed": 0,
        }
        assert data["totals"]["households_reached"] == 2

    def test_costs_the_same_queries_with_more_branches(
        self, campaign, organiser, union, django_assert_max_num_queries
    ):
        for n in range(6):
            branch = create_unit(
                parent=union["youth"], kind="youth_branch", name=f"Chi đoàn {n}"
            )
            services.enrol(
                campaign=campaign,
                unit=branch,
                by=organiser,
                at=now(),
                origin=TEST_ORIGIN,
            )

        with django_assert_max_num_queries(14):
            selectors.compute(campaign)


class TestClose:
    def _met_every_goal(self, campaign, organiser, member, union, tree):
        services.set_targets(
            campaign=campaign,
            targets={g.metric: "1" for g in campaign.goals.all()},
            by=organiser,
            at=now(),
            origin=TEST_ORIGIN,
        )
        today = timezone.localdate()
        VneidHelp.objects.create(
            unit=tree["ho_lien"],
            helper=member.person,
            helped_on=today,
            citizens=3,
            recorded_by=organiser,
            recorded_at=now(),
        )
        mentee = make_user("mentee", unit=tree["ho_lien"])
        mentoring.confirm_invite(
            invite=mentoring.create_invite(mentor=member.person, at=now()),
            user=mentee,
            at=now(),
            origin=TEST_ORIGIN,
        )
        Household.objects.create(
            unit=tree["ho_lien"],
            name="Hộ ông Ba",
            digital_since=today,
            created_at=now(),
        )
        approve(campaign, organiser, check_in(campaign, member, union["ho_lien"]))

    def test_freezes_the_snapshot_issues_badges_and_proposes_the_top(
        self,
        campaign,
        organiser,
        member,
        union,
        tree,
        django_capture_on_commit_callbacks,
    ):
        self._met_every_goal(campaign, organiser, member, union, tree)
        projector.catch_up()
        late = check_in(campaign, member, union["ho_lien"], pattern=7, quantity=30)

        with django_capture_on_commit_callbacks(execute=True):
            snapshot = services.close_campaign(
                campaign=campaign, by=organiser, at=now(), origin=TEST_ORIGIN
            )
        frozen = Snapshot.objects.get(pk=snapshot.pk).data
        with django_capture_on_commit_callbacks(execute=True):
            approve(campaign, organiser, late)  # a later credit
        campaign.refresh_from_db()

        shown = selectors.public_data(
            Campaign.objects.select_related("snapshot").get(pk=campaign.pk)
        )
        ho_lien = next(b for b in shown["branches"] if b["id"] == union["ho_lien"].pk)
        assert ho_lien["values"]["classes_held"] == 1
        assert shown["frozen"] is True
        assert Snapshot.objects.get(pk=snapshot.pk).data == frozen
        assert selectors.compute(campaign)["branches"][0]["values"]["classes_held"] == 2
        assert Assertion.objects.filter(
            badge_class=campaign.badge_class, unit=union["ho_lien"]
        ).exists()
        assert not Assertion.objects.filter(
            badge_class=campaign.badge_class, unit=union["quan_goi"]
        ).exists()
        nomination = Nomination.objects.get(review=campaign.review)
        assert nomination.unit == union["ho_lien"]
        assert nomination.rank == 1
        assert AuditEvent.objects.filter(action="campaign.closed").count() == 1

    def test_a_snapshot_is_never_changed(self, campaign, organiser):
        snapshot = services.close_campaign(
            campaign=campaign, by=organiser, at=now(), origin=TEST_ORIGIN
        )

        snapshot.data = {"branches": []}
        with pytest.raises(SnapshotFrozen):
            snapshot.save()
        with pytest.raises(SnapshotFrozen):
            snapshot.delete()

        assert Snapshot.objects.get(pk=snapshot.pk).data["branches"]

    @pytest.mark.parametrize("verb", ["targets", "enrol", "code", "close"])
    def test_a_closed_campaign_refuses_changes(self, campaign, organiser, union, verb):
        services.close_campaign(
            campaign=campaign, by=organiser, at=now(), origin=TEST_ORIGIN
        )
        goals = list(Goal.objects.values_list("target", flat=True))
        digest = Campaign.objects.get(pk=campaign.pk).join_code_digest
        calls = {
            "targets": lambda: services.set_targets(
                campaign=campaign,
                targets={"classes_held": "9"},
                by=organiser,
                at=now(),
                origin=TEST_ORIGIN,
            ),
            "enrol": lambda: services.enrol(
                campaign=campaign,
                unit=union["school"],
                by=organiser,
                at=now(),
                origin=TEST_ORIGIN,
            ),
            "code": lambda: services.new_join_code(
                campaign=campaign, by=organiser, at=now(), origin=TEST_ORIGIN
            ),
            "close": lambda: services.close_campaign(
                campaign=campaign, by=organiser, at=now(), origin=TEST_ORIGIN
            ),
        }

        with pytest.raises(services.WrongState) as refused:
            calls[verb]()

        assert refused.value.status == 409
        assert "đã đóng" in refused.value.message
        assert list(Goal.objects.values_list("target", flat=True)) == goals
        assert Campaign.objects.get(pk=campaign.pk).join_code_digest == digest
        assert Enrolment.objects.filter(campaign=campaign).count() == 2
        assert Snapshot.objects.count() == 1
