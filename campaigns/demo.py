"""Demo campaigns (`seed_demo`, after commendations): the Youth Union's running
"Thanh niên chung tay phổ cập kỹ năng số" with five branches (two joined with the
code) and verified check-ins, and "Chợ số – Nông thôn số", closed with its
snapshot, its completion badges and its top branches proposed. Three volunteers
of the branches sign in to check in: `doanvien`, `doanvien2`, `doanvien3`."""

import io
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from units.audit import COMMAND
from units.demo import DEMO_PASSWORD
from units.models import Person, TargetGroup, Unit
from units.services import add_member

from . import services
from .models import Campaign, Metric

VOLUNTEERS = [
    # username, name, branch
    ("doanvien", "Lê Văn Tình", "Chi đoàn thôn Hồ Liễn"),
    ("doanvien2", "Vũ Thị Hoa", "Chi đoàn thôn Quán Gỏi"),
    ("doanvien3", "Trần Minh Khôi", "Chi đoàn thôn Vĩnh Lại"),
]


def demo_photo(seed: int) -> SimpleUploadedFile:
    """A picture of its own (a class's blackboard and benches, abstractly): no two
    seeds look alike to the duplicate-photo check."""
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle([60, 40, 740, 260], fill=(30, 70, 50))
    for _block in range(36):
        x, y = rng.randrange(760), rng.randrange(280, 560)
        draw.rectangle(
            [x, y, x + rng.randrange(20, 160), y + rng.randrange(20, 120)],
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(f"anh-{seed}.jpg", out.getvalue(), "image/jpeg")


def _volunteer(username, name, branch):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            email=f"{username}@demo.thiduaso.vn",
            password=make_password(DEMO_PASSWORD),
        )
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
        person = Person.objects.create(
            user=user, display_name=name, target_group=TargetGroup.CITIZEN
        )
        # Everyone lives somewhere: the village the branch serves is their primary
        # unit (the boards count them there), the branch a second membership.
        home = _village(branch)
        if home is not None:
            add_member(person=person, unit=home, primary=True)
        add_member(person=person, unit=branch, primary=home is None)
    return user


def _village(branch: Unit) -> Unit | None:
    name = branch.name.replace("Chi đoàn ", "", 1)
    return Unit.objects.filter(kind=Unit.Kind.VILLAGE, name__iexact=name).first()


def seed(context: dict) -> bool:
    User = get_user_model()
    organiser = User.objects.filter(username="doanthanhnien").first()
    if Campaign.objects.exists() or organiser is None:
        return False
    union = Unit.objects.get(kind=Unit.Kind.YOUTH_UNION, name="Thành đoàn Hải Phòng")
    branches = {
        u.name: u
        for u in Unit.objects.filter(
            kind=Unit.Kind.YOUTH_BRANCH, path__startswith=union.path
        )
    }
    volunteers = [
        (_volunteer(username, name, branches[branch]), branches[branch])
        for username, name, branch in VOLUNTEERS
    ]
    now = timezone.now()
    today = timezone.localdate()
    seeds = iter(range(1000, 2000))

    def verified(campaign, metric, user, unit, day, quantity):
        goal = campaign.goals.get(metric=metric)
        submission = services.check_in(
            campaign=campaign,
            goal=goal,
            unit=unit,
            user=user,
            occurred_on=day,
            quantity=quantity,
            description="",
            photos=[demo_photo(next(seeds))],
            at=now,
            origin=COMMAND,
        )
        return services.verify_check_in(
            campaign=campaign,
            submission_id=submission.pk,
            approve=True,
            by=organiser,
            at=now,
            origin=COMMAND,
        )

    # Closed: "Chợ số – Nông thôn số", over last quarter.
    market = services.create_campaign(
        organiser=union,
        template="cho-so-4t",
        by=organiser,
        at=now,
        origin=COMMAND,
        starts_on=today - timedelta(days=75),
        targets={Metric.MERCHANTS_TRAINED: 12, Metric.CLASSES_HELD: 2},
    ).campaign
    for _user, unit in volunteers:
        services.enrol(
            campaign=market,
            unit=unit,
            area=_village(unit),
            by=organiser,
            at=now,
            origin=COMMAND,
        )
    for index, (user, unit) in enumerate(volunteers):
        for week in range(3 - index):
            verified(
                market,
                Metric.MERCHANTS_TRAINED,
                user,
                unit,
                market.starts_on + timedelta(days=7 * week + 2),
                5 + 2 * week,
            )
        verified(
            market,
            Metric.CLASSES_HELD,
            user,
            unit,
            market.starts_on + timedelta(days=30),
            15 + 5 * index,
        )
    # The first branch holds a second class: it meets both targets.
    verified(
        market,
        Metric.CLASSES_HELD,
        volunteers[0][0],
        volunteers[0][1],
        market.starts_on + timedelta(days=40),
        18,
    )
    services.close_campaign(
        campaign=market, by=organiser, at=now - timedelta(days=14), origin=COMMAND
    )

    # Running: "Thanh niên chung tay phổ cập kỹ năng số", begun three weeks ago.
    created = services.create_campaign(
        organiser=union,
        template="thanh-nien-chung-tay",
        by=organiser,
        at=now,
        origin=COMMAND,
        starts_on=today - timedelta(days=21),
    )
    running = created.campaign
    first_user, first = volunteers[0]
    services.enrol(
        campaign=running,
        unit=first,
        area=_village(first),
        by=organiser,
        at=now,
        origin=COMMAND,
    )
    for user, unit in volunteers[1:]:
        # Joined with the code the organiser shared.
        services.join_with_code(
            code=created.join_code, unit=unit, user=user, at=now, origin=COMMAND
        )
    for name in ("Chi đoàn thôn Lại", "Chi đoàn Trường THPT Kẻ Sặt"):
        if name in branches:
            services.enrol(
                campaign=running,
                unit=branches[name],
                area=_village(branches[name]),
                by=organiser,
                at=now,
                origin=COMMAND,
            )
    for index, (user, unit) in enumerate(volunteers):
        for day in range(0, 15 - 4 * index, 5):
            verified(
                running,
                Metric.CLASSES_HELD,
                user,
                unit,
                running.starts_on + timedelta(days=day + index),
                10 + 3 * day,
            )
    context["campaigns"] = {"running": running, "closed": market}
    return True
