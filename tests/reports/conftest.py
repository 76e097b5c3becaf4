from datetime import date

import pytest
from django.utils import timezone

from learning.models import Completion, Training
from learning.services import NewCompletion, record_completion
from units.audit import Origin
from units.models import Person, TargetGroup
from units.services import add_member


@pytest.fixture
def course(db):
    return Training.objects.create(
        title="Kỹ năng số cơ bản", kind=Training.Kind.ONLINE_COURSE
    )


@pytest.fixture
def other_course(db):
    return Training.objects.create(
        title="An toàn trên môi trường số", kind=Training.Kind.ONLINE_COURSE
    )


def person(unit, name="Nguyễn Văn An", **fields) -> Person:
    made = Person.objects.create(
        display_name=name,
        target_group=fields.pop("target_group", TargetGroup.CITIZEN),
        **fields,
    )
    add_member(person=made, unit=unit)
    return made


def complete(who, training, day: date, unit=None, pending=False) -> Completion:
    """A completion recorded by attendance (confirmed), or a learner's self-report
    awaiting review (pending=True)."""
    completion, _new = record_completion(
        NewCompletion(
            person=who,
            training=training,
            unit=unit or who.memberships.get(is_primary=True).unit,
            completed_on=day,
            source=Completion.Source.SELF_REPORT
            if pending
            else Completion.Source.ATTENDANCE,
        ),
        by=None,
        at=timezone.now(),
        origin=Origin(ip_address="127.0.0.1", user_agent="test"),
        status=Completion.Status.PENDING if pending else Completion.Status.CONFIRMED,
    )
    return completion
