from django.contrib import admin

from .models import PointsAccount, PointsEntry, RuleVoucher, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("kind", "order", "user", "reason", "rule", "done", "created")
    list_filter = ("done", "kind")
    list_editable = ("done",)
    search_fields = ("kind", "reason", "order__number")
    readonly_fields = ("kind", "user", "order", "params", "reason", "rule", "event_id", "created")


class PointsEntryInline(admin.TabularInline):
    model = PointsEntry
    extra = 0
    readonly_fields = ("delta", "reason", "rule", "order", "created")


@admin.register(PointsAccount)
class PointsAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "points", "tier", "vip", "updated")
    inlines = (PointsEntryInline,)


@admin.register(RuleVoucher)
class RuleVoucherAdmin(admin.ModelAdmin):
    list_display = ("voucher", "user", "order", "rule", "created")
    readonly_fields = ("voucher", "user", "order", "reason", "rule", "created")
