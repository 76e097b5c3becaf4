import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from units.models import Unit
from units.permissions import Action, can, get_unit_for, units_where


class TestCan:
    def test_a_role_covers_the_units_subtree(self, tree, reviewer):
        assert can(reviewer, Action.REVIEW_ACHIEVEMENT, tree["ho_lien"])
        assert can(reviewer, Action.REVIEW_ACHIEVEMENT, tree["ke_sat"])

    def test_a_role_does_not_reach_up_or_sideways(self, tree, reviewer):
        assert not can(reviewer, Action.REVIEW_ACHIEVEMENT, tree["province"])
        assert not can(reviewer, Action.REVIEW_ACHIEVEMENT, tree["cay"])

    def test_a_role_grants_only_its_own_actions(self, tree, officer):
        assert can(officer, Action.EDIT_HEADCOUNTS, tree["ho_lien"])
        assert not can(officer, Action.REVIEW_ACHIEVEMENT, tree["ho_lien"])
        assert not can(officer, Action.MANAGE_STRUCTURE, tree["ho_lien"])

    def test_anonymous_and_roleless_users_can_do_nothing(self, tree, citizen):
        for user in (AnonymousUser(), citizen):
            assert not can(user, Action.VIEW_MEMBERS, tree["ho_lien"])

    def test_a_deactivated_user_loses_every_role(self, tree, officer):
        officer.is_active = False

        assert not can(officer, Action.EDIT_HEADCOUNTS, tree["ho_lien"])

    def test_a_role_on_a_deactivated_unit_grants_nothing(self, tree, officer):
        Unit.objects.filter(pk=tree["ho_lien"].pk).update(is_active=False)
        officer.refresh_from_db()

        assert not can(officer, Action.EDIT_HEADCOUNTS, tree["ho_lien"])

    def test_roles_are_read_once_per_user_object(
        self, tree, reviewer, django_assert_num_queries
    ):
        can(reviewer, Action.REVIEW_ACHIEVEMENT, tree["ho_lien"])

        with django_assert_num_queries(0):
            for unit in tree.values():
                can(reviewer, Action.REVIEW_ACHIEVEMENT, unit)


class TestScope:
    def test_units_where_lists_the_whole_subtree_and_nothing_else(self, tree, reviewer):
        names = set(
            units_where(reviewer, Action.REVIEW_ACHIEVEMENT).values_list(
                "name", flat=True
            )
        )

        assert names == {"Xã Kê Sặt", "Thôn Hồ Liễn", "Thôn Quán Gỏi"}

    def test_a_superuser_sees_everything(self, tree, administrator):
        assert units_where(administrator, Action.MANAGE_STRUCTURE).count() == 6

    @pytest.mark.parametrize("pk", ["999999", "abc", None, "-1"])
    def test_unknown_ids_are_not_found(self, tree, officer, pk):
        with pytest.raises(Http404):
            get_unit_for(officer, Action.EDIT_HEADCOUNTS, pk)

    def test_another_subtrees_unit_answers_like_a_missing_one(self, tree, officer):
        with pytest.raises(Http404):
            get_unit_for(officer, Action.EDIT_HEADCOUNTS, tree["cay"].pk)


def test_every_action_says_which_roles_grant_it():
    from units.permissions import GRANTS

    assert set(GRANTS) == set(Action)
