"""Admin of the dashboard settings: the alert thresholds of each region
(registered by roadmap.admin)."""

from django.contrib import admin


class AlertThresholdAdmin(admin.ModelAdmin):
    list_display = ("region", "crowding_out_threshold_pct", "updated_at")
    list_select_related = ("region",)
    ordering = ("region__name",)
    search_fields = ("region__name", "region__code")

    def get_queryset(self, request):
        # Staff see the thresholds of the regions they review; admins all.
        return super().get_queryset(request).visible_to(request.user)
