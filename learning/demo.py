"""Demo trainings, completions, mentoring, households and VNeID help (`seed_demo`).

Everything is recorded through the same services the pages use, so the demo's
points are in the ledger under the same keys and caps as real ones.
"""

import io
import random
from dataclasses import replace
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from units.audit import COMMAND
from units.models import Membership, TargetGroup

from . import crediting, services
from .models import (
    ClassSession,
    Completion,
    Household,
    HouseholdMember,
    MentorInvite,
    Mentorship,
    SkillArea,
    Training,
    VneidHelp,
)

ALL = []
CITIZEN, STUDENT = TargetGroup.CITIZEN, TargetGroup.STUDENT
SERVANT, WORKER = TargetGroup.PUBLIC_SERVANT, TargetGroup.ENTERPRISE_WORKER
ONLINE = Training.Kind.ONLINE_COURSE
CLASS = Training.Kind.COMMUNITY_CLASS
THEMATIC = Training.Kind.THEMATIC_SESSION

# title, kind, MOOC course key, target groups, hours, areas as (framework, area code)
TRAININGS = [
    (
        "Kỹ năng số cơ bản cho người dân",
        ONLINE,
        "course-v1:MOET+KNS-ND+2026-1",
        [CITIZEN],
        6,
        [("qd-757-2025", "0"), ("qd-757-2025", "1")],
    ),
    (
        "Sử dụng dịch vụ công trực tuyến và VNeID",
        ONLINE,
        "course-v1:BCA+DVC-VNEID+2026-1",
        [CITIZEN, WORKER],
        4,
        [("qd-757-2025", "0")],
    ),
    (
        "An toàn thông tin cá nhân trên môi trường số",
        ONLINE,
        "course-v1:DNAI+ATTT+2026-1",
        ALL,
        3,
        [("tt-02-2025", "4")],
    ),
    (
        "Ứng dụng trí tuệ nhân tạo trong công việc hằng ngày",
        ONLINE,
        "course-v1:MOET+AI-CB+2026-1",
        [SERVANT, WORKER],
        5,
        [("tt-02-2025", "6")],
    ),
    (
        "Kỹ năng số cho cán bộ, công chức, viên chức",
        ONLINE,
        "course-v1:BNV+KNS-CBCC+2026-1",
        [SERVANT],
        8,
        [("tt-02-2025", "1"), ("tt-02-2025", "2")],
    ),
    (
        "Năng lực số cho học sinh trung học",
        ONLINE,
        "course-v1:MOET+NLS-THCS+2026-1",
        [STUDENT],
        6,
        [("tt-02-2025", "1"), ("tt-02-2025", "3"), ("tt-02-2025", "5")],
    ),
    (
        "Thương mại điện tử cho hộ kinh doanh và người lao động",
        ONLINE,
        "course-v1:BCT+TMDT+2026-1",
        [WORKER],
        5,
        [("tt-02-2025", "3")],
    ),
    (
        "Lớp cài đặt, sử dụng VNeID và thanh toán không dùng tiền mặt",
        CLASS,
        None,
        [CITIZEN],
        2,
        [("qd-757-2025", "0")],
    ),
    (
        "Lớp “Người cao tuổi dùng điện thoại thông minh”",
        CLASS,
        None,
        [CITIZEN],
        2,
        [("qd-757-2025", "0"), ("qd-757-2025", "1")],
    ),
    (
        "Chuyên đề “Đảng viên tiên phong học tập kỹ năng số”",
        THEMATIC,
        None,
        [SERVANT, CITIZEN],
        3,
        [("tt-02-2025", "2"), ("tt-02-2025", "4")],
    ),
]


def _trainings() -> list[Training]:
    areas = {
        (area.framework.code, area.code): area
        for area in SkillArea.objects.select_related("framework")
    }
    made = []
    for title, kind, key, groups, hours, area_codes in TRAININGS:
        training = Training.objects.create(
            title=title, kind=kind, external_key=key, target_groups=groups, hours=hours
        )
        training.areas.set([areas[code] for code in area_codes if code in areas])
        made.append(training)
    return made


def _certificate() -> ContentFile:
    image = Image.new("RGB", (640, 440), (252, 248, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 420), outline=(170, 30, 30), width=6)
    draw.rectangle((200, 90, 440, 120), fill=(170, 30, 30))
    for line in range(5):
        draw.rectangle((120, 180 + line * 40, 520, 190 + line * 40), fill=(90, 90, 90))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=80)
    return ContentFile(output.getvalue(), name="chung-chi.jpg")


def seed(context: dict) -> bool:
    if Training.objects.exists():
        return False
    rng = random.Random(2025)
    now = timezone.now()
    today = timezone.localdate()
    User = get_user_model()
    officer = User.objects.get(username="canbo")
    learner = User.objects.get(username="hocvien").person
    ho_lien = officer.unit_roles.get().unit
    trainings = _trainings()
    online = [t for t in trainings if t.kind == ONLINE]

    # Households of thôn Hồ Liễn, before the completions, so that a household turns
    # digital with its first member's completion as it would in real life.
    villagers = list(
        Membership.objects.filter(
            unit=ho_lien, is_primary=True, person__user__isnull=True
        )
        .select_related("person")
        .order_by("person_id")
    )
    homes = []
    for start in range(0, min(len(villagers), 160), 4):
        members = [m.person for m in villagers[start : start + rng.randint(2, 4)]]
        if not members:
            continue
        home = Household.objects.create(
            unit=ho_lien, name=f"Hộ {members[0].display_name}", created_at=now
        )
        HouseholdMember.objects.bulk_create(
            HouseholdMember(household=home, person=person) for person in members
        )
        homes.append(home)

    # The learner account is a digital ambassador with three mentees, two of whom
    # went on to complete a course.
    mentees = [m.person for m in villagers[-3:]]
    for offset, mentee in enumerate(mentees):
        invite = MentorInvite.objects.create(
            mentor=learner,
            created_at=now - timedelta(days=20 - offset),
            expires_at=now - timedelta(days=13 - offset),
            used_at=now - timedelta(days=19 - offset),
            used_by=mentee,
        )
        Mentorship.objects.create(
            mentor=learner, mentee=mentee, invite=invite, confirmed_at=invite.used_at
        )
    MentorInvite.objects.create(
        mentor=learner, created_at=now, expires_at=now + timedelta(days=7)
    )

    # Completions over the past eight weeks, as imports and attendance would bring them.
    memberships = list(
        Membership.objects.filter(is_primary=True, person__user__isnull=True)
        .select_related("person", "unit")
        .order_by("person_id")
    )
    items = []
    chosen = rng.sample(memberships, k=min(len(memberships), 700))
    for membership in chosen + [m for m in villagers[-3:-1]]:
        person = membership.person
        fitting = [
            t
            for t in online
            if not t.target_groups or person.target_group in t.target_groups
        ]
        training = rng.choice(fitting or online)
        items.append(
            services.NewCompletion(
                person=person,
                training=training,
                unit=membership.unit,
                completed_on=today - timedelta(days=rng.randint(0, 55)),
                source=Completion.Source.IMPORT,
                certificate_number=f"BDHVS-{rng.randint(10**7, 10**8 - 1)}",
            )
        )
    # The mentees' completions come after their confirmation (the last two items).
    for item_index in (-2, -1):
        item = items[item_index]
        items[item_index] = replace(item, completed_on=today - timedelta(days=3))
    unique = {(item.person.pk, item.training.pk): item for item in items}
    with transaction.atomic():
        services.record_completions(list(unique.values()), by=officer, at=now)

    # A community class held last week with its attendance, and one coming up.
    community = next(t for t in trainings if t.kind == CLASS)
    trainer = learner
    past = ClassSession.objects.create(
        training=community,
        unit=ho_lien,
        trainer=trainer,
        held_on=today - timedelta(days=6),
        place="Nhà văn hóa thôn Hồ Liễn",
        checkin_until=now - timedelta(days=6),
        created_by=officer,
        created_at=now - timedelta(days=7),
    )
    attendees = [m.person for m in villagers[20:32]]
    for person in attendees:
        with transaction.atomic():
            completion, created = services.record_completion(
                services.NewCompletion(
                    person=person,
                    training=community,
                    unit=ho_lien,
                    completed_on=past.held_on,
                    source=Completion.Source.ATTENDANCE,
                    session_id=past.pk,
                ),
                by=officer,
                at=now,
                origin=COMMAND,
            )
            if created:
                crediting.record(
                    [
                        crediting.Award(
                            activity=crediting.CLASS_ATTENDEE,
                            unit=ho_lien,
                            person=trainer,
                            on=past.held_on,
                            key=f"session:{past.pk}:attendee:{person.pk}",
                        )
                    ],
                    by=officer,
                    at=now,
                )
    ClassSession.objects.create(
        training=next(t for t in trainings if t.kind == THEMATIC),
        unit=ho_lien,
        trainer=trainer,
        held_on=today + timedelta(days=3),
        place="Hội trường UBND xã Kê Sặt",
        checkin_until=now + timedelta(days=3, hours=12),
        created_by=officer,
        created_at=now,
    )

    # Citizens helped with VNeID, a few days a week.
    for days_ago in (2, 5, 9, 12, 16):
        with transaction.atomic():
            help_record = VneidHelp.objects.create(
                unit=ho_lien,
                helper=learner,
                helped_on=today - timedelta(days=days_ago),
                citizens=rng.randint(3, 15),
                note="Hỗ trợ tại nhà văn hóa thôn",
                recorded_by=officer,
                recorded_at=now,
            )
            crediting.record(
                [
                    crediting.Award(
                        activity=crediting.VNEID_HELP,
                        unit=ho_lien,
                        person=learner,
                        on=help_record.helped_on,
                        key=f"vneid:{help_record.pk}",
                        quantity=help_record.citizens,
                    )
                ],
                by=officer,
                at=now,
            )

    # A self-reported certificate waiting for the reviewer.
    services.record_completion(
        services.NewCompletion(
            person=learner,
            training=next(
                t for t in trainings if t.external_key and "ATTT" in t.external_key
            ),
            unit=ho_lien,
            completed_on=today - timedelta(days=1),
            source=Completion.Source.SELF_REPORT,
            certificate_number="BDHVS-20261121",
        ),
        by=learner.user,
        at=now,
        origin=COMMAND,
        status=Completion.Status.PENDING,
        certificate=_certificate(),
    )
    context["trainings"] = trainings
    return True
