"""Demo badges (`seed_demo`, after the learning history): awards from that history.

The demo mentor `hocvien` is left with four mentees who completed a training and a
fifth who has not yet: when the fifth completes (the officer `canbo` ticks them at
last week's class), "Đại sứ số" appears on the mentor's wall and, live, on their
screen. Every published class is then evaluated over the whole province, as
publishing does, and a council member awards one badge by hand.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from learning import services as learning
from learning.models import Completion, MentorInvite, Mentorship, Training
from units.audit import COMMAND
from units.models import Membership, Unit

from . import evaluation, services
from .models import Assertion, BadgeClass

GUIDED = 4  # one short of the five "Đại sứ số" needs


def _guided(mentor) -> int:
    badge_class = BadgeClass.objects.published().get(slug="dai-su-so")
    [value] = evaluation.values_for(badge_class, recipient_id=mentor.pk)
    return int(value or 0)


def _pair(mentor, mentee, now):
    invite = MentorInvite.objects.create(
        mentor=mentor,
        created_at=now - timedelta(days=9),
        expires_at=now - timedelta(days=2),
        used_at=now - timedelta(days=8),
        used_by=mentee,
    )
    Mentorship.objects.create(
        mentor=mentor, mentee=mentee, invite=invite, confirmed_at=invite.used_at
    )


def seed(context: dict) -> bool:
    if Assertion.objects.exists() or not Training.objects.exists():
        return False
    User = get_user_model()
    officer = User.objects.get(username="canbo")
    mentor = User.objects.get(username="hocvien").person
    ho_lien = officer.unit_roles.get().unit
    now = timezone.now()
    course = (
        Training.objects.filter(kind=Training.Kind.ONLINE_COURSE).order_by("pk").first()
    )
    free = (
        Membership.objects.filter(
            unit=ho_lien, is_primary=True, person__user__isnull=True
        )
        .exclude(person__mentorship__isnull=False)
        .exclude(person__mentees__isnull=False)
        .exclude(person__completions__isnull=False)
        .select_related("person")
        .order_by("-person_id")
    )
    spare = iter([m.person for m in free[:10]])
    with transaction.atomic():
        # Mentees who completed after accepting, until the mentor has four.
        waiting = [
            m.mentee
            for m in Mentorship.objects.filter(mentor=mentor).select_related("mentee")
            if not Completion.objects.filter(person=m.mentee).exists()
        ]
        while _guided(mentor) < GUIDED:
            mentee = waiting.pop() if waiting else next(spare)
            if not Mentorship.objects.filter(mentee=mentee).exists():
                _pair(mentor, mentee, now)
            learning.record_completion(
                learning.NewCompletion(
                    person=mentee,
                    training=course,
                    unit=ho_lien,
                    completed_on=timezone.localdate() - timedelta(days=2),
                    source=Completion.Source.IMPORT,
                ),
                by=officer,
                at=now,
                origin=COMMAND,
            )
        # The fifth: paired, nothing completed yet.
        if not waiting:
            _pair(mentor, next(spare), now)
    for badge_class in BadgeClass.objects.published().exclude(criteria={}):
        services.backfill_class(badge_class, at=now)
    council = User.objects.filter(username="hoidong").first()
    team = Unit.objects.filter(
        kind=Unit.Kind.DIGITAL_TEAM, path__startswith=ho_lien.path
    ).first()
    if council is not None and team is not None:
        services.award_badge(
            badge_class=BadgeClass.objects.published().get(
                slug="to-cong-nghe-so-tieu-bieu"
            ),
            unit=team,
            reason=(
                "Tổ đã hướng dẫn hơn 300 người dân cài đặt VNeID và thanh toán không "
                "dùng tiền mặt trong đợt cao điểm tháng 10."
            ),
            by=council,
            at=now,
            origin=COMMAND,
        )
    return True
