import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from competitions import ledger
from competitions.models import PointEntry
from tests.competitions.conftest import a_credit
from units.models import Person


class TestCredit:
    def test_the_same_key_credits_once(self, tree, competition, initiative):
        with transaction.atomic():
            first = ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )
        with transaction.atomic():
            second = ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )

        assert len(first) == 1 and second == []
        assert PointEntry.objects.count() == 1

    @pytest.mark.django_db(transaction=True)
    def test_refuses_to_run_outside_a_transaction(self, tree, competition, initiative):
        with pytest.raises(RuntimeError):
            ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )

    def test_an_unsaved_person_is_refused_not_written_as_a_units_credit(
        self, tree, competition, initiative
    ):
        nobody = Person(display_name="Chưa lưu")
        with pytest.raises(ValueError), transaction.atomic():
            ledger.credit(
                credits=[
                    a_credit(competition, initiative, tree["ho_lien"], person=nobody)
                ],
                by=None,
                at=timezone.now(),
            )
        assert PointEntry.objects.count() == 0

    def test_a_negative_credit_is_refused(self, tree, competition, initiative):
        with pytest.raises(ValueError), transaction.atomic():
            ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"], points=-5)],
                by=None,
                at=timezone.now(),
            )

    def test_the_database_refuses_negative_points_that_reverse_nothing(
        self, tree, competition, initiative
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PointEntry.objects.create(
                competition=competition,
                unit=tree["ho_lien"],
                activity_type=initiative,
                points=-1,
                source="forged",
                idempotency_key="forged",
                occurred_at=timezone.now(),
                created_at=timezone.now(),
            )


class TestReverse:
    def test_a_reversal_cancels_the_entry_and_names_it(
        self, tree, competition, initiative
    ):
        with transaction.atomic():
            [entry] = ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )
            reversal = ledger.reverse(
                entry=entry, reason="khai man", by=None, at=timezone.now()
            )

        assert reversal.points == -10 and reversal.reverses == entry
        assert sum(PointEntry.objects.values_list("points", flat=True)) == 0

    def test_reversing_twice_changes_nothing(self, tree, competition, initiative):
        with transaction.atomic():
            [entry] = ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )
            ledger.reverse(entry=entry, reason="lần 1", by=None, at=timezone.now())
        with transaction.atomic():
            again = ledger.reverse(
                entry=entry, reason="lần 2", by=None, at=timezone.now()
            )

        assert again is None
        assert PointEntry.objects.count() == 2


class TestCreditMany:
    def test_the_same_batch_imported_twice_writes_once(
        self, tree, competition, initiative
    ):
        credits = [
            a_credit(competition, initiative, tree["ho_lien"], key=f"import:{n}")
            for n in range(5)
        ]
        with transaction.atomic():
            first = ledger.credit_many(credits=credits, by=None, at=timezone.now())
        with transaction.atomic():
            second = ledger.credit_many(
                credits=credits
                + [a_credit(competition, initiative, tree["cay"], key="import:new")],
                by=None,
                at=timezone.now(),
            )

        assert len(first) == 5
        assert list(second) == ["import:new"]
        assert PointEntry.objects.get(pk=second["import:new"]).unit == tree["cay"]
        assert PointEntry.objects.count() == 6
