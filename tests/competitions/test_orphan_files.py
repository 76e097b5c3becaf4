"""Files written by a transaction that rolled back are removed; live ones never are."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from competitions import services
from competitions.models import Evidence
from learning import sessions
from learning.models import Completion, Training
from tests.competitions.conftest import TEST_ORIGIN, make_submission, photo_bytes
from units import schedule
from units.media import remove_orphan_files


class Failed(Exception):
    pass


def files_in(root) -> list[str]:
    return sorted(
        str(path.relative_to(root)) for path in Path(root).rglob("*") if path.is_file()
    )


def age(root, days: float) -> None:
    """Make every file under root look `days` old."""
    when = (timezone.now() - timedelta(days=days)).timestamp()
    for path in Path(root).rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


LATER = timedelta(hours=2)


@pytest.fixture
def course(db):
    return Training.objects.create(
        title="Kỹ năng số cơ bản", kind=Training.Kind.ONLINE_COURSE
    )


@pytest.fixture
def draft(tree, officer, competition, community_class):
    return make_submission(
        officer=officer,
        unit=tree["ho_lien"],
        competition=competition,
        activity_type=community_class,
        submit=False,
    )


class TestOrphanFiles:
    def test_evidence_of_a_transaction_that_failed_is_removed(
        self, draft, officer, media_root
    ):
        live = files_in(media_root)

        with pytest.raises(Failed), transaction.atomic():
            services.add_evidence(
                submission=draft,
                uploads=[ContentFile(photo_bytes(pattern=3), name="lop.jpg")],
                by=officer,
                at=timezone.now(),
            )
            raise Failed

        assert draft.evidence.count() == 1
        [orphan] = set(files_in(media_root)) - set(live)
        outcome = remove_orphan_files(now=timezone.now() + LATER)
        assert outcome.removed == [orphan]
        assert files_in(media_root) == live

    def test_a_certificate_of_a_self_report_that_failed_is_removed(
        self, citizen, course, media_root
    ):
        with pytest.raises(Failed), transaction.atomic():
            sessions.report_completion(
                user=citizen,
                training=course,
                completed_on=timezone.localdate(),
                certificate_number="BDHVS-1",
                photo=photo_bytes(),
                photo_name="chung-chi.jpg",
                today=timezone.localdate(),
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
            raise Failed

        assert not Completion.objects.exists() and len(files_in(media_root)) == 1
        remove_orphan_files(now=timezone.now() + LATER)
        assert files_in(media_root) == []

    def test_files_of_live_evidence_and_certificates_are_never_removed(
        self, draft, citizen, course, media_root
    ):
        sessions.report_completion(
            user=citizen,
            training=course,
            completed_on=timezone.localdate(),
            certificate_number="BDHVS-2",
            photo=photo_bytes(),
            photo_name="chung-chi.jpg",
            today=timezone.localdate(),
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        live = files_in(media_root)
        age(media_root, days=400)

        outcome = remove_orphan_files()

        assert len(live) == 2 and files_in(media_root) == live
        assert outcome.removed == [] and outcome.checked == 2

    def test_a_recent_orphan_is_kept_its_transaction_may_still_run(
        self, draft, officer, media_root
    ):
        with pytest.raises(Failed), transaction.atomic():
            services.add_evidence(
                submission=draft,
                uploads=[ContentFile(photo_bytes(pattern=2), name="lop.jpg")],
                by=officer,
                at=timezone.now(),
            )
            raise Failed
        before = files_in(media_root)

        outcome = remove_orphan_files(now=timezone.now() + timedelta(minutes=5))

        assert outcome.removed == [] and outcome.too_recent == 1
        assert files_in(media_root) == before

    def test_a_deleted_evidence_row_leaves_an_orphan_that_goes_too(
        self, draft, media_root
    ):
        Evidence.objects.filter(submission=draft).delete()
        age(media_root, days=1)

        remove_orphan_files()

        assert files_in(media_root) == []

    def test_runs_on_the_schedule_and_as_a_command(
        self, draft, officer, media_root, settings
    ):
        with pytest.raises(Failed), transaction.atomic():
            services.add_evidence(
                submission=draft,
                uploads=[ContentFile(photo_bytes(pattern=4), name="lop.jpg")],
                by=officer,
                at=timezone.now(),
            )
            raise Failed
        out = io.StringIO()
        call_command("remove_orphan_files", "--dry-run", "--older-than=0", stdout=out)
        assert "1 orphans found" in out.getvalue() and len(files_in(media_root)) == 2
        settings.MEDIA_CLEANUP_MINUTES = 60
        schedule.forget_local_state()
        age(media_root, days=1)

        ran = schedule.run_due()

        assert "media.remove_orphan_files" in ran
        assert len(files_in(media_root)) == 1
