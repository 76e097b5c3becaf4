"""Learning fixtures: a running competition with a rule for every learning activity,
and trainings of each kind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from competitions.models import ActivityType, Competition, PointRule
from learning.models import Training
from units.models import Person, TargetGroup
from units.services import add_member

# activity code: (points per event, points per quantity, cap per person per week)
LEARNING_RULES = {
    "training-completed": (10, 0, None),
    "mentee-guided": (5, 0, None),
    "class-attendee": (0, 2, None),
    "digital-household": (0, 8, None),
    "vneid-help": (0, 3, None),
}


@pytest.fixture
def learning_competition(tree):
    return learning_competition_of(tree)


def learning_competition_of(tree):
    """The movement's competition, with a rule for every learning activity."""
    today = timezone.localdate()
    competition = Competition.objects.create(
        name="Bình dân học vụ số",
        kind=Competition.Kind.REGULAR,
        scope_unit=tree["province"],
        starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90),
        status=Competition.Status.RUNNING,
    )
    for code, (event, each, per_person) in LEARNING_RULES.items():
        PointRule.objects.create(
            competition=competition,
            # The learning migration creates these activity types; a transactional
            # test's flush empties the table, so make them again if need be.
            activity_type=ActivityType.objects.get_or_create(
                code=code,
                defaults={"name": code, "credits_person": code != "digital-household"},
            )[0],
            version=1,
            effective_from=competition.starts_on,
            points_per_event=event,
            points_per_quantity=each,
            max_quantity=100,
            cap_period="week",
            max_events_per_person=per_person,
        )
    return competition


@pytest.fixture
def course(db):
    return make_course()


def make_course():
    return Training.objects.create(
        title="Kỹ năng số cơ bản cho người dân",
        kind=Training.Kind.ONLINE_COURSE,
        external_key="course-v1:MOET+KNS-ND+2026-1",
        target_groups=[TargetGroup.CITIZEN],
    )


@pytest.fixture
def second_course(db):
    return Training.objects.create(
        title="An toàn thông tin cá nhân trên môi trường số",
        kind=Training.Kind.ONLINE_COURSE,
        external_key="course-v1:DNAI+ATTT+2026-1",
    )


@pytest.fixture
def community_training(db):
    return make_community_training()


def make_community_training():
    return Training.objects.create(
        title="Lớp cài đặt và sử dụng VNeID",
        kind=Training.Kind.COMMUNITY_CLASS,
    )


def make_person(unit, name, **fields) -> Person:
    person = Person.objects.create(
        display_name=name,
        target_group=fields.pop("target_group", TargetGroup.CITIZEN),
        **fields,
    )
    add_member(person=person, unit=unit)
    return person


@pytest.fixture
def villagers(tree):
    return villagers_of(tree)


def villagers_of(tree):
    """Five people of thôn Hồ Liễn."""
    names = [
        "Nguyễn Văn Bình",
        "Trần Thị Cúc",
        "Lê Văn Dũng",
        "Phạm Thị Hoa",
        "Đỗ Văn Khánh",
    ]
    return [make_person(tree["ho_lien"], name) for name in names]


@pytest.fixture(autouse=True)
def fresh_cache():
    # Counters kept in the cache (wrong invite codes, API rate limits) must not leak
    # from one test to the next: user and integration ids repeat.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
