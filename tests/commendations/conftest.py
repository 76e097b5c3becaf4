"""Commendation fixtures: points on the village boards of Kê Sặt, a badge holder,
a final review of Kê Sặt with its rules, and the province's council."""

from datetime import timedelta

import pytest
from django.utils import timezone

from badges import services as badge_services
from badges.models import BadgeClass
from commendations.models import AwardType, Council, CouncilMember, ProposalRule, Review
from competitions import services as submissions
from leaderboards import projector
from tests.competitions.conftest import (  # noqa: F401
    TEST_ORIGIN,
    community_class,
    competition,
    make_submission,
    media_root,
    today,
)
from tests.conftest import make_user
from units.models import Role


def approve(officer, reviewer, unit, round_, activity, *, quantity=10, person=None):
    submission = make_submission(
        officer=officer,
        unit=unit,
        competition=round_,
        activity_type=activity,
        quantity=quantity,
        person=person,
    )
    submissions.approve_submission(
        submission=submission, reviewer=reviewer, at=timezone.now(), origin=TEST_ORIGIN
    )
    return submission


@pytest.fixture
def scored(tree, officer, reviewer, competition, community_class, media_root):  # noqa: F811
    """Hồ Liễn leads Kê Sặt's villages (2 classes), Quán Gỏi follows (1)."""
    quan_goi_officer = make_user(
        "officer_qg", unit=tree["quan_goi"], role=Role.Kind.OFFICER
    )
    first = approve(officer, reviewer, tree["ho_lien"], competition, community_class)
    approve(
        officer, reviewer, tree["ho_lien"], competition, community_class, quantity=5
    )
    approve(quan_goi_officer, reviewer, tree["quan_goi"], competition, community_class)
    projector.catch_up()
    return {"first": first}


@pytest.fixture(autouse=True)
def award_types(request):
    """The award types and badges the migrations seed (a transactional test's flush
    removes them: seed them again, as the migrations do)."""
    import importlib

    from django.apps import apps

    from tests.badges.conftest import seeded_badges

    transactional = request.node.get_closest_marker("django_db").kwargs.get(
        "transaction", False
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    seeded_badges()
    if not AwardType.objects.exists():
        importlib.import_module("commendations.migrations.0002_award_types").seed(
            apps, None
        )


@pytest.fixture
def bang_khen():
    return AwardType.objects.get(code="bang-khen-bdhvs")


@pytest.fixture
def badge_holder(tree, administrator, citizen):
    """The citizen of Hồ Liễn holds a badge awarded by hand."""
    badge = (
        BadgeClass.objects.published()
        .filter(recipient="person", levels=[])
        .order_by("pk")
        .first()
    )
    return badge_services.award_badge(
        badge_class=badge,
        person=citizen.person,
        reason="Hướng dẫn cả xóm",
        by=administrator,
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )


@pytest.fixture
def review(tree, competition, bang_khen, badge_holder, scored):  # noqa: F811
    review = Review.objects.create(
        competition=competition,
        unit=tree["ke_sat"],
        kind=Review.Kind.FINAL,
        name="Tổng kết phong trào tại xã Kê Sặt",
        held_on=timezone.localdate(),
    )
    ProposalRule.objects.create(
        review=review,
        kind=ProposalRule.Kind.BOARD_TOP,
        award_type=bang_khen,
        entity="village",
        top=1,
    )
    ProposalRule.objects.create(
        review=review,
        kind=ProposalRule.Kind.BADGE_HOLDERS,
        award_type=bang_khen,
        badge_slug=badge_holder.badge_slug,
    )
    return review


@pytest.fixture
def council(tree):
    """The province's council: a chair, a secretary and three members."""
    council = Council.objects.create(
        unit=tree["province"], name="Hội đồng Thi đua – Khen thưởng tỉnh"
    )
    people = {}
    for username, position in [
        ("chair", CouncilMember.Position.CHAIR),
        ("secretary", CouncilMember.Position.SECRETARY),
        ("member1", CouncilMember.Position.MEMBER),
        ("member2", CouncilMember.Position.MEMBER),
        ("member3", CouncilMember.Position.MEMBER),
    ]:
        user = make_user(username, unit=tree["province"], role=Role.Kind.COUNCIL_MEMBER)
        people[username] = CouncilMember.objects.create(
            council=council, user=user, name=username.title(), position=position
        )
    return {"council": council, **people}


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)
