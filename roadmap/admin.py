from django.contrib import admin

from roadmap import models
from roadmap.dashboard.admin import AlertThresholdAdmin


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    """Consultation only: writes go through roadmap.services, which record them."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Roadmap)
class RoadmapAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "basin", "period_start", "period_end", "updated_at")
    list_select_related = ("basin",)
    search_fields = ("title", "basin__name", "basin__code")


@admin.register(models.Stage)
class StageAdmin(ReadOnlyScopedAdmin):
    list_display = ("roadmap", "number", "status", "version", "updated_at")
    list_select_related = ("roadmap",)
    list_filter = ("status", "number")


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("created_at", "user", "action", "model_label", "object_repr")
    list_select_related = ("user",)
    list_filter = ("action", "model_label")


@admin.register(models.StageComment)
class StageCommentAdmin(ReadOnlyScopedAdmin):
    list_display = ("stage", "author", "author_role", "created_at")
    list_select_related = ("stage", "author")


@admin.register(models.StageTransition)
class StageTransitionAdmin(ReadOnlyScopedAdmin):
    list_display = ("stage", "from_status", "to_status", "user", "created_at")
    list_select_related = ("stage", "user")


for item_model in (
    models.Skill,
    models.Infrastructure,
    models.SocialCondition,
    models.Need,
    models.LocalActor,
    models.Axis,
    models.TrainingAction,
    models.InvestmentProject,
    models.FundingLine,
    models.Partnership,
    models.Indicator,
    models.Measurement,
    models.Risk,
):
    admin.site.register(
        item_model,
        type(
            f"{item_model.__name__}Admin",
            (ReadOnlyScopedAdmin,),
            {"list_display": ("__str__", "version", "updated_at")},
        ),
    )

admin.site.register(models.AlertThreshold, AlertThresholdAdmin)
