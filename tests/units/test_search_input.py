"""Whatever is typed into a search box, the page answers in words, never a 500."""

import pytest
from django.urls import reverse
from django.utils import translation

from units.search import MAX_QUERY, read_search


class TestReadSearch:
    @pytest.fixture(autouse=True)
    def vietnamese(self):
        with translation.override("vi"):
            yield

    def test_only_spaces_is_no_search_with_a_hint(self):
        assert read_search("   \t ").text == ""
        assert read_search("   ").note == "Hãy gõ một phần tên để tìm."

    def test_nothing_typed_needs_no_hint(self):
        assert read_search(None).note == "" and read_search("").note == ""

    def test_ten_thousand_characters_are_cut_and_said_so(self):
        search = read_search("a" * 10_000)

        assert len(search.text) == MAX_QUERY
        assert search.note == "Chỉ tìm theo 100 ký tự đầu."

    def test_an_emoji_is_searched_as_typed(self):
        assert read_search(" 😀 ").text == "😀"

    def test_combining_marks_and_controls_are_folded(self):
        assert read_search("Ke\u0302  Sa\u0306\u0323t\x00").text == "Kê Sặt"


@pytest.mark.django_db
class TestUnitDirectory:
    @pytest.mark.parametrize(
        ("query", "shown"),
        [
            ("   ", "Hãy gõ một phần tên để tìm."),
            ("😀", "Không tìm thấy đơn vị."),
            ("x" * 10_000, "Chỉ tìm theo 100 ký tự đầu."),
            ("Kê Sặt", "Xã Kê Sặt"),
        ],
    )
    def test_odd_searches_answer_in_words(self, client, tree, query, shown):
        response = client.get(reverse("units:directory"), {"q": query})

        assert response.status_code == 200
        assert shown in response.content.decode()
