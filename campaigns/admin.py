from django.contrib import admin

from .models import Campaign, Enrolment, Goal


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organiser", "starts_on", "ends_on", "status"]
    list_filter = ["status", "is_festival"]
    readonly_fields = ["competition", "join_code_digest", "badge_class", "review"]
    inlines = [GoalInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["campaign", "unit", "area", "via", "joined_at"]
