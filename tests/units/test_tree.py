import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from units import selectors
from units.audit import COMMAND
from units.models import Unit
from units.services import UnitCycleError, create_unit, move_unit


class TestSubtree:
    def test_subtree_holds_the_unit_and_everything_below_it(self, tree):
        names = set(
            Unit.objects.subtree_of(tree["ke_sat"]).values_list("name", flat=True)
        )

        assert names == {"Xã Kê Sặt", "Thôn Hồ Liễn", "Thôn Quán Gỏi"}

    def test_subtree_is_one_query_whatever_the_depth(
        self, tree, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            units = list(Unit.objects.subtree_of(tree["province"]))

        assert len(units) == 6

    def test_ancestor_paths_need_no_query(self, tree, django_assert_num_queries):
        village = tree["ho_lien"]

        with django_assert_num_queries(0):
            paths = village.ancestor_paths

        assert paths == [tree["province"].path, tree["ke_sat"].path]

    def test_ancestors_come_root_first(self, tree):
        assert selectors.ancestors_of(tree["ho_lien"]) == [
            tree["province"],
            tree["ke_sat"],
        ]


class TestMoveUnit:
    def test_moves_the_whole_subtree(self, tree):
        move_unit(
            unit=tree["ke_sat"],
            new_parent=tree["binh_giang"],
            by=None,
            at=timezone.now(),
            origin=COMMAND,
        )

        village = Unit.objects.get(pk=tree["ho_lien"].pk)
        assert village.path.startswith(Unit.objects.get(pk=tree["binh_giang"].pk).path)
        assert [u.name for u in selectors.ancestors_of(village)] == [
            "Tỉnh Thử Nghiệm",
            "Xã Bình Giang",
            "Xã Kê Sặt",
        ]

    @pytest.mark.parametrize("target", ["ke_sat", "ho_lien"])
    def test_refuses_to_make_a_unit_its_own_ancestor(self, tree, target):
        paths_before = dict(Unit.objects.values_list("pk", "path"))

        with pytest.raises(UnitCycleError):
            move_unit(
                unit=tree["ke_sat"],
                new_parent=tree[target],
                by=None,
                at=timezone.now(),
                origin=COMMAND,
            )

        assert dict(Unit.objects.values_list("pk", "path")) == paths_before


class TestOfficialCode:
    @pytest.mark.parametrize(
        "kind,code",
        [
            (Unit.Kind.PROVINCE, "123"),
            (Unit.Kind.COMMUNE, "1234"),
            (Unit.Kind.WARD, "12a45"),
        ],
    )
    def test_malformed_codes_are_refused_by_the_database(self, tree, kind, code):
        with pytest.raises(IntegrityError), transaction.atomic():
            create_unit(parent=tree["province"], kind=kind, name="Sai mã", code=code)

    def test_a_code_is_unique_within_its_kind(self, tree):
        with pytest.raises(IntegrityError), transaction.atomic():
            create_unit(
                parent=tree["province"],
                kind=Unit.Kind.COMMUNE,
                name="Trùng",
                code="10972",
            )

    def test_full_clean_reports_letters_in_a_code(self, tree):
        unit = tree["ke_sat"]
        unit.code = "1O972"

        with pytest.raises(ValidationError) as error:
            unit.full_clean()

        assert "code" in error.value.message_dict

    def test_units_without_an_official_code_may_share_the_empty_code(self, tree):
        create_unit(parent=tree["ke_sat"], kind=Unit.Kind.VILLAGE, name="Thôn Mới")

        assert Unit.objects.filter(kind=Unit.Kind.VILLAGE, code="").count() == 4
