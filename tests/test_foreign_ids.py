"""An id of someone else's unit or person, posted in any form field, is answered
exactly like an id that does not exist, and changes nothing.

If the answers differed, a form would be an oracle of who exists where. The URL
side (a foreign object's page is a 404 like a missing one) is tested with each
page; this covers the form fields, every one that takes an id (`id_fields` of
each case in tests/world.py).
"""

import re
import uuid

import pytest
from django.db.models import Max

from tests.conftest import make_user
from tests.world import (  # noqa: F401 (fixtures)
    COUNTS,
    ID_FIELDS,
    ID_FORMATS,
    POSTS,
    row_counts,
    send,
    world,
    world_of_the_module,
)
from units.models import Person, Unit
from units.services import create_unit

pytestmark = [pytest.mark.django_db, pytest.mark.raw_forms]

# Competitions, activity types and trainings are public catalogues (listed on
# public pages): there is nothing to leak by naming one.
PRIVATE = {"units.Unit", "units.Person"}

PROBES = sorted(
    (name, field, label)
    for name, fields in ID_FIELDS.items()
    for field, label in fields.items()
    if label in PRIVATE
)


@pytest.fixture
def elsewhere(world):
    """A province none of the world's users has a role in, with a person in it."""
    province = create_unit(
        parent=None, kind=Unit.Kind.PROVINCE, name="Tỉnh Khác", code="98"
    )
    commune = create_unit(
        parent=province, kind=Unit.Kind.COMMUNE, name="Xã Xa", code="20001"
    )
    village = create_unit(parent=commune, kind=Unit.Kind.VILLAGE, name="Thôn Xa")
    stranger = make_user("stranger", unit=village, person_name="Người Lạ")
    return {"units.Unit": village.pk, "units.Person": stranger.person.pk}


def _missing(label: str) -> int:
    model = Unit if label == "units.Unit" else Person
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000


def _said(response) -> list[str]:
    """What the page tells the user went wrong: form errors, alerts and messages."""
    html = response.content.decode()
    blocks = re.findall(
        r'<(\w+)[^>]*(?:class="(?:[^"]*\b)?(?:error|form-errors|messages)\b[^"]*"|'
        r'role="alert")[^>]*>(.*?)</\1>',
        html,
        re.S,
    )
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for _tag, text in blocks]


@pytest.mark.parametrize("name", sorted(POSTS))
def test_every_id_a_form_posts_is_listed_for_probing(name, world):
    """A new field that posts an id fails here until it is in ID_FIELDS."""
    data = POSTS[name](world).data()

    ids = {
        field
        for field, value in data.items()
        if isinstance(value, int)
        or (isinstance(value, list) and value)
        or (name, field) in ID_FORMATS
    }

    assert ids - COUNTS == set(ID_FIELDS.get(name, {}))


@pytest.mark.parametrize("name,field,label", PROBES)
def test_a_foreign_id_is_answered_like_a_missing_one(
    name, field, label, world, elsewhere, client
):
    post = POSTS[name](world)
    post.sign_in(client)
    foreign, missing = elsewhere[label], _missing(label)
    before = row_counts()

    written = ID_FORMATS.get((name, field), "{}")
    to_foreign = send(
        client, post, token=str(uuid.uuid4()), **{field: written.format(foreign)}
    )
    to_missing = send(
        client, post, token=str(uuid.uuid4()), **{field: written.format(missing)}
    )

    assert 400 <= to_foreign.status_code < 500
    assert to_foreign.status_code == to_missing.status_code
    assert _said(to_foreign) == _said(to_missing) != []
    assert row_counts() == before
