"""What only a real PostgreSQL shows: a double vote and a double decision racing in
threads, and recorded decisions that the database itself refuses to change."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from commendations import councils, decisions, nominations
from commendations.errors import AlreadyDecided, AlreadyVoted
from commendations.models import Award, AwardDecision, Ballot, Nomination
from tests.commendations.conftest import TEST_ORIGIN
from tests.commendations.test_services import session_with, submitted
from tests.competitions.test_postgresql import run_at_once

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _decide(tree, items, by, number):
    return decisions.record_decision(
        issuing_unit=tree["province"],
        number=number,
        signed_on=timezone.localdate(),
        signer_name="Trần Văn Ký",
        signer_title="Chủ tịch Ủy ban nhân dân tỉnh",
        subject="Về việc tặng Bằng khen",
        nominations=items,
        by=by,
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )


def _passed(review, administrator, council):
    items = submitted(review, administrator)
    session = session_with(
        council, items, administrator, ["chair", "secretary", "member1"]
    )
    for item in session.items.all():
        for name in ("chair", "secretary", "member1"):
            councils.cast_ballot(
                item=item,
                user=council[name].user,
                choice="yes",
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
    councils.close_session(
        session=session, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
    )
    return list(Nomination.objects.filter(review=review))


class TestRaces:
    def test_eight_copies_of_one_ballot_count_once(
        self, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair", "secretary"])
        item = session.items.first()

        outcomes = run_at_once(
            8,
            lambda i: councils.cast_ballot(
                item=item,
                user=council["chair"].user,
                choice="yes",
                at=timezone.now(),
                origin=TEST_ORIGIN,
            ),
        )

        assert sum(o is None for o in outcomes) == 1
        assert sum(isinstance(o, AlreadyVoted) for o in outcomes) == 7
        item.refresh_from_db()
        assert item.yes == 1
        assert Ballot.objects.filter(item=item).count() == 1

    def test_two_decisions_racing_for_the_same_nominations_record_one(
        self, review, administrator, council, tree
    ):
        passed = _passed(review, administrator, council)

        outcomes = run_at_once(
            2, lambda i: _decide(tree, passed, administrator, f"{100 + i}/QĐ-UBND")
        )

        assert sum(isinstance(o, AwardDecision) for o in outcomes) == 1
        assert sum(isinstance(o, AlreadyDecided) for o in outcomes) == 1
        assert AwardDecision.objects.count() == 1
        assert Award.objects.count() == len(passed)


class TestRecordedDecisions:
    def test_the_database_refuses_to_change_or_delete_a_decision(
        self, review, administrator, council, tree
    ):
        passed = _passed(review, administrator, council)
        decision = _decide(tree, passed, administrator, "125/QĐ-UBND")

        for statement in (
            "UPDATE commendations_awarddecision SET number = 'X' WHERE id = %s",
            "DELETE FROM commendations_awarddecision WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement, [decision.pk])
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic():
                Award.objects.filter(decision=decision).update(citation="Sửa")

        decision.refresh_from_db()
        assert decision.number == "125/QĐ-UBND"

    def test_closing_a_review_twice_at_once_proposes_nobody_twice(
        self, review, administrator
    ):
        outcomes = run_at_once(
            2,
            lambda i: nominations.close_review(
                review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
            ),
        )

        assert sorted(o.new for o in outcomes) == [0, 2]
        assert Nomination.objects.filter(review=review).count() == 2


class TestProposingInOneStatement:
    def test_each_new_nomination_starts_its_trail_at_the_close_and_is_told(
        self, review, administrator, citizen, tree
    ):
        from commendations.selectors import nomination_trail
        from competitions.models import Notification

        first = nominations.close_review(
            review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        again = nominations.close_review(
            review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )

        assert (first.new, first.already, again.new, again.already) == (2, 0, 0, 2)
        mine = Nomination.objects.get(person=citizen.person)
        village = Nomination.objects.get(unit=tree["ho_lien"])
        assert mine.nominee_unit == tree["ho_lien"] and mine.status == "proposed"
        assert village.rank == 1 and "Hạng 1" in village.basis
        assert village.proposed_by == administrator and village.uid
        for nomination in (mine, village):
            # the first close, not the second: that one proposed nobody
            [step] = nomination_trail(nomination)
            assert (step.action, step.object_id) == ("review.closed", review.pk)
            assert (
                step.actor == administrator
                and step.reason == "2 đề xuất mới trên 2 tìm thấy"
            )
        # A rule deleted since (its nominations keep no rule) leaves the trail whole.
        review.rules.all().delete()
        village.refresh_from_db()
        assert village.rule_id is None
        assert [s.action for s in nomination_trail(village)] == ["review.closed"]
        [note] = Notification.objects.filter(
            user=citizen, link__startswith="/commendations/"
        )
        assert note.link == f"/commendations/nominations/{mine.uid}/"
        assert "Bằng khen" in note.message


# A nomination's references, checked once per statement by commendations/0005's
# trigger instead of row by row by foreign keys.
REFERENCES = [
    "review_id",
    "rule_id",
    "award_type_id",
    "nominating_unit_id",
    "authority_unit_id",
    "proposed_by_id",
    "person_id",
    "unit_id",
    "nominee_unit_id",
]
MISSING_ID = 987_654_321


class TestReferencesCheckedPerStatement:
    @pytest.mark.parametrize("column", REFERENCES)
    def test_a_nomination_naming_a_missing_row_is_refused(
        self, review, administrator, column
    ):
        nominations.close_review(
            review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        # the person's nomination for person_id, the village's for the others
        nomination = Nomination.objects.get(
            review=review, person__isnull=column != "person_id"
        )
        written = Nomination.objects.count()

        with pytest.raises(IntegrityError, match="does not exist"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE commendations_nomination SET {column} = %s WHERE id = %s",
                    [MISSING_ID, nomination.pk],
                )
        # A new row: a copy without a review (as a unit's own nomination), the
        # column naming a row that does not exist.
        values = [
            "%s" if name == column else ("NULL" if name == "review_id" else name)
            for name in REFERENCES
        ]
        with pytest.raises(IntegrityError, match="does not exist"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO commendations_nomination ({', '.join(REFERENCES)},"
                    " uid, status, basis, justification, return_reason, proposed_at)"
                    f" SELECT {', '.join(values)}, gen_random_uuid(), status, '', '',"
                    " '', proposed_at FROM commendations_nomination WHERE id = %s",
                    [MISSING_ID, nomination.pk],
                )

        assert Nomination.objects.count() == written
        nomination.refresh_from_db()
        assert getattr(nomination, column) not in (None, MISSING_ID)

    def test_a_row_a_nomination_names_cannot_be_deleted(self, review, administrator):
        nominations.close_review(
            review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        village = Nomination.objects.get(review=review, person__isnull=True)
        person = Nomination.objects.get(review=review, person__isnull=False)

        for referenced in (
            village.review,
            village.award_type,
            village.nominating_unit,
            village.authority_unit,
            village.unit,
            person.person,
        ):
            with pytest.raises(ProtectedError):
                referenced.delete()
        assert Nomination.objects.filter(pk__in=[village.pk, person.pk]).count() == 2
