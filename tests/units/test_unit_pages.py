"""The unit pages: public facts, members for roles, headcounts and moves for officers."""

import pytest
from django.urls import reverse

from units.models import Unit


def headcount_form(**overrides):
    data = {name: "0" for name in Unit.HEADCOUNT_FIELDS}
    data.update(overrides)
    return data


class TestPublicPages:
    def test_home_explains_the_movement_and_links_the_boards(self, client, tree):
        response = client.get("/")

        assert response.status_code == 200
        assert response["Content-Language"] == "vi"
        assert "Bình dân học vụ số" in response.content.decode()
        assert 'href="/leaderboards/"' in response.content.decode()

    def test_every_link_on_the_home_page_answers(self, client, tree):
        import re

        html = client.get("/").content.decode()
        links = set(re.findall(r'href="(/[^"]*)"', html))

        for link in links:
            assert client.get(link, follow=True).status_code == 200, link

    def test_leaderboards_page_exists(self, client, tree):
        assert client.get("/leaderboards/").status_code == 200

    def test_unit_page_is_public_and_shows_the_breadcrumb(
        self, client, tree, django_assert_max_num_queries
    ):
        # The page and its sections (points, learning): a fixed count, whatever the size.
        with django_assert_max_num_queries(12):
            response = client.get(reverse("units:detail", args=[tree["ho_lien"].pk]))

        html = response.content.decode()
        assert response.status_code == 200
        assert "Thôn Hồ Liễn" in html
        assert "Xã Kê Sặt" in html
        assert "Tỉnh Thử Nghiệm" in html

    def test_unit_page_costs_the_same_queries_with_many_children(
        self, client, tree, django_assert_max_num_queries
    ):
        from units.services import create_unit

        for index in range(30):
            create_unit(
                parent=tree["ke_sat"], kind=Unit.Kind.VILLAGE, name=f"Thôn {index}"
            )

        # The page and its sections (points, learning): a fixed count, whatever the size.
        with django_assert_max_num_queries(12):
            response = client.get(reverse("units:detail", args=[tree["ke_sat"].pk]))

        assert response.status_code == 200

    def test_directory_finds_units_by_name(self, client, tree):
        response = client.get("/units/", {"q": "Quán"})

        assert "Thôn Quán Gỏi" in response.content.decode()
        assert "Thôn Hồ Liễn" not in response.content.decode()

    @pytest.mark.parametrize("path", ["/units/999999/", "/units/0/", "/units/abc/"])
    def test_unknown_units_are_a_vietnamese_404(self, client, tree, path):
        response = client.get(path)

        assert response.status_code == 404
        assert "Không tìm thấy" in response.content.decode()

    def test_inclusion_flags_never_appear_on_a_page(self, client, tree, officer):
        from units.models import Person

        Person.objects.filter(user=officer).update(
            has_disability=True, is_ethnic_minority=True
        )
        client.force_login(officer)

        html = client.get(
            reverse("units:members", args=[tree["ho_lien"].pk])
        ).content.decode()

        assert "khuyết tật" not in html.lower()
        assert "dân tộc thiểu số" not in html.lower()


class TestMembers:
    def test_signed_out_visitors_are_sent_to_sign_in(self, client, tree):
        response = client.get(reverse("units:members", args=[tree["ho_lien"].pk]))

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_officer_sees_the_members_of_the_unit(self, client, tree, officer, citizen):
        client.force_login(officer)

        response = client.get(reverse("units:members", args=[tree["ho_lien"].pk]))

        assert response.status_code == 200
        assert "Nguyễn Văn An" in response.content.decode()

    def test_another_communes_officer_gets_not_found(self, client, tree, outsider):
        client.force_login(outsider)

        response = client.get(reverse("units:members", args=[tree["ho_lien"].pk]))

        assert response.status_code == 404


class TestHeadcounts:
    url_name = "units:headcounts"

    def test_officer_saves_headcounts(self, client, tree, officer):
        client.force_login(officer)

        response = client.post(
            reverse(self.url_name, args=[tree["ho_lien"].pk]),
            headcount_form(adult_residents="412", households="150"),
        )

        assert response.status_code == 302
        village = Unit.objects.get(pk=tree["ho_lien"].pk)
        assert (village.adult_residents, village.households) == (412, 150)

    @pytest.mark.parametrize(
        "value,message",
        [
            ("abc", "Hãy nhập một số nguyên"),
            ("-5", "không thể là số âm"),
            ("1.5", "Hãy nhập một số nguyên"),
            ("", "Hãy nhập một số"),
            ("99999999999", "quá lớn"),
        ],
    )
    def test_malformed_headcounts_are_refused_and_kept_on_the_form(
        self, client, tree, officer, value, message
    ):
        client.force_login(officer)

        response = client.post(
            reverse(self.url_name, args=[tree["ho_lien"].pk]),
            headcount_form(adult_residents=value, households="777"),
        )

        html = response.content.decode()
        assert response.status_code == 400
        assert message in html
        assert 'value="777"' in html  # what was typed is still there
        assert Unit.objects.get(pk=tree["ho_lien"].pk).households == 120

    def test_another_subtrees_unit_is_not_found_and_unchanged(
        self, client, tree, officer
    ):
        client.force_login(officer)

        response = client.post(
            reverse(self.url_name, args=[tree["cay"].pk]),
            headcount_form(households="5"),
        )

        assert response.status_code == 404
        assert Unit.objects.get(pk=tree["cay"].pk).households == 0

    def test_a_citizen_without_a_role_is_not_allowed(self, client, tree, citizen):
        client.force_login(citizen)

        response = client.get(reverse(self.url_name, args=[tree["ho_lien"].pk]))

        assert response.status_code == 404


class TestMoveUnitPage:
    def test_administrator_moves_a_village_to_another_commune(
        self, client, tree, administrator
    ):
        client.force_login(administrator)

        response = client.post(
            reverse("units:move", args=[tree["quan_goi"].pk]),
            {"new_parent": tree["binh_giang"].pk},
        )

        assert response.status_code == 302
        moved = Unit.objects.get(pk=tree["quan_goi"].pk)
        assert moved.parent_path == Unit.objects.get(pk=tree["binh_giang"].pk).path

    def test_a_cycle_is_refused_with_a_message_and_nothing_moves(
        self, client, tree, administrator
    ):
        client.force_login(administrator)
        paths_before = dict(Unit.objects.values_list("pk", "path"))

        response = client.post(
            reverse("units:move", args=[tree["ke_sat"].pk]),
            {"new_parent": tree["ho_lien"].pk},
        )

        assert response.status_code == 400
        assert "đơn vị cấp dưới" in response.content.decode()
        assert dict(Unit.objects.values_list("pk", "path")) == paths_before

    def test_a_parent_outside_the_administrators_area_is_refused(
        self, client, tree, commune_admin
    ):
        client.force_login(commune_admin)

        response = client.post(
            reverse("units:move", args=[tree["quan_goi"].pk]),
            {"new_parent": tree["binh_giang"].pk},
        )

        assert response.status_code == 400
        assert "nằm ngoài phạm vi" in response.content.decode()
        assert (
            Unit.objects.get(pk=tree["quan_goi"].pk).parent_path == tree["ke_sat"].path
        )

    @pytest.mark.parametrize("forged", ["999999", "x", ""])
    def test_forged_parent_ids_are_refused(self, client, tree, administrator, forged):
        client.force_login(administrator)

        response = client.post(
            reverse("units:move", args=[tree["quan_goi"].pk]), {"new_parent": forged}
        )

        assert response.status_code == 400

    def test_an_officer_may_not_move_units(self, client, tree, officer):
        client.force_login(officer)

        response = client.post(
            reverse("units:move", args=[tree["ho_lien"].pk]),
            {"new_parent": tree["cay"].pk},
        )

        assert response.status_code == 404


class TestProfile:
    def test_a_person_chooses_to_appear_anonymously(self, client, tree, citizen):
        client.force_login(citizen)

        response = client.post(
            reverse("units:profile"),
            {"display_name": "An", "appears_anonymously": "on"},
        )

        assert response.status_code == 302
        citizen.person.refresh_from_db()
        assert citizen.person.appears_anonymously
        assert str(citizen.person.public_name) == "Ẩn danh"

    def test_an_empty_name_is_refused_and_nothing_changes(self, client, tree, citizen):
        client.force_login(citizen)

        response = client.post(reverse("units:profile"), {"display_name": ""})

        assert response.status_code == 400
        citizen.person.refresh_from_db()
        assert citizen.person.display_name == "Nguyễn Văn An"

    def test_my_page_lists_my_roles(self, client, tree, officer):
        client.force_login(officer)

        response = client.get(reverse("units:mine"))

        assert "Thôn Hồ Liễn" in response.content.decode()


class TestHeadcountTotals:
    def test_a_commune_shows_the_sum_of_its_villages(self, client, tree):
        response = client.get(reverse("units:detail", args=[tree["ke_sat"].pk]))

        assert response.context["totals"]["adult_residents"] == 550
        assert response.context["totals"]["households"] == 220

    def test_a_deactivated_village_no_longer_counts(self, client, tree):
        Unit.objects.filter(pk=tree["quan_goi"].pk).update(is_active=False)

        response = client.get(reverse("units:detail", args=[tree["ke_sat"].pk]))

        assert response.context["totals"]["households"] == 120


def test_moves_and_headcount_changes_are_audited(client, tree, administrator):
    from units.models import AuditEvent

    client.force_login(administrator)
    client.post(
        reverse("units:move", args=[tree["quan_goi"].pk]),
        {"new_parent": tree["binh_giang"].pk},
    )
    client.post(
        reverse("units:headcounts", args=[tree["cay"].pk]),
        headcount_form(households="40"),
    )

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"unit.moved", "unit.headcounts_changed"} <= actions
