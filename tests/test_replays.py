"""Every POST, replayed, changes nothing; every view that takes a POST is covered.

A double tap on a slow connection, the browser's "resend the form" and a script
replaying a captured request all send the same POST again. The first one acts;
the copies must add no row to any table and no file, and never answer 5xx.
"""

import itertools
import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from tests.world import (  # noqa: F401 (fixtures)
    POSTS,
    READ_ONLY,
    our_patterns,
    row_counts,
    send,
    world,
    world_of_the_module,
)
from units.models import SentForm

pytestmark = [pytest.mark.django_db, pytest.mark.raw_forms]


SAMPLES = ["1", "x", str(uuid.uuid4()), "A" * 43, "1-1-village-week-points"]


def _sample_url(name: str, pattern) -> str:
    """An address of the pattern, with sample values that its converters and
    expressions accept (the view is never reached for a method it does not take)."""
    groups = list(pattern.pattern.regex.groupindex)
    for values in itertools.product(SAMPLES, repeat=len(groups)):
        try:
            return reverse(name, kwargs=dict(zip(groups, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample address for {name}")


def test_every_view_of_ours_that_takes_a_post_has_a_replay_case(client, administrator):
    client.force_login(administrator)
    uncovered = []

    for name, pattern, _view in our_patterns():
        if name in POSTS:
            continue
        response = client.post(
            _sample_url(name, pattern), {"form_token": str(uuid.uuid4())}
        )
        if response.status_code != 405:
            uncovered.append((name, response.status_code))

    assert uncovered == [], "add these views to tests/world.py POSTS"


def test_the_cases_name_views_that_exist():
    names = {name for name, _pattern, _view in our_patterns()}

    assert set(POSTS) - names == set()


@pytest.mark.parametrize("name", sorted(POSTS))
def test_a_replayed_post_adds_nothing_anywhere(name, world, client):
    post = POSTS[name](world)
    post.sign_in(client)
    token = str(uuid.uuid4())
    first = send(client, post, token=token)
    assert first.status_code < 400, first.content.decode()[:2000]
    before = row_counts()

    replays = [send(client, post, token=token) for _ in range(3)]

    assert row_counts() == before
    assert [r.status_code for r in replays if r.status_code >= 500] == []


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name in POSTS
        if name != "learning:api_completions" and name not in READ_ONLY
    ),
)
def test_a_form_without_its_token_is_refused_and_changes_nothing(name, world, client):
    post = POSTS[name](world)
    post.sign_in(client)
    before = row_counts()

    response = send(client, post)

    assert response.status_code == 400
    assert "Tải lại trang" in response.content.decode()
    assert row_counts() == before


class TestSentForms:
    def test_a_replay_lands_where_the_first_post_went_and_says_so(self, world, client):
        post = POSTS["learning:households"](world)
        post.sign_in(client)
        token = str(uuid.uuid4())
        first = send(client, post, token=token)

        again = send(client, post, token=token)

        assert again.status_code == 302 and again.url == first.url
        page = client.get(again.url).content.decode()
        assert "đã được gửi trước đó" in page

    def test_another_accounts_token_is_refused(self, world, client):
        post = POSTS["learning:households"](world)
        token = str(uuid.uuid4())
        client.force_login(world["officer"])
        send(client, post, token=token)
        before = row_counts()
        client.force_login(world["administrator"])

        response = send(client, post, token=token)

        assert response.status_code == 400
        assert row_counts() == before

    def test_a_refused_form_gives_its_token_back_for_the_corrected_one(
        self, world, client
    ):
        post = POSTS["learning:households"](world)
        post.sign_in(client)
        token = str(uuid.uuid4())

        refused = send(client, post, token=token, name="")
        corrected = send(client, post, token=token)

        assert refused.status_code == 400
        assert corrected.status_code == 302
        assert SentForm.objects.get(token=token).state == SentForm.State.DONE

    def test_a_form_still_being_processed_is_a_409(self, world, client):
        post = POSTS["learning:households"](world)
        post.sign_in(client)
        token = uuid.uuid4()
        SentForm.objects.create(
            token=token,
            user=post.user,
            path=post.path,
            state=SentForm.State.PENDING,
            sent_at="2026-12-01T00:00:00Z",
        )

        response = send(client, post, token=str(token))

        assert response.status_code == 409
        assert "đang được xử lý" in response.content.decode()


class TestSubmissionFormToken:
    """The submission's own token finds only the sender's editable draft."""

    def test_another_units_draft_token_adds_nothing_to_it(self, world, client):
        from competitions.models import Submission

        foreign = world["draft"]
        evidence_before = foreign.evidence.count()
        client.force_login(world["outsider"])
        data = {
            "competition": world["competition"].pk,
            "unit": world["tree"]["cay"].pk,
            "activity_type": world["community_class"].pk,
            "occurred_on": "2026-11-30",
            "quantity": "3",
            "description": "Lớp học",
            "action": "submit",
            "form_token": str(foreign.form_token),
        }

        response = client.post(reverse("competitions:submission_new"), data)

        foreign.refresh_from_db()
        assert response.status_code == 400
        assert foreign.evidence.count() == evidence_before
        assert foreign.status == Submission.Status.DRAFT
        assert foreign.unit == world["tree"]["ho_lien"]

    def test_an_approved_submissions_token_adds_no_file(self, world, client):
        from tests.world import _photo, _submission_fields

        approved = world["approved"]
        files_before = approved.evidence.count()
        client.force_login(world["officer"])

        response = client.post(
            reverse("competitions:submission_new"),
            _submission_fields(
                world, evidence=_photo(7), form_token=str(approved.form_token)
            ),
        )

        assert response.status_code == 400
        assert approved.evidence.count() == files_before
