"""Campaign fixtures: the province's Youth Union with three branches under it (one
under a commune's union), its organiser, members of two branches, and a running
campaign from the "Thanh niên chung tay" template with both branches enrolled."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from campaigns import selectors, services
from tests.commendations.conftest import award_types  # noqa: F401 (autouse)
from tests.competitions.conftest import (  # noqa: F401
    TEST_ORIGIN,
    _isolated_media,
    media_root,
    today,
)
from tests.conftest import make_user
from units.models import Role, Unit
from units.services import add_member, create_unit


@pytest.fixture(autouse=True)
def fresh_campaign_cache(settings):
    settings.BADGES_EVALUATE = True
    from django.core.cache import cache

    cache.clear()
    selectors.forget()
    yield
    selectors.forget()


@pytest.fixture
def union(tree):
    """Thành đoàn (under the province), Kê Sặt's union, and their branches."""
    youth = create_unit(
        parent=tree["province"], kind=Unit.Kind.YOUTH_UNION, name="Thành đoàn Thử"
    )
    ke_sat_union = create_unit(
        parent=youth, kind=Unit.Kind.YOUTH_UNION, name="Đoàn xã Kê Sặt"
    )
    return {
        "youth": youth,
        "ke_sat_union": ke_sat_union,
        "ho_lien": create_unit(
            parent=ke_sat_union, kind=Unit.Kind.YOUTH_BRANCH, name="Chi đoàn Hồ Liễn"
        ),
        "quan_goi": create_unit(
            parent=ke_sat_union, kind=Unit.Kind.YOUTH_BRANCH, name="Chi đoàn Quán Gỏi"
        ),
        "school": create_unit(
            parent=youth, kind=Unit.Kind.YOUTH_BRANCH, name="Chi đoàn Trường THPT"
        ),
    }


@pytest.fixture
def organiser(union):
    return make_user(
        "doan",
        unit=union["youth"],
        role=Role.Kind.CAMPAIGN_ORGANISER,
        person_name="Bí thư Đoàn",
    )


@pytest.fixture
def member(union):
    """A volunteer of Chi đoàn Hồ Liễn."""
    return make_user("doanvien", unit=union["ho_lien"], person_name="Lê Văn Tình")


@pytest.fixture
def second_member(union):
    return make_user("doanvien2", unit=union["quan_goi"], person_name="Vũ Thị Hoa")


@pytest.fixture
def created(organiser, union, today):  # noqa: F811
    return services.create_campaign(
        organiser=union["youth"],
        template="thanh-nien-chung-tay",
        by=organiser,
        at=timezone.now(),
        origin=TEST_ORIGIN,
        starts_on=today - timezone.timedelta(days=10),
    )


@pytest.fixture
def campaign(created, organiser, union, tree):
    for branch, area in (("ho_lien", "ho_lien"), ("quan_goi", "quan_goi")):
        services.enrol(
            campaign=created.campaign,
            unit=union[branch],
            area=tree[area],
            by=organiser,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
    return created.campaign


def scene(seed: int) -> bytes:
    """A photo of its own: random blocks, so that no two seeds (nor the striped
    photos of the other tests) are near duplicates by their perceptual hash."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for _block in range(40):
        x, y = rng.randrange(600), rng.randrange(440)
        draw.rectangle(
            [x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)],
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def photo(seed: int, name: str = "lop.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, scene(seed), content_type="image/jpeg")


def class_goal(campaign):
    return campaign.goals.get(metric="classes_held")


def check_in(campaign, user, unit, *, pattern=3, quantity=12, day=None):
    return services.check_in(
        campaign=campaign,
        goal=class_goal(campaign),
        unit=unit,
        user=user,
        occurred_on=day or timezone.localdate(),
        quantity=quantity,
        description="Lớp cài VNeID ở nhà văn hóa",
        photos=[photo(pattern)],
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )


def verified_check_in(campaign, user, unit, organiser, *, quantity=12):
    """A member's check-in, confirmed by the organiser; returns the submission."""
    submission = check_in(campaign, user, unit, quantity=quantity)
    services.verify_check_in(
        campaign=campaign,
        submission_id=submission.pk,
        approve=True,
        by=organiser,
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )
    return submission


def add_member_to(unit, user):
    add_member(person=user.person, unit=unit, primary=False)
