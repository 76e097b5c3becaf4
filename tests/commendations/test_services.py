"""The commendation steps and what each refuses, through the services."""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from commendations import councils, decisions, nominations
from commendations.errors import (
    AboveAuthority,
    AlreadyDecided,
    AlreadyVoted,
    CommendationError,
    ConflictOfInterest,
    NoQuorum,
    NotAllowed,
    NotFound,
    NotPassed,
)
from commendations.models import (
    AwardType,
    Ballot,
    Council,
    CouncilMember,
    Nomination,
    OpenVote,
    SessionItem,
)
from competitions.models import Notification, PointEntry
from tests.commendations.conftest import TEST_ORIGIN
from tests.conftest import make_user
from units.models import AuditEvent, Role

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db


def now():
    return timezone.now()


def close(review, by):
    return nominations.close_review(review=review, by=by, at=now(), origin=TEST_ORIGIN)


def submitted(review, administrator):
    close(review, administrator)
    nominations.submit_review(
        review=review, by=administrator, at=now(), origin=TEST_ORIGIN
    )
    return list(Nomination.objects.filter(review=review).order_by("pk"))


def session_with(council, items, by, present):
    session = councils.open_session(
        council=council["council"],
        title="Phiên họp xét khen thưởng",
        held_on=timezone.localdate(),
        by=by,
        at=now(),
        origin=TEST_ORIGIN,
    )
    councils.set_attendance(
        session=session,
        member_ids=[council[name].pk for name in present],
        by=by,
        at=now(),
        origin=TEST_ORIGIN,
    )
    councils.add_to_session(
        session=session, nominations=items, by=by, at=now(), origin=TEST_ORIGIN
    )
    return session


def vote(council, name, item, choice="yes", **kwargs):
    councils.cast_ballot(
        item=item,
        user=council[name].user,
        choice=choice,
        at=now(),
        origin=TEST_ORIGIN,
        **kwargs,
    )


class TestProposals:
    def test_closing_proposes_the_top_village_and_the_badge_holder(
        self, review, tree, citizen, administrator
    ):
        result = close(review, administrator)

        proposed = Nomination.objects.filter(review=review)
        assert result.new == 2
        assert {n.unit for n in proposed if n.unit_id} == {tree["ho_lien"]}
        assert {n.person for n in proposed if n.person_id} == {citizen.person}
        village = proposed.get(unit=tree["ho_lien"])
        assert village.rank == 1 and "Hạng 1" in village.basis
        assert village.authority_unit == tree["province"]  # forwarded upward
        assert Notification.objects.filter(user=citizen).exists()

    def test_closing_the_same_review_twice_proposes_nobody_twice(
        self, review, administrator
    ):
        close(review, administrator)

        again = close(review, administrator)

        assert (again.new, again.already) == (0, 2)
        assert Nomination.objects.filter(review=review).count() == 2

    def test_a_tie_at_the_last_place_proposes_both(
        self,
        review,
        tree,
        administrator,
        officer,
        reviewer,
        competition,
        community_class,
    ):
        from leaderboards import projector
        from tests.commendations.conftest import approve

        qg_officer = make_user("qg2", unit=tree["quan_goi"], role=Role.Kind.OFFICER)
        approve(
            qg_officer,
            reviewer,
            tree["quan_goi"],
            competition,
            community_class,
            quantity=5,
        )
        projector.catch_up()

        close(review, administrator)

        units = set(
            Nomination.objects.filter(review=review, unit__isnull=False).values_list(
                "unit__name", flat=True
            )
        )
        assert units == {"Thôn Hồ Liễn", "Thôn Quán Gỏi"}

    def test_someone_outside_the_subtree_cannot_close_it(self, review, outsider):
        with pytest.raises(NotFound):
            close(review, outsider)
        assert not Nomination.objects.exists()


class TestByHand:
    def test_an_officer_nominates_a_villager_with_a_justification(
        self, tree, officer, villager_award, citizen
    ):
        nomination = nominations.nominate(
            nominating_unit=tree["ho_lien"],
            award_type=villager_award,
            person=citizen.person,
            justification="Hướng dẫn 40 hộ cài đặt VNeID trong tháng 10",
            by=officer,
            at=now(),
            origin=TEST_ORIGIN,
        )

        assert nomination.authority_unit == tree["ke_sat"]
        assert AuditEvent.objects.filter(
            action="nomination.proposed", object_id=nomination.pk
        ).exists()

    def test_a_person_outside_ones_unit_is_refused_like_a_missing_one(
        self, tree, officer, villager_award, outsider
    ):
        with pytest.raises(NotFound):
            nominations.nominate(
                nominating_unit=tree["ho_lien"],
                award_type=villager_award,
                person=outsider.person,
                justification="Hướng dẫn 40 hộ cài đặt VNeID trong tháng 10",
                by=officer,
                at=now(),
                origin=TEST_ORIGIN,
            )
        assert not Nomination.objects.exists()

    def test_a_nomination_without_a_justification_is_refused(
        self, tree, officer, villager_award, citizen
    ):
        with pytest.raises(CommendationError, match="justification|20"):
            nominations.nominate(
                nominating_unit=tree["ho_lien"],
                award_type=villager_award,
                person=citizen.person,
                justification="tốt",
                by=officer,
                at=now(),
                origin=TEST_ORIGIN,
            )


@pytest.fixture
def villager_award():
    return AwardType.objects.get(code="giay-khen-xa")


class TestForwardAndReturn:
    def test_a_returned_nomination_is_resubmitted(self, review, administrator):
        [first, *_rest] = submitted(review, administrator)
        assert first.status == Nomination.Status.SUBMITTED

        nominations.return_nomination(
            nomination=first,
            reason="Bổ sung báo cáo thành tích",
            by=administrator,
            at=now(),
            origin=TEST_ORIGIN,
        )
        first.refresh_from_db()
        assert first.status == Nomination.Status.RETURNED
        nominations.submit_nomination(
            nomination=first, by=administrator, at=now(), origin=TEST_ORIGIN
        )

        first.refresh_from_db()
        assert first.status == Nomination.Status.SUBMITTED
        assert (
            AuditEvent.objects.filter(
                object_id=first.pk, action="nomination.forwarded"
            ).count()
            == 2
        )

    def test_a_council_below_the_authority_cannot_take_it(
        self, review, administrator, tree
    ):
        items = submitted(review, administrator)
        commune_council = Council.objects.create(unit=tree["ke_sat"], name="HĐ xã")
        session = councils.open_session(
            council=commune_council,
            title="Phiên xã",
            held_on=timezone.localdate(),
            by=administrator,
            at=now(),
            origin=TEST_ORIGIN,
        )

        with pytest.raises(AboveAuthority, match="Tỉnh Thử Nghiệm"):
            councils.add_to_session(
                session=session,
                nominations=items,
                by=administrator,
                at=now(),
                origin=TEST_ORIGIN,
            )
        assert not SessionItem.objects.exists()

    def test_a_commune_cannot_decide_an_award_above_its_authority(
        self, review, administrator, tree
    ):
        items = submitted(review, administrator)

        with pytest.raises(AboveAuthority):
            decisions.record_decision(
                issuing_unit=tree["ke_sat"],
                number="12/QĐ-UBND",
                signed_on=timezone.localdate(),
                signer_name="Nguyễn Văn Chủ",
                signer_title="Chủ tịch UBND xã",
                subject="",
                nominations=items,
                by=administrator,
                at=now(),
                origin=TEST_ORIGIN,
            )


class TestSecretBallot:
    def test_the_tally_is_kept_and_never_the_choice(
        self, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(
            council, items, administrator, ["chair", "secretary", "member1"]
        )
        item = session.items.first()

        vote(council, "chair", item, "yes")
        vote(council, "secretary", item, "no")

        item.refresh_from_db()
        assert (item.yes, item.no, item.abstain) == (1, 1, 0)
        assert Ballot.objects.filter(item=item).count() == 2
        assert not OpenVote.objects.exists()
        assert [f.name for f in Ballot._meta.fields] == [
            "id",
            "item",
            "member",
            "in_writing",
        ]
        events = AuditEvent.objects.filter(action="ballot.cast")
        assert set(events.values_list("to_state", flat=True)) == {""}

    def test_a_second_ballot_is_refused_and_changes_nothing(
        self, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair", "secretary"])
        item = session.items.first()
        vote(council, "chair", item, "yes")

        with pytest.raises(AlreadyVoted, match="đã bỏ phiếu|already voted"):
            vote(council, "chair", item, "no")

        item.refresh_from_db()
        assert (item.yes, item.no) == (1, 0)

    def test_someone_outside_the_council_cannot_vote(
        self, review, administrator, council, reviewer
    ):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair"])

        with pytest.raises(NotAllowed):
            councils.cast_ballot(
                item=session.items.first(),
                user=reviewer,
                choice="yes",
                at=now(),
                origin=TEST_ORIGIN,
            )

    def test_a_member_does_not_vote_on_their_own_nomination(
        self, review, administrator, council, citizen
    ):
        items = submitted(review, administrator)
        own = CouncilMember.objects.create(
            council=council["council"], user=citizen, name="Nguyễn Văn An"
        )
        council["own"] = own
        session = session_with(council, items, administrator, ["chair", "own"])
        item = session.items.get(nomination__person=citizen.person)

        with pytest.raises(ConflictOfInterest):
            vote(council, "own", item)
        village = session.items.get(nomination__unit__isnull=False)
        with pytest.raises(ConflictOfInterest):  # Hồ Liễn is the member's own village
            vote(council, "own", village)

    def test_a_member_not_present_cannot_vote(self, review, administrator, council):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair"])

        with pytest.raises(NotAllowed, match="có mặt|present"):
            vote(council, "member2", session.items.first())


class TestBallotRules:
    def test_an_open_ballot_keeps_each_choice_by_name(
        self, review, administrator, council, bang_khen
    ):
        bang_khen.ballot = AwardType.Ballot.OPEN
        bang_khen.save()
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair", "secretary"])
        item = session.items.first()

        vote(council, "chair", item, "yes")
        vote(council, "secretary", item, "no")

        assert set(OpenVote.objects.values_list("member__name", "choice")) == {
            ("Chair", "yes"),
            ("Secretary", "no"),
        }
        assert set(
            AuditEvent.objects.filter(action="ballot.cast").values_list(
                "to_state", flat=True
            )
        ) == {"yes", "no"}

    def test_an_absent_members_written_opinion_counts_against_all_members(
        self, review, administrator, council, bang_khen
    ):
        bang_khen.written_opinions = True
        bang_khen.denominator = AwardType.Denominator.ALL
        bang_khen.save()
        items = submitted(review, administrator)
        session = session_with(
            council, items, administrator, ["chair", "secretary", "member1"]
        )
        item = session.items.get(nomination__unit__isnull=False)
        for name in ("chair", "secretary"):
            vote(council, name, item, "yes")
        vote(council, "member1", item, "no")

        with pytest.raises(NotAllowed):
            vote(council, "member2", item, "yes")  # absent, not in writing
        vote(council, "member2", item, "yes", in_writing=True)
        councils.close_session(
            session=session, by=administrator, at=now(), origin=TEST_ORIGIN
        )

        item.refresh_from_db()
        # 3 in favour of all 5 members (60%) is more than half: passed; the
        # same 3 of the 4 who voted would also pass, 2 of 5 would not.
        assert (item.yes, item.no, item.in_writing) == (3, 1, 1)
        assert item.counted_against == 5 and item.result == "passed"


class TestResultAndDecision:
    def decide(self, tree, items, by, number="125/QĐ-UBND"):
        return decisions.record_decision(
            issuing_unit=tree["province"],
            number=number,
            signed_on=timezone.localdate(),
            signer_name="Trần Văn Ký",
            signer_title="Chủ tịch Ủy ban nhân dân tỉnh",
            subject="Về việc tặng Bằng khen",
            nominations=items,
            by=by,
            at=now(),
            origin=TEST_ORIGIN,
        )

    def test_closing_without_quorum_is_refused(self, review, administrator, council):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair", "secretary"])

        with pytest.raises(NoQuorum, match="2/5, cần 3"):
            councils.close_session(
                session=session, by=administrator, at=now(), origin=TEST_ORIGIN
            )
        assert session.items.filter(result="pending").count() == 2

    def test_passed_nominations_are_decided_and_failed_ones_refused(
        self, review, administrator, council, tree
    ):
        items = submitted(review, administrator)
        session = session_with(
            council, items, administrator, ["chair", "secretary", "member1"]
        )
        village = session.items.get(nomination__unit__isnull=False)
        person = session.items.get(nomination__person__isnull=False)
        for name in ("chair", "secretary"):
            vote(council, name, village, "yes")
            vote(council, name, person, "no")
        vote(council, "member1", person, "yes")

        councils.close_session(
            session=session, by=administrator, at=now(), origin=TEST_ORIGIN
        )

        village.refresh_from_db()
        person.refresh_from_db()
        assert village.result == "passed" and village.counted_against == 3
        assert person.result == "failed"  # 1 of 3 is not more than half
        with pytest.raises(NotPassed):
            self.decide(tree, [person.nomination], administrator)
        decision = self.decide(tree, [village.nomination], administrator)
        assert decision.awards.get().recipient_name == "Thôn Hồ Liễn"
        village.nomination.refresh_from_db()
        assert village.nomination.status == Nomination.Status.AWARDED
        with pytest.raises(AlreadyDecided):
            self.decide(tree, [village.nomination], administrator, number="126/QĐ-UBND")

    def test_a_decision_signed_after_midnight_in_vietnam_carries_that_date(
        self, review, administrator, council, tree
    ):
        """00:30 in Hà Nội is still the day before in UTC: the signature's date is
        the Vietnamese one (a decision signed then was refused as "in the future")."""
        items = submitted(review, administrator)
        session = session_with(
            council, items, administrator, ["chair", "secretary", "member1"]
        )
        village = session.items.get(nomination__unit__isnull=False)
        for name in ("chair", "secretary"):
            vote(council, name, village, "yes")
        councils.close_session(
            session=session, by=administrator, at=now(), origin=TEST_ORIGIN
        )
        # as timezone.now() gives it: in UTC
        half_past_midnight = datetime(2026, 10, 10, 0, 30, tzinfo=HANOI).astimezone(UTC)
        signed = {
            "issuing_unit": tree["province"],
            "signer_name": "Trần Văn Ký",
            "signer_title": "Chủ tịch Ủy ban nhân dân tỉnh",
            "subject": "Về việc tặng Bằng khen",
            "nominations": [village.nomination],
            "by": administrator,
            "at": half_past_midnight,
            "origin": TEST_ORIGIN,
        }

        with pytest.raises(CommendationError, match="tương lai"):
            decisions.record_decision(
                number="124/QĐ-UBND", signed_on=date(2026, 10, 11), **signed
            )
        decision = decisions.record_decision(
            number="125/QĐ-UBND", signed_on=date(2026, 10, 10), **signed
        )
        assert decision.signed_on == date(2026, 10, 10)

    def test_deciding_before_the_vote_is_refused(self, review, administrator, tree):
        items = submitted(review, administrator)

        with pytest.raises(CommendationError, match="hội đồng|council"):
            self.decide(tree, items, administrator)

    def test_revoking_reverses_the_points_and_the_badge(
        self, review, administrator, council, tree, citizen, badge_holder
    ):
        from commendations.models import AwardRevocation

        items = submitted(review, administrator)
        session = session_with(
            council, items, administrator, ["chair", "secretary", "member1"]
        )
        for item in session.items.all():
            for name in ("chair", "secretary"):
                vote(council, name, item, "yes")
        councils.close_session(
            session=session, by=administrator, at=now(), origin=TEST_ORIGIN
        )
        decision = self.decide(tree, items, administrator)
        village_award = decision.awards.get(unit=tree["ho_lien"])
        person_award = decision.awards.get(person=citizen.person)
        submissions_ = list(decisions.related_submissions(village_award))
        before = sum(
            PointEntry.objects.filter(unit=tree["ho_lien"]).values_list(
                "points", flat=True
            )
        )

        decisions.revoke_award(
            award=village_award,
            reason="Khai không đúng số học viên",
            decision_number="200/QĐ-UBND",
            submission_ids=[s.pk for s in submissions_],
            by=administrator,
            at=now(),
            origin=TEST_ORIGIN,
        )
        decisions.revoke_award(
            award=person_award,
            reason="Hồ sơ giả",
            decision_number="201/QĐ-UBND",
            assertion_ids=[badge_holder.pk],
            by=administrator,
            at=now(),
            origin=TEST_ORIGIN,
        )

        after = sum(
            PointEntry.objects.filter(unit=tree["ho_lien"]).values_list(
                "points", flat=True
            )
        )
        assert before > 0 and after == 0
        badge_holder.refresh_from_db()
        assert badge_holder.revoked_at is not None
        assert AwardRevocation.objects.count() == 2
        assert decision.awards.count() == 2  # nothing deleted
        with pytest.raises(AlreadyDecided):
            decisions.revoke_award(
                award=village_award,
                reason="Lần nữa",
                decision_number="202/QĐ-UBND",
                by=administrator,
                at=now(),
                origin=TEST_ORIGIN,
            )


class TestDossierJob:
    def test_facts_in_grouped_queries_are_each_ones_facts(
        self,
        review,
        administrator,
        tree,
        citizen,
        competition,
        community_class,
        officer,
        reviewer,
    ):
        from commendations import dossiers
        from competitions.models import Submission
        from tests.commendations.conftest import approve

        # The citizen holds a badge and has points in the ledger, credited from
        # an achievement no longer on record as theirs (as an organiser's
        # class credits its learners): the grouped queries read them.
        approve(
            officer,
            reviewer,
            tree["ho_lien"],
            competition,
            community_class,
            person=citizen.person,
        )
        Submission.objects.filter(person=citizen.person).update(person=None)
        close(review, administrator)
        listed = list(
            Nomination.objects.filter(review=review).select_related(*dossiers.RELATED)
        )

        grouped = dossiers.facts_for_many(listed)

        assert grouped == {n.pk: dossiers.facts_for(n) for n in listed}
        mine = grouped[next(n.pk for n in listed if n.person_id)]
        assert mine["points"] > 0 and mine["badges"]

    def test_dossiers_in_batches_with_progress(
        self, review, administrator, django_capture_on_commit_callbacks
    ):
        from commendations import dossiers
        from commendations.models import Dossier, DossierJob

        close(review, administrator)
        ids = list(
            Nomination.objects.filter(review=review)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        job = DossierJob.objects.create(
            review=review,
            status=DossierJob.Status.RUNNING,
            total=len(ids),
            started_at=now(),
            progress_at=now(),
        )

        finished = dossiers.run_job(job_id=job.pk, ids=ids, progress_every=1)

        assert (finished.status, finished.done, finished.total) == ("done", 2, 2)
        assert Dossier.objects.filter(nomination_id__in=ids).count() == 2
        village = Dossier.objects.get(nomination__unit__isnull=False)
        assert village.facts["points"] == 70 and village.document.name.endswith(".docx")
        # Generated again, the old file is replaced, not left behind.
        old = village.document.path
        with django_capture_on_commit_callbacks(execute=True):
            dossiers.run_job(job_id=job.pk, ids=ids, progress_every=2)
        village.refresh_from_db()
        assert village.document.path != old
        assert not os.path.exists(old)
