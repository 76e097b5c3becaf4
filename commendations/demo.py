"""Demo commendations (`seed_demo`, after the badges): the province's council, two
digital ambassadors of Kê Sặt holding "Đại sứ số", the interim review of the
year's movement closed with its nominations voted and decided (so the honour board
is not empty), and the final review left open for the journey: close it, vote by
secret ballot, record the decision.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from badges import services as badge_services
from badges.models import BadgeClass
from competitions.models import Competition
from learning import services as learning
from learning.models import Completion, MentorInvite, Mentorship, Training
from units.audit import COMMAND
from units.demo import DEMO_PASSWORD
from units.models import Person, Role, TargetGroup, Unit
from units.services import add_member, grant_role

from . import councils, decisions, dossiers, nominations
from .models import AwardType, Council, CouncilMember, Nomination, ProposalRule, Review

MEMBERS = [
    # username, name, position, office
    (
        "chutich_hd",
        "Phạm Minh Đức",
        CouncilMember.Position.CHAIR,
        "Chủ tịch UBND thành phố",
    ),
    (
        "phochutich_hd",
        "Lê Thị Hồng",
        CouncilMember.Position.VICE_CHAIR,
        "Giám đốc Sở Nội vụ",
    ),
    (
        "thuky",
        "Trần Thu Hà",
        CouncilMember.Position.SECRETARY,
        "Trưởng Ban Thi đua – Khen thưởng",
    ),
    (
        "hoidong",
        "Nguyễn Văn Hải",
        CouncilMember.Position.MEMBER,
        "Giám đốc Sở Khoa học và Công nghệ",
    ),
    ("uyvien_hd", "Đỗ Quang Vinh", CouncilMember.Position.MEMBER, "Bí thư Thành đoàn"),
]


def _member_user(username, name, province):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            email=f"{username}@demo.thiduaso.vn",
            password=make_password(DEMO_PASSWORD),
        )
        person = Person.objects.create(
            user=user, display_name=name, target_group=TargetGroup.PUBLIC_SERVANT
        )
        add_member(person=person, unit=province)
        grant_role(user=user, unit=province, kind=Role.Kind.COUNCIL_MEMBER)
    return user


def _ambassadors(ke_sat, now):
    """Two mentors of Kê Sặt (outside Hồ Liễn, whose `hocvien` is one short) with
    five mentees each who completed a training: "Đại sứ số" by its criteria."""
    course = (
        Training.objects.filter(kind=Training.Kind.ONLINE_COURSE).order_by("pk").first()
    )
    villages = list(
        Unit.objects.filter(path__startswith=ke_sat.path, kind=Unit.Kind.VILLAGE)
        .exclude(name__endswith="Hồ Liễn")
        .order_by("path")[2:4]
    )
    officer = get_user_model().objects.get(username="canbo")
    for village in villages:
        free = list(
            Person.objects.filter(
                memberships__unit=village,
                memberships__is_primary=True,
                user__isnull=True,
                mentorship__isnull=True,
                mentees__isnull=True,
            )
            .exclude(completions__training=course)
            .order_by("pk")[:6]
        )
        if len(free) < 6:
            continue
        mentor, mentees = free[0], free[1:]
        for mentee in mentees:
            invite = MentorInvite.objects.create(
                mentor=mentor,
                created_at=now - timedelta(days=20),
                expires_at=now - timedelta(days=13),
                used_at=now - timedelta(days=19),
                used_by=mentee,
            )
            Mentorship.objects.create(
                mentor=mentor, mentee=mentee, invite=invite, confirmed_at=invite.used_at
            )
            learning.record_completion(
                learning.NewCompletion(
                    person=mentee,
                    training=course,
                    unit=village,
                    completed_on=timezone.localdate() - timedelta(days=5),
                    source=Completion.Source.IMPORT,
                ),
                by=officer,
                at=now,
                origin=COMMAND,
            )
    badge_services.backfill_class(
        BadgeClass.objects.published().get(slug="dai-su-so"), at=now
    )


def _review(competition, ke_sat, award, *, kind, name, held_on):
    review = Review.objects.create(
        competition=competition, unit=ke_sat, kind=kind, name=name, held_on=held_on
    )
    ProposalRule.objects.create(
        review=review,
        kind=ProposalRule.Kind.BOARD_TOP,
        award_type=award,
        entity=Unit.Kind.VILLAGE,
        top=3,
        order=1,
    )
    ProposalRule.objects.create(
        review=review,
        kind=ProposalRule.Kind.BADGE_HOLDERS,
        award_type=award,
        badge_slug="dai-su-so",
        order=2,
    )
    return review


def seed(context: dict) -> bool:
    if Review.objects.exists() or not Competition.objects.exists():
        return False
    now = timezone.now()
    today = timezone.localdate()
    province = Unit.objects.get(kind=Unit.Kind.PROVINCE, code="31")
    ke_sat = Unit.objects.get(name="Xã Kê Sặt")
    year = (
        Competition.objects.filter(
            status=Competition.Status.RUNNING, scope_unit=province
        )
        .order_by("pk")
        .first()
    )
    admin = get_user_model().objects.get(username="quantri")
    award = AwardType.objects.get(code="bang-khen-bdhvs")
    council = Council.objects.create(
        unit=province, name="Hội đồng Thi đua – Khen thưởng thành phố Hải Phòng"
    )
    members = {}
    for username, name, position, office in MEMBERS:
        user = _member_user(username, name, province)
        members[username] = CouncilMember.objects.create(
            council=council, user=user, name=name, position=position, office=office
        )
    _ambassadors(ke_sat, now)

    interim = _review(
        year,
        ke_sat,
        award,
        kind=Review.Kind.INTERIM,
        name="Sơ kết 6 tháng phong trào “Bình dân học vụ số” tại xã Kê Sặt",
        held_on=today - timedelta(days=30),
    )
    _review(
        year,
        ke_sat,
        award,
        kind=Review.Kind.FINAL,
        name="Tổng kết năm 2026 phong trào “Bình dân học vụ số” tại xã Kê Sặt",
        held_on=today,
    )
    nominations.close_review(review=interim, by=admin, at=now, origin=COMMAND)
    dossiers.start_job(review=interim, at=now)
    nominations.submit_review(review=interim, by=admin, at=now, origin=COMMAND)
    proposed = list(Nomination.objects.filter(review=interim).order_by("pk"))
    secretary = members["thuky"].user
    session = councils.open_session(
        council=council,
        title="Phiên họp xét khen thưởng sơ kết 6 tháng",
        held_on=today - timedelta(days=20),
        by=secretary,
        at=now,
        origin=COMMAND,
    )
    present = [
        members[name] for name in ("chutich_hd", "thuky", "hoidong", "uyvien_hd")
    ]
    councils.set_attendance(
        session=session,
        member_ids=[m.pk for m in present],
        by=secretary,
        at=now,
        origin=COMMAND,
    )
    councils.add_to_session(
        session=session, nominations=proposed, by=secretary, at=now, origin=COMMAND
    )
    for index, item in enumerate(session.items.order_by("pk")):
        for number, member in enumerate(present):
            # Every nominee passes but one, so that the minutes show both results.
            choice = "no" if (index == len(proposed) - 1 and number < 3) else "yes"
            if councils.conflict(member, item.nomination):
                continue
            councils.cast_ballot(
                item=item, user=member.user, choice=choice, at=now, origin=COMMAND
            )
    councils.close_session(session=session, by=secretary, at=now, origin=COMMAND)
    passed = list(
        Nomination.objects.filter(review=interim, status=Nomination.Status.APPROVED)
    )
    if passed:
        decisions.record_decision(
            issuing_unit=province,
            number="2150/QĐ-UBND",
            signed_on=today - timedelta(days=14),
            signer_name="Phạm Minh Đức",
            signer_title="Chủ tịch Ủy ban nhân dân thành phố Hải Phòng",
            subject="Về việc tặng Bằng khen cho các tập thể, cá nhân có thành tích xuất "
            "sắc trong 6 tháng đầu năm thực hiện phong trào “Bình dân học vụ số”",
            nominations=passed,
            by=secretary,
            at=now,
            origin=COMMAND,
        )
    context["commendations"] = {"council": council, "interim": interim}
    return True
