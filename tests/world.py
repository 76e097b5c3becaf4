"""One small province with something of every kind, and a valid POST for every view
that accepts one.

The replay test (tests/test_replays.py) and the foreign-id test
(tests/test_foreign_ids.py) walk the URL conf; every pattern of our apps that
accepts POST must have an entry in `POSTS`, or those tests fail. Each entry builds
what its view needs and returns the request a user's browser would send.
"""

import copy
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from badges import openbadges
from badges import services as badge_services
from badges.models import BadgeClass
from competitions import services as submissions
from competitions.models import Notification, PointRule
from learning import integrations, mentoring, sessions
from learning.models import ClassSession, Completion, Household, ImportBatch
from tests.badges.conftest import session_signing_key
from tests.campaigns.conftest import scene
from tests.competitions.conftest import (
    TEST_ORIGIN,
    community_class_of,
    competition_of,
    make_submission,
    photo_bytes,
)
from tests.conftest import (
    administrator_of,
    build_tree,
    citizen_of,
    make_user,
    officer_of,
    outsider_of,
    reviewer_of,
)
from tests.learning.conftest import (
    learning_competition_of,
    make_community_training,
    make_course,
    villagers_of,
)
from units.audit import COMMAND
from units.models import Unit
from units.services import create_unit

# The apps whose views these tests hold to account; third-party views (allauth's
# sign-in, the Django admin, the language switch) are theirs.
OUR_APPS = {
    "units",
    "competitions",
    "learning",
    "leaderboards",
    "badges",
    "commendations",
    "campaigns",
    "pages",
    "reports",
}


@dataclass
class Post:
    """A POST as a browser (or an integration) sends it."""

    user: object | None
    path: str
    data: Callable[[], dict] = dict  # fresh each time: uploaded files are consumed
    json: dict | None = None
    headers: dict = field(default_factory=dict)
    # What the browser did first (opened a link, scanned a code), once per client.
    before: Callable | None = None

    def sign_in(self, client) -> None:
        if self.user is not None:
            client.force_login(self.user)
        if self.before is not None:
            self.before(client)


def our_patterns():
    """(name, URL pattern, view) of every URL pattern of our apps."""

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                space = entry.namespace or namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
            elif isinstance(entry, URLPattern):
                module = getattr(entry.callback, "__module__", "")
                if module.split(".")[0] in OUR_APPS:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                    yield name, entry, entry.callback

    return list(walk(get_resolver().url_patterns, "", None))


def row_counts() -> dict[str, int]:
    """Rows in every table, and files under MEDIA_ROOT."""
    # One query for every table: a count per model was a hundred round trips, and
    # each replay test counts twice.
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s, COUNT(*) FROM {quote(model._meta.db_table)}"
                for model in apps.get_models()
            ),
            [model._meta.label for model in apps.get_models()],
        )
        counts.update(cursor.fetchall())
    root = settings.MEDIA_ROOT
    counts["files"] = (
        sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    )
    return counts


def send(client, post: Post, *, token: str | None = None, **overrides):
    """Send the POST (with this form token, if it is a form)."""
    if post.json is not None:
        return client.post(
            post.path,
            data=json.dumps(post.json),
            content_type="application/json",
            **post.headers,
        )
    data = {**post.data(), **overrides}
    if token is not None:
        data["form_token"] = token
    return client.post(post.path, data, **post.headers)


# What the world's views are run with: imports and reports inline, not on a worker
# thread (the signing key for the badges' credentials is set beside these).
WORLD_SETTINGS = {
    "LEARNING_IMPORT_INLINE": True,
    "REPORTS_INLINE": True,
}


@pytest.fixture(scope="module")
def world_of_the_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module in a transaction that is never committed.

    Each test runs in pytest-django's own transaction, a savepoint inside this one,
    and is rolled back to it: Django's setUpTestData does the same for a TestCase
    class. Built afresh for every test, the world was half of each replay test's
    time. Evidence files stay in one folder per module: what a test writes there
    outlives its rollback, which the tests allow for (they count what a replay
    adds, after the first POST)."""
    media = tmp_path_factory.mktemp("world-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                **WORLD_SETTINGS,
                BADGES_SIGNING_KEY=session_signing_key(),
                MEDIA_ROOT=media,
                PASSWORD_HASHERS=fast,
            ):
                cache.clear()
                built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield media, built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(world_of_the_module, db, settings):
    """The module's world, as every test of the module first sees it (a copy: a test
    may change the objects it is given, as the rollback changes the rows)."""
    media, built = world_of_the_module
    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
    settings.BADGES_SIGNING_KEY = session_signing_key()
    settings.MEDIA_ROOT = media
    cache.clear()
    return copy.deepcopy(built)


def build_world() -> dict:
    tree = build_tree()
    officer, reviewer = officer_of(tree), reviewer_of(tree)
    administrator, citizen = administrator_of(tree), citizen_of(tree)
    outsider = outsider_of(tree)
    competition = competition_of(tree, timezone.localdate())
    community_class = community_class_of(competition)
    learning_competition_of(tree)
    course, community_training = make_course(), make_community_training()
    villagers = villagers_of(tree)
    now = timezone.now()
    # An administrator of the province by role, not a Django superuser: the
    # superuser may act everywhere, so nothing is foreign to them.
    province_admin = make_user(
        "province_admin", unit=tree["province"], role="administrator"
    )
    second_reviewer = make_user(
        "reviewer2", unit=tree["ke_sat"], role="reviewer", person_name="Đặng Văn Hùng"
    )
    mentee = make_user("mentee", unit=tree["ho_lien"], person_name="Hoàng Thị Mai")
    code_mentee = make_user(
        "codementee", unit=tree["ho_lien"], person_name="Bùi Văn Nam"
    )

    def submission(*, submit=True):
        return make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            submit=submit,
        )

    draft = submission(submit=False)
    sent = submission()
    approved = submission()
    submissions.approve_submission(
        submission=approved, reviewer=reviewer, at=now, origin=TEST_ORIGIN
    )
    rejected = submission()
    submissions.reject_submission(
        submission=rejected,
        reviewer=reviewer,
        reason="Ảnh mờ",
        at=now,
        origin=TEST_ORIGIN,
    )
    appealed = submission()
    submissions.reject_submission(
        submission=appealed,
        reviewer=reviewer,
        reason="Ảnh mờ",
        at=now,
        origin=TEST_ORIGIN,
    )
    submissions.appeal_submission(
        submission=appealed, by=officer, reason="Ảnh rõ hơn", at=now, origin=TEST_ORIGIN
    )
    Notification.objects.create(
        user=officer, message="Thành tích đã được duyệt", created_at=now
    )

    session = ClassSession.objects.create(
        training=community_training,
        unit=tree["ho_lien"],
        trainer=villagers[4],
        held_on=timezone.localdate(),
        place="Nhà văn hóa thôn",
        checkin_until=now + timedelta(hours=3),
        created_by=officer,
        created_at=now,
    )
    self_report = Completion.objects.create(
        person=citizen.person,
        training=course,
        unit=tree["ho_lien"],
        completed_on=timezone.localdate() - timedelta(days=1),
        status=Completion.Status.PENDING,
        source=Completion.Source.SELF_REPORT,
        recorded_at=now,
        recorded_by=citizen,
    )
    outside_checkin, _created = sessions.check_in(
        session=session,
        user=outsider,
        scanned_at=now,
        at=now,
        origin=TEST_ORIGIN,
    )
    link_invite = mentoring.create_invite(mentor=citizen.person, at=now)
    code_invite = mentoring.create_invite(mentor=citizen.person, at=now)
    household = Household.objects.create(
        unit=tree["ho_lien"], name="Hộ ông Bình", created_at=now
    )
    integration, api_token = integrations.create_integration(
        name="Nền tảng học tập",
        unit=tree["ke_sat"],
        by=administrator,
        at=now,
        origin=COMMAND,
    )
    manual_badge = (
        BadgeClass.objects.published()
        .filter(recipient="person", levels=[])
        .order_by("pk")
        .first()
    )
    awarded_badge = badge_services.award_badge(
        badge_class=manual_badge,
        person=villagers[1],
        reason="Hướng dẫn cả xóm cài VNeID",
        by=province_admin,
        at=now,
        origin=TEST_ORIGIN,
    )
    rule = PointRule.objects.filter(
        competition=competition, activity_type=community_class
    ).get()
    world = {
        "tree": tree,
        "officer": officer,
        "reviewer": reviewer,
        "second_reviewer": second_reviewer,
        "administrator": province_admin,
        "citizen": citizen,
        "outsider": outsider,
        "mentee": mentee,
        "code_mentee": code_mentee,
        "competition": competition,
        "community_class": community_class,
        "course": course,
        "community_training": community_training,
        "villagers": villagers,
        "draft": draft,
        "sent": sent,
        "approved": approved,
        "rejected": rejected,
        "appealed": appealed,
        "session": session,
        "self_report": self_report,
        "outside_checkin": outside_checkin,
        "link_invite": link_invite,
        "code_invite": code_invite,
        "household": household,
        "integration": integration,
        "api_token": api_token,
        "rule": rule,
        "manual_badge": manual_badge,
        "awarded_badge": awarded_badge,
    }
    # What the commendation and campaign forms act on, built here once rather than
    # by each test that needs it.
    _chain(world)
    _campaign(world)
    return world


def _award_type(code: str):
    from commendations.models import AwardType

    return AwardType.objects.get(code=code)


def _import_file() -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Họ và tên",
            "Ngày sinh",
            "Số điện thoại",
            "Mã đơn vị",
            "Khóa học",
            "Ngày hoàn thành",
            "Số chứng chỉ",
        ]
    )
    day = (timezone.localdate() - timedelta(days=3)).strftime("%d/%m/%Y")
    writer.writerow(
        ["Lê Thị Thu", "15/03/1985", "", "", "course-v1:MOET+KNS-ND+2026-1", day, ""]
    )
    return SimpleUploadedFile("danh-sach.csv", out.getvalue().encode())


def _import_preview(w) -> ImportBatch:
    from learning import imports

    batch = imports.preview_import(
        unit=w["tree"]["ho_lien"],
        file_name="danh-sach.csv",
        data=_import_file().read(),
        by=w["officer"],
        at=timezone.now(),
    )
    return batch


def _submission_fields(w, **extra):
    return {
        "competition": w["competition"].pk,
        "unit": w["tree"]["ho_lien"].pk,
        "activity_type": w["community_class"].pk,
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "quantity": "12",
        "description": "Lớp học VNeID tại nhà văn hóa thôn",
        "person": w["villagers"][0].pk,
        "action": "draft",
        **extra,
    }


def _chain(w) -> dict:
    """Commendations in every state a form acts on, built once per world: a review
    of Kê Sặt, the province's council of three, nominations proposed, submitted,
    before a session, approved, and one awarded."""
    if "chain" in w:
        return w["chain"]
    from commendations import councils, decisions, nominations
    from commendations.models import (
        AwardType,
        Council,
        CouncilMember,
        ProposalRule,
        Review,
    )

    now = timezone.now()
    tree, admin, people = w["tree"], w["administrator"], w["villagers"]
    award = AwardType.objects.get(code="bang-khen-bdhvs")
    review = Review.objects.create(
        competition=w["competition"],
        unit=tree["ke_sat"],
        kind=Review.Kind.FINAL,
        name="Tổng kết phong trào",
        held_on=timezone.localdate(),
    )
    ProposalRule.objects.create(
        review=review, kind="board_top", award_type=award, entity="village", top=3
    )
    council = Council.objects.create(unit=tree["province"], name="Hội đồng tỉnh")
    members = [
        CouncilMember.objects.create(
            council=council,
            user=make_user(f"hoidong{i}", unit=tree["province"], role="council_member"),
            name=f"Thành viên {i}",
        )
        for i in range(3)
    ]

    def nominate(person, *, submit=True):
        made = nominations.nominate(
            nominating_unit=tree["ke_sat"],
            award_type=award,
            person=person,
            justification="Hướng dẫn 40 hộ cài đặt VNeID trong tháng 10",
            by=admin,
            at=now,
            origin=TEST_ORIGIN,
        )
        if submit:
            nominations.submit_nomination(
                nomination=made, by=admin, at=now, origin=TEST_ORIGIN
            )
        return made

    def session_for(chosen):
        session = councils.open_session(
            council=council,
            title="Phiên họp",
            held_on=timezone.localdate(),
            by=admin,
            at=now,
            origin=TEST_ORIGIN,
        )
        councils.set_attendance(
            session=session,
            member_ids=[m.pk for m in members],
            by=admin,
            at=now,
            origin=TEST_ORIGIN,
        )
        councils.add_to_session(
            session=session, nominations=chosen, by=admin, at=now, origin=TEST_ORIGIN
        )
        return session

    proposed = nominate(people[0], submit=False)
    submitted = nominate(people[1])
    voting = session_for([nominate(people[2])])
    approved, awarded = nominate(people[3]), nominate(people[4])
    decided = session_for([approved, awarded])
    for item in decided.items.all():
        for member in members:
            councils.cast_ballot(
                item=item, user=member.user, choice="yes", at=now, origin=TEST_ORIGIN
            )
    councils.close_session(session=decided, by=admin, at=now, origin=TEST_ORIGIN)
    awarded.refresh_from_db()
    decision = decisions.record_decision(
        issuing_unit=tree["province"],
        number="1/QĐ-UBND",
        signed_on=timezone.localdate(),
        signer_name="Nguyễn Văn Ký",
        signer_title="Chủ tịch UBND tỉnh",
        subject="Về việc tặng Bằng khen",
        nominations=[awarded],
        by=admin,
        at=now,
        origin=TEST_ORIGIN,
    )
    w["chain"] = {
        "review": review,
        "council": council,
        "members": members,
        "proposed": proposed,
        "submitted": submitted,
        "voting": voting,
        "approved": approved,
        "award": decision.awards.get(),
    }
    return w["chain"]


def _campaign(w) -> dict:
    """A running campaign of a Youth Union with one branch enrolled (and a check-in
    awaiting the organiser) and one branch free to join, built once per world."""
    if "campaign" in w:
        return w["campaign"]
    from campaigns import services as campaigns

    tree, now = w["tree"], timezone.now()
    youth = create_unit(
        parent=tree["province"], kind=Unit.Kind.YOUTH_UNION, name="Thành đoàn Thử"
    )
    enrolled = create_unit(
        parent=youth, kind=Unit.Kind.YOUTH_BRANCH, name="Chi đoàn Hồ Liễn"
    )
    joining = create_unit(
        parent=youth, kind=Unit.Kind.YOUTH_BRANCH, name="Chi đoàn Quán Gỏi"
    )
    organiser = make_user(
        "doanthanhnien", unit=youth, role="campaign_organiser", person_name="Bí thư"
    )
    member = make_user("doanvien", unit=enrolled, person_name="Lê Văn Tình")
    joiner = make_user("doanvien2", unit=joining, person_name="Vũ Thị Hoa")
    created = campaigns.create_campaign(
        organiser=youth,
        template="thanh-nien-chung-tay",
        by=organiser,
        at=now,
        origin=COMMAND,
        starts_on=timezone.localdate() - timedelta(days=3),
    )
    campaigns.enrol(
        campaign=created.campaign, unit=enrolled, by=organiser, at=now, origin=COMMAND
    )
    goal = created.campaign.goals.get(metric="classes_held")
    pending = campaigns.check_in(
        campaign=created.campaign,
        goal=goal,
        unit=enrolled,
        user=member,
        occurred_on=timezone.localdate(),
        quantity=10,
        description="",
        photos=[SimpleUploadedFile("lop.jpg", scene(101))],
        at=now,
        origin=COMMAND,
    )
    w["campaign"] = {
        "campaign": created.campaign,
        "code": created.join_code,
        "youth": youth,
        "enrolled": enrolled,
        "joining": joining,
        "organiser": organiser,
        "member": member,
        "joiner": joiner,
        "goal": goal,
        "pending": pending,
    }
    return w["campaign"]


def _campaign_url(w, name, *args):
    return reverse(f"campaigns:{name}", args=[_campaign(w)["campaign"].pk, *args])


def _photo(pattern=3):
    return SimpleUploadedFile("anh.jpg", photo_bytes(pattern=pattern), "image/jpeg")


# name of the URL pattern -> the valid POST its view takes, from the world above.
POSTS: dict[str, Callable[[dict], Post]] = {
    "badges:award": lambda w: Post(
        w["administrator"],
        reverse("badges:award"),
        lambda: {
            "badge": w["manual_badge"].pk,
            "recipient": f"p-{w['villagers'][2].pk}",
            "level": "",
            "reason": "Dạy lớp VNeID cho người cao tuổi",
        },
    ),
    "badges:revoke": lambda w: Post(
        w["administrator"],
        reverse("badges:revoke", args=[w["awarded_badge"].uid]),
        lambda: {"reason": "Trao nhầm người"},
    ),
    # Checks an uploaded badge: it changes nothing, so it needs no form token.
    "badges:verify": lambda w: Post(
        None,
        reverse("badges:verify"),
        lambda: {
            "credential": openbadges.sign(w["awarded_badge"], "http://testserver")
        },
    ),
    "units:headcounts": lambda w: Post(
        w["officer"],
        reverse("units:headcounts", args=[w["tree"]["ho_lien"].pk]),
        lambda: {name: "150" for name in Unit.HEADCOUNT_FIELDS},
    ),
    "units:move": lambda w: Post(
        w["administrator"],
        reverse("units:move", args=[w["tree"]["quan_goi"].pk]),
        lambda: {"new_parent": w["tree"]["binh_giang"].pk},
    ),
    "units:profile": lambda w: Post(
        w["citizen"],
        reverse("units:profile"),
        lambda: {"display_name": "Nguyễn Văn An", "appears_anonymously": "on"},
    ),
    "competitions:submission_new": lambda w: Post(
        w["officer"],
        reverse("competitions:submission_new"),
        lambda: _submission_fields(w, evidence=_photo(), action="submit"),
    ),
    "competitions:submission_edit": lambda w: Post(
        w["officer"],
        reverse("competitions:submission_edit", args=[w["draft"].pk]),
        lambda: _submission_fields(w, evidence=_photo(5), quantity="15"),
    ),
    "competitions:submission_submit": lambda w: Post(
        w["officer"], reverse("competitions:submission_submit", args=[w["draft"].pk])
    ),
    "competitions:submission_decide": lambda w: Post(
        w["reviewer"],
        reverse("competitions:submission_decide", args=[w["sent"].pk]),
        lambda: {"decision": "approve"},
    ),
    "competitions:review_approve": lambda w: Post(
        w["reviewer"],
        reverse("competitions:review_approve"),
        lambda: {"submission": [w["sent"].pk]},
    ),
    "competitions:submission_appeal": lambda w: Post(
        w["officer"],
        reverse("competitions:submission_appeal", args=[w["rejected"].pk]),
        lambda: {"reason": "Đã bổ sung ảnh rõ hơn"},
    ),
    "competitions:appeal_decide": lambda w: Post(
        w["second_reviewer"],
        reverse("competitions:appeal_decide", args=[w["appealed"].pk]),
        lambda: {"decision": "overturn", "reason": "Ảnh đủ rõ"},
    ),
    "competitions:submission_revoke": lambda w: Post(
        w["administrator"],
        reverse("competitions:submission_revoke", args=[w["approved"].pk]),
        lambda: {"reason": "Khai không đúng"},
    ),
    "competitions:submission_comment": lambda w: Post(
        w["reviewer"],
        reverse("competitions:submission_comment", args=[w["sent"].pk]),
        lambda: {"body": "Bổ sung danh sách học viên"},
    ),
    "competitions:evidence_delete": lambda w: Post(
        w["officer"],
        reverse("competitions:evidence_delete", args=[w["draft"].evidence.first().pk]),
    ),
    "competitions:notifications": lambda w: Post(
        w["officer"], reverse("competitions:notifications")
    ),
    "competitions:rule_new": lambda w: Post(
        w["administrator"],
        reverse("competitions:rule_new", args=[w["competition"].pk]),
        lambda: {
            "activity_type": w["community_class"].pk,
            "effective_from": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "points_per_event": "25",
            "points_per_quantity": "2",
            "max_quantity": "60",
            "cap_period": "week",
            "max_events_per_unit": "3",
        },
    ),
    "competitions:rule_recalculate": lambda w: Post(
        w["administrator"],
        reverse("competitions:rule_recalculate", args=[w["rule"].pk]),
    ),
    "learning:completion_new": lambda w: Post(
        w["mentee"],
        reverse("learning:completion_new"),
        lambda: {
            "training": w["course"].pk,
            "completed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "certificate_number": "BDHVS-123",
            "certificate": _photo(6),
        },
    ),
    "learning:completion_decide": lambda w: Post(
        w["reviewer"],
        reverse("learning:completion_decide", args=[w["self_report"].pk]),
        lambda: {"decision": "approve"},
    ),
    "learning:session_new": lambda w: Post(
        w["officer"],
        reverse("learning:session_new"),
        lambda: {
            "training": w["community_training"].pk,
            "unit": w["tree"]["ho_lien"].pk,
            "held_on": timezone.localdate().isoformat(),
            "place": "Nhà văn hóa",
            "trainer": w["villagers"][0].pk,
            "checkin_hours": 24,
        },
    ),
    "learning:session": lambda w: Post(
        w["officer"],
        reverse("learning:session", args=[w["session"].pk]),
        lambda: {
            "people": [w["villagers"][0].pk, w["villagers"][1].pk],
            "anonymous": 3,
        },
    ),
    "learning:checkin": lambda w: Post(
        w["mentee"],
        reverse("learning:checkin", args=[w["session"].checkin_token]),
        before=lambda client: client.get(
            sessions.checkin_path(w["session"], at=timezone.now())
        ),
    ),
    "learning:checkin_decide": lambda w: Post(
        w["officer"],
        reverse(
            "learning:checkin_decide",
            args=[w["session"].pk, w["outside_checkin"].pk],
        ),
        lambda: {"decision": "confirm"},
    ),
    "learning:mentoring": lambda w: Post(w["citizen"], reverse("learning:mentoring")),
    "learning:invite": lambda w: Post(
        w["mentee"], reverse("learning:invite", args=[w["link_invite"].token])
    ),
    "learning:invite_code": lambda w: Post(
        w["code_mentee"],
        reverse("learning:invite_code"),
        lambda: {"code": w["code_invite"].code},
    ),
    "learning:import_new": lambda w: Post(
        w["officer"],
        reverse("learning:import_new"),
        lambda: {"unit": w["tree"]["ho_lien"].pk, "file": _import_file()},
    ),
    "learning:import_apply": lambda w: Post(
        w["officer"],
        reverse("learning:import_apply", args=[_import_preview(w).pk]),
    ),
    "learning:integrations": lambda w: Post(
        w["administrator"],
        reverse("learning:integrations"),
        lambda: {"name": "LMS tỉnh", "unit": w["tree"]["ke_sat"].pk},
    ),
    "learning:integration_revoke": lambda w: Post(
        w["administrator"],
        reverse("learning:integration_revoke", args=[w["integration"].pk]),
    ),
    "learning:households": lambda w: Post(
        w["officer"],
        reverse("learning:households", args=[w["tree"]["ho_lien"].pk]),
        lambda: {"name": "Hộ bà Cúc"},
    ),
    "learning:household": lambda w: Post(
        w["officer"],
        reverse("learning:household", args=[w["household"].pk]),
        lambda: {"person": w["villagers"][0].pk, "action": "add"},
    ),
    "learning:vneid": lambda w: Post(
        w["officer"],
        reverse("learning:vneid"),
        lambda: {
            "unit": w["tree"]["ho_lien"].pk,
            "helped_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "citizens": 7,
            "helper": w["villagers"][2].pk,
            "note": "Tại nhà văn hóa",
        },
    ),
    "commendations:review_close": lambda w: Post(
        w["administrator"],
        reverse("commendations:review_close", args=[_chain(w)["review"].pk]),
    ),
    "commendations:review_submit": lambda w: Post(
        w["administrator"],
        reverse("commendations:review_submit", args=[_chain(w)["review"].pk]),
    ),
    "commendations:review_dossiers": lambda w: Post(
        w["administrator"],
        reverse("commendations:review_dossiers", args=[_chain(w)["review"].pk]),
    ),
    "commendations:nomination_new": lambda w: Post(
        w["officer"],
        reverse("commendations:nomination_new"),
        lambda: {
            "unit": w["tree"]["ho_lien"].pk,
            "award_type": _award_type("giay-khen-xa").pk,
            "recipient": f"p-{w['villagers'][1].pk}",
            "justification": "Dạy lớp VNeID cho 30 người cao tuổi trong thôn",
        },
    ),
    "commendations:nomination_edit": lambda w: Post(
        w["administrator"],
        reverse("commendations:nomination_edit", args=[_chain(w)["proposed"].uid]),
        lambda: {"justification": "Hướng dẫn 60 hộ cài đặt VNeID trong tháng 10"},
    ),
    "commendations:nomination_submit": lambda w: Post(
        w["administrator"],
        reverse("commendations:nomination_submit", args=[_chain(w)["proposed"].uid]),
    ),
    "commendations:nomination_return": lambda w: Post(
        w["administrator"],
        reverse("commendations:nomination_return", args=[_chain(w)["submitted"].uid]),
        lambda: {"reason": "Bổ sung báo cáo thành tích"},
    ),
    "commendations:council": lambda w: Post(
        w["administrator"],
        reverse("commendations:council", args=[_chain(w)["council"].pk]),
        lambda: {
            "title": "Phiên họp tháng 12",
            "held_on": timezone.localdate().isoformat(),
        },
    ),
    "commendations:session_attendance": lambda w: Post(
        w["administrator"],
        reverse("commendations:session_attendance", args=[_chain(w)["voting"].pk]),
        lambda: {"present": [m.pk for m in _chain(w)["members"][:2]]},
    ),
    "commendations:session_agenda": lambda w: Post(
        w["administrator"],
        reverse("commendations:session_agenda", args=[_chain(w)["voting"].pk]),
        lambda: {"nominations": [_chain(w)["submitted"].pk]},
    ),
    "commendations:session_vote": lambda w: Post(
        _chain(w)["members"][0].user,
        reverse(
            "commendations:session_vote",
            args=[_chain(w)["voting"].pk, _chain(w)["voting"].items.get().pk],
        ),
        lambda: {"choice": "yes"},
    ),
    "commendations:session_close": lambda w: Post(
        w["administrator"],
        reverse("commendations:session_close", args=[_chain(w)["voting"].pk]),
    ),
    "commendations:decision_new": lambda w: Post(
        w["administrator"],
        reverse("commendations:decision_new", args=[_chain(w)["council"].pk]),
        lambda: {
            "number": "2/QĐ-UBND",
            "signed_on": timezone.localdate().isoformat(),
            "signer_name": "Nguyễn Văn Ký",
            "signer_title": "Chủ tịch UBND tỉnh",
            "subject": "Về việc tặng Bằng khen",
            "nominations": [_chain(w)["approved"].pk],
        },
    ),
    "commendations:award_revoke": lambda w: Post(
        w["administrator"],
        reverse("commendations:award_revoke", args=[_chain(w)["award"].uid]),
        lambda: {"reason": "Khai không đúng", "decision_number": "3/QĐ-UBND"},
    ),
    "campaigns:new": lambda w: Post(
        _campaign(w)["organiser"],
        reverse("campaigns:new"),
        lambda: {
            "template": "cho-so-4t",
            "organiser": _campaign(w)["youth"].pk,
            "name": "Chợ số phường",
            "starts_on": timezone.localdate().isoformat(),
        },
    ),
    "campaigns:enrol": lambda w: Post(
        _campaign(w)["organiser"],
        _campaign_url(w, "enrol"),
        lambda: {"unit": _campaign(w)["joining"].pk, "area": w["tree"]["quan_goi"].pk},
    ),
    "campaigns:code": lambda w: Post(
        _campaign(w)["organiser"], _campaign_url(w, "code")
    ),
    "campaigns:targets": lambda w: Post(
        _campaign(w)["organiser"],
        _campaign_url(w, "targets"),
        lambda: {"target_classes_held": "6", "target_vneid_helped": "40"},
    ),
    "campaigns:verify": lambda w: Post(
        _campaign(w)["organiser"],
        _campaign_url(w, "verify", _campaign(w)["pending"].pk),
        lambda: {"decision": "approve"},
    ),
    "campaigns:close": lambda w: Post(
        _campaign(w)["organiser"], _campaign_url(w, "close")
    ),
    "campaigns:join": lambda w: Post(
        _campaign(w)["joiner"],
        reverse("campaigns:join"),
        lambda: {"unit": _campaign(w)["joining"].pk, "code": _campaign(w)["code"]},
    ),
    "campaigns:checkin": lambda w: Post(
        _campaign(w)["member"],
        _campaign_url(w, "checkin"),
        lambda: {
            "unit": _campaign(w)["enrolled"].pk,
            "goal": _campaign(w)["goal"].pk,
            "occurred_on": timezone.localdate().isoformat(),
            "quantity": "8",
            "description": "Lớp ở nhà văn hóa",
            "photo": SimpleUploadedFile("lop.jpg", scene(102)),
        },
    ),
    "reports:targets": lambda w: Post(
        w["officer"],
        reverse("reports:targets", args=[w["tree"]["ho_lien"].pk]),
        lambda: {"year": "2025", "target_group": "citizen", "percent": "90"},
    ),
    "reports:report_new": lambda w: Post(
        w["reviewer"],
        reverse("reports:report_new", args=[w["tree"]["ke_sat"].pk]),
        lambda: {
            "kind": "month",
            "year": str(timezone.localdate().year),
            "number": "1",
        },
    ),
    "learning:api_completions": lambda w: Post(
        None,
        "/api/v1/completions/",
        json={
            "completions": [
                {
                    "external_id": "r1",
                    "full_name": "Nguyễn Văn Bình",
                    "unit_code": "10972",
                    "course_key": "course-v1:MOET+KNS-ND+2026-1",
                    "completed_on": (
                        timezone.localdate() - timedelta(days=1)
                    ).isoformat(),
                }
            ]
        },
        headers={"HTTP_AUTHORIZATION": f"Bearer {w['api_token']}"},
    ),
}

# The form fields of each case that carry an object's id (field -> model label).
# tests/test_foreign_ids.py posts other units' ids into each; any int a case posts
# must be listed here or in COUNTS.
ID_FIELDS: dict[str, dict[str, str]] = {
    "badges:award": {"badge": "badges.BadgeClass", "recipient": "units.Person"},
    "units:move": {"new_parent": "units.Unit"},
    "competitions:submission_new": {
        "competition": "competitions.Competition",
        "unit": "units.Unit",
        "activity_type": "competitions.ActivityType",
        "person": "units.Person",
    },
    "competitions:submission_edit": {
        "competition": "competitions.Competition",
        "unit": "units.Unit",
        "activity_type": "competitions.ActivityType",
        "person": "units.Person",
    },
    "competitions:rule_new": {"activity_type": "competitions.ActivityType"},
    "competitions:review_approve": {"submission": "competitions.Submission"},
    "learning:completion_new": {"training": "learning.Training"},
    "learning:session_new": {
        "training": "learning.Training",
        "unit": "units.Unit",
        "trainer": "units.Person",
    },
    "learning:session": {"people": "units.Person"},
    "learning:import_new": {"unit": "units.Unit"},
    "learning:integrations": {"unit": "units.Unit"},
    "learning:household": {"person": "units.Person"},
    "learning:vneid": {"unit": "units.Unit", "helper": "units.Person"},
    "commendations:nomination_new": {
        "unit": "units.Unit",
        "award_type": "commendations.AwardType",
        "recipient": "units.Person",
    },
    "commendations:session_attendance": {"present": "commendations.CouncilMember"},
    "commendations:session_agenda": {"nominations": "commendations.Nomination"},
    "commendations:decision_new": {"nominations": "commendations.Nomination"},
    "campaigns:new": {"organiser": "units.Unit"},
    "campaigns:enrol": {"unit": "units.Unit", "area": "units.Unit"},
    "campaigns:join": {"unit": "units.Unit"},
    "campaigns:checkin": {"unit": "units.Unit", "goal": "campaigns.Goal"},
}
# Fields that carry an id inside a text ("p-12": a person) -> how to write one.
ID_FORMATS = {
    ("badges:award", "recipient"): "p-{}",
    ("commendations:nomination_new", "recipient"): "p-{}",
}
# Forms that change nothing (a check), so they take no single-use token.
READ_ONLY = {"badges:verify"}
# Ints the forms take that are counts, not ids.
COUNTS = {"anonymous", "citizens", "checkin_hours"}
