from django.contrib import admin

from .models import Report, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("unit", "year", "target_group", "percent", "source")
    list_filter = ("year", "target_group")
    raw_id_fields = ("unit", "set_by")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("unit", "kind", "start", "end", "status", "closed", "requested_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("unit", "requested_by")
    exclude = ("data",)
