"""Every audit action is said in words (units.audit), never shown as its code."""

import re
from pathlib import Path

import pytest

from competitions.models import Submission
from units.audit import action_choices, action_sentence, described_actions
from units.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
APPS = ("units", "competitions", "learning", "leaderboards", "badges")
# action="unit.moved" and action="unit.activated" if ... else "unit.deactivated"
LITERAL = re.compile(r'action=("[a-z_]+\.[a-z_]+"(?:\s+if\s+\w+\s+else\s+"[a-z_.]+")?)')


def actions_in_the_code() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in LITERAL.finditer(path.read_text()):
                found.update(re.findall(r'"([a-z_]+\.[a-z_]+)"', match.group(1)))
    # Submissions record their transitions as f"submission.{to}" and appeals as
    # f"appeal.{to}" (competitions/services.py).
    found.update(f"submission.{status}" for status in Submission.Status.values)
    found.discard("submission.draft")  # a draft is created, never moved back to
    found.update({"appeal.approved", "appeal.rejected"})
    return found


def test_the_scan_finds_the_actions_it_should():
    found = actions_in_the_code()

    assert {"unit.moved", "unit.deactivated", "badge.award", "vneid.record"} <= found


def test_every_action_the_code_records_is_described():
    assert actions_in_the_code() - described_actions() == set()


@pytest.mark.parametrize(
    ("action", "to_state", "sentence"),
    [
        ("submission.approved", "approved", "Duyệt thành tích và cộng điểm"),
        ("completion.review", "confirmed", "Xác nhận hoàn thành khóa học"),
        ("completion.review", "rejected", "Không xác nhận hoàn thành khóa học"),
        (
            "completion.record",
            "pending",
            "Báo cáo đã hoàn thành khóa học, chờ thẩm định",
        ),
        ("completion.record", "confirmed", "Ghi nhận hoàn thành khóa học"),
    ],
)
def test_a_sentence_depends_on_the_outcome_where_it_must(action, to_state, sentence):
    event = AuditEvent(action=action, to_state=to_state)

    assert action_sentence(event) == sentence


def test_an_action_nobody_described_shows_its_code_for_the_page_test_to_find():
    assert action_sentence(AuditEvent(action="thing.done")) == "thing.done"


def test_the_filter_offers_each_action_once_in_words():
    codes = [code for code, _text in action_choices()]

    assert "completion.review" in codes and len(codes) == len(set(codes))
    assert not any(":" in code for code in codes)
