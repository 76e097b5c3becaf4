"""The public catalogue of trainings and the frameworks behind it."""

import pytest
from django.urls import reverse

from learning.models import SkillArea, SkillFramework, Training
from units.models import TargetGroup

from .conftest import make_person

pytestmark = pytest.mark.django_db


class TestFrameworks:
    def test_circular_02_has_six_domains_and_24_competences(self, db):
        framework = SkillFramework.objects.get(code="tt-02-2025")

        areas = framework.areas.all()

        assert [area.code for area in areas] == ["1", "2", "3", "4", "5", "6"]
        assert sum(area.skills.count() for area in areas) == 24

    def test_decision_757_covers_the_four_target_groups(self, db):
        framework = SkillFramework.objects.get(code="qd-757-2025")

        assert sorted(framework.target_groups) == sorted(TargetGroup.values)

    def test_page_lists_areas_and_skills_without_sign_in(self, client):
        response = client.get(reverse("learning:frameworks"))

        assert response.status_code == 200
        assert "Ứng dụng trí tuệ nhân tạo" in response.text
        assert (
            "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số" in response.text
        )


class TestTrainingList:
    def test_filters_by_target_group_keeping_trainings_for_everyone(
        self, client, course, second_course
    ):
        servant_only = Training.objects.create(
            title="Kỹ năng số cho công chức",
            kind=Training.Kind.ONLINE_COURSE,
            target_groups=[TargetGroup.PUBLIC_SERVANT],
        )

        response = client.get(reverse("learning:trainings"), {"group": "citizen"})

        assert course.title in response.text
        assert second_course.title in response.text  # open to every group
        assert servant_only.title not in response.text

    def test_filters_by_skill_area(self, client, course, second_course):
        safety = SkillArea.objects.get(framework__code="tt-02-2025", code="4")
        second_course.areas.add(safety)

        response = client.get(reverse("learning:trainings"), {"area": safety.pk})

        assert second_course.title in response.text
        assert course.title not in response.text

    @pytest.mark.parametrize(
        "params", [{"area": "x"}, {"area": "999999"}, {"kind": "<b>"}, {"page": "-3"}]
    )
    def test_a_forged_filter_is_ignored_not_an_error(self, client, course, params):
        response = client.get(reverse("learning:trainings"), params)

        assert response.status_code == 200
        assert course.title in response.text

    def test_costs_the_same_queries_for_many_trainings(
        self, client, django_assert_max_num_queries, course
    ):
        Training.objects.bulk_create(
            Training(title=f"Khóa {n}", kind=Training.Kind.ONLINE_COURSE)
            for n in range(60)
        )

        with django_assert_max_num_queries(8):
            response = client.get(reverse("learning:trainings"))

        assert response.status_code == 200

    def test_shows_each_role_its_tools(self, client, officer, reviewer, citizen):
        client.force_login(officer)
        officer_page = client.get(reverse("learning:trainings")).text
        client.force_login(reviewer)
        reviewer_page = client.get(reverse("learning:trainings")).text

        assert reverse("learning:imports") in officer_page
        assert reverse("learning:completion_review") not in officer_page
        assert reverse("learning:completion_review") in reviewer_page
        assert reverse("learning:imports") not in reviewer_page
        assert reverse("learning:mentoring") in reviewer_page


class TestTrainingDetail:
    def test_links_the_mooc_course_and_counts_completions(
        self, client, tree, course, learning_competition, officer
    ):
        from django.utils import timezone

        from learning import services
        from units.audit import COMMAND

        learner = make_person(tree["ho_lien"], "Hoàng Văn Nam")
        services.record_completion(
            services.NewCompletion(
                person=learner,
                training=course,
                unit=tree["ho_lien"],
                completed_on=timezone.localdate(),
                source="attendance",
            ),
            by=officer,
            at=timezone.now(),
            origin=COMMAND,
        )

        response = client.get(reverse("learning:training", args=[course.pk]))

        assert response.status_code == 200
        assert (
            "binhdanhocvuso.gov.vn/courses/course-v1:MOET+KNS-ND+2026-1"
            in response.text
        )
        assert response.context["training"].completed == 1

    def test_a_closed_or_unknown_training_is_404(self, client, course):
        course.is_active = False
        course.save()

        assert (
            client.get(reverse("learning:training", args=[course.pk])).status_code
            == 404
        )
        assert client.get("/learning/trainings/99999/").status_code == 404
