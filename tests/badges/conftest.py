"""Badge fixtures: a digital ambassador with mentees, trainings, and helpers that
record completions and make classes."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from badges.models import BadgeClass
from learning import services as learning
from learning.models import Completion, MentorInvite, Mentorship
from tests.competitions.conftest import TEST_ORIGIN, competition, today  # noqa: F401
from tests.conftest import make_user
from tests.learning.conftest import (  # noqa: F401
    community_training,
    course,
    fresh_cache,
    learning_competition,
    make_person,
    second_course,
    villagers,
)


def committed():
    """Run what waits for the commit (signals, badge evaluation) when the block ends,
    as a real commit would: tests run inside a transaction that never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def complete(person, training, *, unit=None, on=None):
    """Record a confirmed completion as an import would (badges evaluate after commit)."""
    unit = unit or person.memberships.get(is_primary=True).unit
    with committed(), transaction.atomic():
        completion, _created = learning.record_completion(
            learning.NewCompletion(
                person=person,
                training=training,
                unit=unit,
                completed_on=on or timezone.localdate(),
                source=Completion.Source.IMPORT,
            ),
            by=None,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
    return completion


def pair(mentor, mentee, *, days_ago=10):
    at = timezone.now() - timedelta(days=days_ago)
    invite = MentorInvite.objects.create(
        mentor=mentor,
        created_at=at,
        expires_at=at + timedelta(days=7),
        used_at=at,
        used_by=mentee,
    )
    return Mentorship.objects.create(
        mentor=mentor, mentee=mentee, invite=invite, confirmed_at=at
    )


def make_class(slug, criteria, *, recipient="person", status="published", **fields):
    return BadgeClass.objects.create(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").title()),
        recipient=recipient,
        criteria=criteria,
        status=status,
        published_at=timezone.now() if status == "published" else None,
        **fields,
    )


@pytest.fixture
def mentor(tree):
    """hocvien: a learner of thôn Hồ Liễn who signs in, a digital ambassador."""
    return make_user("hocvien", unit=tree["ho_lien"], person_name="Trần Văn Học").person


@pytest.fixture
def mentees(tree, mentor):
    people = [make_person(tree["ho_lien"], f"Người học {n}") for n in range(1, 7)]
    for person in people:
        pair(mentor, person)
    return people


@pytest.fixture
def council(tree):
    """A council member of xã Kê Sặt."""
    from units.models import Role

    return make_user("council", unit=tree["ke_sat"], role=Role.Kind.COUNCIL_MEMBER)


@pytest.fixture(autouse=True)
def seeded_data(request):
    """The frameworks and seeded badges the migrations load: a transactional test's
    flush empties their tables, so make them again if need be."""
    if (
        "db" not in request.fixturenames
        and "transactional_db" not in request.fixturenames
    ):
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    seeded_badges()


# Data the migrations load that a transactional test's flush removes, and that
# seed_demo and the pages expect: (migration module, its loading function).
DATA_MIGRATIONS = [
    ("commendations.migrations.0002_award_types", "seed"),
    ("campaigns.migrations.0002_activities_and_frozen_snapshots", "seed"),
]


def seeded_badges():
    """Load the frameworks, seeded badges and every other migration-loaded row
    (award types, campaign activities) if a flush removed them (idempotent)."""
    from importlib import import_module

    from django.apps import apps as registry

    from badges import seeded
    from learning import frameworks
    from learning.models import Skill, SkillArea, SkillFramework

    frameworks.load(SkillFramework, SkillArea, Skill)
    seeded.load(BadgeClass, at=timezone.now())
    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(registry, None)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        "transactional_db" in request.fixturenames
        or (marker and marker.kwargs.get("transaction"))
    )


_TEST_KEY = []


def session_signing_key() -> str:
    """One RSA key per test session (tests run with DEBUG off: no development key)."""
    if not _TEST_KEY:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _TEST_KEY.append(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
        )
    return _TEST_KEY[0]


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.BADGES_SIGNING_KEY = session_signing_key()
    settings.MEDIA_ROOT = tmp_path / "media"
