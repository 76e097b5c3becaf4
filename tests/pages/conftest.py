"""Fixtures of the pages that gather every app: a province with points this week."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from leaderboards import projector, selectors, snapshots
from tests.competitions.conftest import (  # noqa: F401
    _isolated_media,
    a_credit,
    community_class,
    competition,
    credit_one,
    media_root,
    today,
)


@pytest.fixture(autouse=True)
def fresh_caches():
    cache.clear()
    selectors.forget_cached()
    snapshots.forget()
    yield
    cache.clear()
    selectors.forget_cached()
    snapshots.forget()


@pytest.fixture
def scored(sql_store, tree, officer, citizen, outsider, competition, community_class):  # noqa: F811
    """Points this week: Vũ Thị Lan 70 and Nguyễn Văn An 40 (thôn Hồ Liễn), the
    outsider 40 (thôn Cậy)."""
    now = timezone.now()
    for n, (person, unit, points) in enumerate(
        [
            (officer.person, tree["ho_lien"], 70),
            (citizen.person, tree["ho_lien"], 40),
            (outsider.person, tree["cay"], 40),
        ]
    ):
        credit_one(
            a_credit(
                competition,
                community_class,
                unit,
                person=person,
                points=points,
                key=f"pages:{n}",
                occurred_at=now,
            )
        )
    projector.catch_up()
    return competition


@pytest.fixture
def sql_store(settings, db):
    from leaderboards import stores

    settings.REDIS_URL = ""
    stores.reset_store()
    yield stores.get_store()
    stores.reset_store()
