"""Demo competitions, activity types and point rules (called by `seed_demo`)."""

import io
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from units.audit import COMMAND
from units.models import Unit

from . import services
from .models import ActivityType, Competition, PointRule

ACTIVITY_TYPES = [
    # code, name, quantity label, credits a person, what one event is
    (
        "training-completed",
        "Hoàn thành khóa học kỹ năng số",
        "khóa học",
        True,
        "khóa học",
    ),
    (
        "community-class",
        "Tổ chức lớp học kỹ năng số cộng đồng",
        "học viên",
        True,
        "lớp",
    ),
    (
        "mentee-guided",
        "Hướng dẫn người học (Đại sứ số)",
        "người",
        True,
        "người được hướng dẫn",
    ),
    (
        "digital-household",
        "Hộ gia đình trở thành “Gia đình số”",
        "hộ",
        False,
        "lần ghi nhận",
    ),
    ("vneid-help", "Hỗ trợ người dân kích hoạt VNeID", "người dân", True, "lần hỗ trợ"),
    (
        "party-thematic-session",
        "Dự chuyên đề “Đảng viên tiên phong học tập kỹ năng số”",
        "đảng viên",
        True,
        "buổi chuyên đề",
    ),
    (
        "technology-initiative",
        "Sáng kiến công nghệ được công nhận",
        "sáng kiến",
        False,
        "sáng kiến",
    ),
    ("class-attendee", "Học viên dự lớp do mình giảng dạy", "học viên", True, "lớp"),
]

# code: (points per event, points per quantity, max quantity, cap period, per unit, per person)
RULES = {
    "training-completed": (10, 0, 1, "week", None, 5),
    "community-class": (20, 2, 60, "week", 3, None),
    "mentee-guided": (5, 0, 1, "week", None, 10),
    "digital-household": (0, 8, 50, "month", None, None),
    "vneid-help": (0, 3, 100, "week", None, None),
    "party-thematic-session": (5, 1, 200, "month", 2, None),
    "technology-initiative": (100, 0, 1, "month", 2, None),
    "class-attendee": (0, 2, 100, "week", None, None),
}


def _demo_photo() -> bytes:
    image = Image.new("RGB", (800, 600), (210, 225, 240))
    draw = ImageDraw.Draw(image)
    for row in range(4):
        for seat in range(6):
            x, y = 80 + seat * 110, 200 + row * 90
            draw.ellipse((x, y, x + 40, y + 40), fill=(120, 90, 60))
    draw.rectangle((250, 40, 550, 140), fill=(255, 255, 255))
    output = io.BytesIO()
    image.save(output, format="JPEG")
    return output.getvalue()


def seed(context: dict) -> bool:
    if Competition.objects.exists():
        return False
    province = Unit.objects.get(kind=Unit.Kind.PROVINCE, code="31")
    types = {
        # Some exist already: the learning app's migration creates the ones it credits.
        code: ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "quantity_label": label,
                "credits_person": person,
                "event_label": event,
            },
        )[0]
        for code, name, label, person, event in ACTIVITY_TYPES
    }
    year = Competition.objects.create(
        name="Phong trào “Bình dân học vụ số” năm 2026",
        kind=Competition.Kind.REGULAR,
        scope_unit=province,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        status=Competition.Status.RUNNING,
        description="Thi đua học tập, phổ cập kỹ năng số trong toàn thành phố.",
    )
    festival = Competition.objects.create(
        name="Ngày hội toàn dân học tập số 10/10/2026",
        kind=Competition.Kind.THEMATIC,
        scope_unit=province,
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
        status=Competition.Status.CLOSED,
        description="Đợt thi đua chuyên đề nhân Ngày Chuyển đổi số quốc gia 10/10.",
    )
    for competition in (year, festival):
        for code, (event, each, most, period, per_unit, per_person) in RULES.items():
            PointRule.objects.create(
                competition=competition,
                activity_type=types[code],
                version=1,
                effective_from=competition.starts_on,
                points_per_event=event,
                points_per_quantity=each,
                max_quantity=most,
                cap_period=period,
                max_events_per_unit=per_unit,
                max_events_per_person=per_person,
                note="Quy tắc ban đầu",
            )
    _history(year, festival, types)
    _submission_awaiting_review(year, types["community-class"])
    context["competition"] = year
    return True


# How often each kind of unit does what, per week, in the demo history.
HISTORY_MIX = [
    ("training-completed", 0.55),
    ("mentee-guided", 0.15),
    ("vneid-help", 0.1),
    ("community-class", 0.08),
    ("party-thematic-session", 0.05),
    ("digital-household", 0.05),
    ("technology-initiative", 0.02),
]


def _history(
    year, festival, types, *, weeks: int = 8, per_week: int = 220, seed: int = 1010
):
    """Approved achievements over the past weeks, so that every board has a story.

    Written in bulk (submission, ledger entry and audit event per achievement) with
    the same idempotency keys and rules as the review pages use; the ledger's bulk
    path queues the entries for the boards.
    """
    import random

    from units.models import AuditEvent, Membership, Person

    from . import ledger
    from .models import Submission
    from .rules import occurred_at, rule_for

    rng = random.Random(seed)
    User = get_user_model()
    officer = User.objects.get(username="canbo")
    reviewer = User.objects.get(username="thamdinh")
    memberships = list(
        Membership.objects.filter(
            is_primary=True, person__user__isnull=True
        ).values_list("person_id", "unit_id")
    )
    # Some villages are keener than others: a few leaders, a long tail.
    weights = [rng.paretovariate(1.5) for _ in memberships]
    today = timezone.localdate()
    now = timezone.now()
    rules_cache = {}
    submissions, plans = [], []
    for _ in range(weeks * per_week):
        person_id, unit_id = rng.choices(memberships, weights=weights)[0]
        code = rng.choices(
            [c for c, _w in HISTORY_MIX], weights=[w for _c, w in HISTORY_MIX]
        )[0]
        activity = types[code]
        # From today back: on a Monday or the 1st, this week's and this month's
        # boards (the default views) must not open empty.
        day = today - timedelta(days=rng.randint(0, weeks * 7))
        competition = (
            festival
            if festival.starts_on <= day <= festival.ends_on and rng.random() < 0.5
            else year
        )
        quantity = (
            1
            if code in ("training-completed", "mentee-guided", "technology-initiative")
            else rng.randint(3, 40)
        )
        key = (competition.pk, activity.pk, day)
        if key not in rules_cache:
            rules_cache[key] = rule_for(
                competition=competition, activity_type=activity, on=day
            )
        rule = rules_cache[key]
        submitted, decided = _review_times(rng, day=day, now=now)
        submissions.append(
            Submission(
                competition=competition,
                unit_id=unit_id,
                person_id=person_id if activity.credits_person else None,
                activity_type=activity,
                occurred_on=day,
                quantity=quantity,
                description="Dữ liệu mẫu",
                status=Submission.Status.APPROVED,
                submitted_by=officer,
                submitted_at=submitted,
                decided_by=reviewer,
                decided_at=decided,
            )
        )
        plans.append(rule)
    Submission.objects.bulk_create(submissions, batch_size=1000)
    ledger.credit_many(
        credits=[
            ledger.Credit(
                competition=s.competition,
                unit=Unit(pk=s.unit_id),
                person=Person(pk=s.person_id) if s.person_id else None,
                activity_type=s.activity_type,
                rule=rule,
                points=rule.points_for(s.quantity),
                quantity=min(s.quantity, rule.max_quantity),
                source="submission",
                explanation="",
                idempotency_key=f"submission:{s.pk}:approved",
                occurred_at=occurred_at(s.occurred_on),
                submission=s,
            )
            for s, rule in zip(submissions, plans, strict=True)
        ],
        by=reviewer,
        at=now,
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=s.decided_at,
                actor=reviewer,
                action="submission.approved",
                object_type="competitions.submission",
                object_id=s.pk,
                unit_id=s.unit_id,
                from_state="submitted",
                to_state="approved",
                reason="Dữ liệu mẫu",
                user_agent="seed_demo",
            )
            for s in submissions
        ],
        batch_size=1000,
    )


def _review_times(rng, *, day, now):
    """When a demo achievement was sent and decided, as in real use: sent during
    office hours on the day or within three days after it, decided one to four
    days later, both before now. (All sent at the same moment, the history made
    every new submission look like a burst of dozens.)"""
    start = timezone.make_aware(
        datetime.combine(day + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3])), time(7))
    )
    submitted = start + timedelta(minutes=rng.randint(0, 10 * 60))
    if submitted >= now:
        # Today's: some time since midnight.
        midnight = timezone.make_aware(datetime.combine(day, time()))
        submitted = midnight + (now - midnight) * rng.random()
    decided = submitted + timedelta(hours=rng.randint(20, 96))
    if decided >= now:
        decided = submitted + (now - submitted) * rng.random()
    return submitted, decided


def _submission_awaiting_review(competition, activity_type):
    officer = get_user_model().objects.get(username="canbo")
    village = officer.unit_roles.get().unit
    now = timezone.now()
    submission = services.save_draft(
        data=services.SubmissionData(
            competition=competition,
            unit=village,
            activity_type=activity_type,
            occurred_on=timezone.localdate() - timedelta(days=1),
            quantity=24,
            description="Lớp hướng dẫn cài đặt và sử dụng VNeID, thanh toán không dùng tiền mặt tại nhà văn hóa thôn.",
            person=officer.person,
        ),
        by=officer,
        at=now,
        origin=COMMAND,
    )
    services.add_evidence(
        submission=submission,
        uploads=[ContentFile(_demo_photo(), name="lop-hoc.jpg")],
        by=officer,
        at=now,
    )
    services.submit_submission(
        submission=submission, by=officer, at=now, origin=COMMAND
    )
