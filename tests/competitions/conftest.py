"""A running competition with its rules, and helpers to make photos and submissions."""

import functools
import io
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from competitions import ledger, services
from competitions.models import ActivityType, Competition, PointRule
from units.audit import Origin

TEST_ORIGIN = Origin(ip_address="203.0.113.7", user_agent="pytest")


@functools.lru_cache(maxsize=256)
def _photo(size, color, fmt, pattern, save_options) -> bytes:
    image = Image.new("RGB", size, color)
    if pattern:
        # Drawn as lines, not pixel by pixel: a tenth of a second per photo was a
        # tenth of every replay test's setup.
        draw = ImageDraw.Draw(image)
        stripe = (255 - color[0], 255 - color[1], 255 - color[2])
        for x in range(0, size[0], max(1, size[0] // (pattern + 1))):
            x = min(x, size[0] - 1)
            draw.line([(x, 0), (x, size[1] - 1)], fill=stripe)
    output = io.BytesIO()
    image.save(output, format=fmt, **dict(save_options))
    return output.getvalue()


def photo_bytes(
    *, size=(640, 480), color=(200, 30, 30), fmt="JPEG", pattern=0, **save_options
) -> bytes:
    """A real image; `pattern` draws stripes so that different photos hash differently."""
    return _photo(
        tuple(size), tuple(color), fmt, pattern, tuple(sorted(save_options.items()))
    )


@functools.lru_cache(maxsize=256)
def noisy_photo(seed: int) -> bytes:
    """A photo with random blocks: distinct seeds give unrelated perceptual hashes."""
    import random

    rng = random.Random(seed)
    image = Image.new("RGB", (160, 120))
    draw = ImageDraw.Draw(image)
    for bx in range(0, 160, 20):
        for by in range(0, 120, 20):
            shade = rng.randint(0, 255)
            draw.rectangle([bx, by, bx + 19, by + 19], fill=(shade, shade, shade))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def competition(tree, today):
    return competition_of(tree, today)


def competition_of(tree, today):
    """A regular competition of the province, running from 90 days ago to 90 ahead."""
    return Competition.objects.create(
        name="Phong trào thử nghiệm",
        kind=Competition.Kind.REGULAR,
        scope_unit=tree["province"],
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90),
        status=Competition.Status.RUNNING,
    )


@pytest.fixture
def community_class(competition):
    return community_class_of(competition)


def community_class_of(competition):
    """20 points a class plus 2 per attendee (at most 60), at most 3 classes a week per unit."""
    activity = ActivityType.objects.create(
        code="community-class",
        name="Lớp học cộng đồng",
        quantity_label="học viên",
        event_label="lớp",
        credits_person=True,
    )
    PointRule.objects.create(
        competition=competition,
        activity_type=activity,
        version=1,
        effective_from=competition.starts_on,
        points_per_event=20,
        points_per_quantity=2,
        max_quantity=60,
        cap_period="week",
        max_events_per_unit=3,
    )
    return activity


@pytest.fixture
def initiative(competition):
    """A unit-only activity: 100 points, no caps."""
    activity = ActivityType.objects.create(
        code="initiative", name="Sáng kiến", quantity_label="sáng kiến"
    )
    PointRule.objects.create(
        competition=competition,
        activity_type=activity,
        version=1,
        effective_from=competition.starts_on,
        points_per_event=100,
    )
    return activity


def make_submission(
    *,
    officer,
    unit,
    competition,
    activity_type,
    on=None,
    quantity=10,
    person=None,
    photo=None,
    submit=True,
    at=None,
):
    at = at or timezone.now()
    submission = services.save_draft(
        data=services.SubmissionData(
            competition=competition,
            unit=unit,
            activity_type=activity_type,
            occurred_on=on or timezone.localdate() - timedelta(days=1),
            quantity=quantity,
            description="Lớp học tại nhà văn hóa",
            person=person,
        ),
        by=officer,
        at=at,
        origin=TEST_ORIGIN,
    )
    services.add_evidence(
        submission=submission,
        uploads=[
            ContentFile(
                photo or photo_bytes(pattern=submission.pk % 7 + 1), name="anh.jpg"
            )
        ],
        by=officer,
        at=at,
    )
    if submit:
        submission = services.submit_submission(
            submission=submission, by=officer, at=at, origin=TEST_ORIGIN
        )
    return submission


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _isolated_media(media_root):
    """Every test writes evidence into its own temporary folder."""


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def a_credit(
    competition,
    activity_type,
    unit,
    *,
    key="k1",
    points=10,
    person=None,
    occurred_at=None,
    capped=False,
):
    """One ledger line, as a source hands it to the ledger."""
    return ledger.Credit(
        competition=competition,
        unit=unit,
        person=person,
        activity_type=activity_type,
        rule=None,
        points=points,
        quantity=1,
        source="test",
        explanation="",
        idempotency_key=key,
        occurred_at=occurred_at or timezone.now(),
        capped=capped,
    )


def credit_one(credit):
    """Write one credit in its own transaction, as an approval does; the entry."""
    with transaction.atomic():
        [entry] = ledger.credit(credits=[credit], by=None, at=timezone.now())
    return entry
