"""What the rules give that Oscar has no model for: a points account per customer (with its
ledger and the tier and VIP status the loyalty rules manage), the vouchers rules issued and to
whom, and tasks: actions a person has to carry out."""

from django.conf import settings
from django.db import models


class PointsAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shoprules_account"
    )
    points = models.IntegerField(default=0)
    tier = models.CharField(max_length=32, default="member")
    vip = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.points} points, {self.tier}{', VIP' if self.vip else ''}"


class PointsEntry(models.Model):
    """One change of a points account, with the rule's reason."""

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="entries")
    delta = models.IntegerField()
    reason = models.TextField()
    rule = models.CharField(max_length=128)
    order = models.ForeignKey("order.Order", null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "points entries"
        ordering = ("-created", "-id")


class RuleVoucher(models.Model):
    """An Oscar voucher a rule issued (coupon.issue), and the customer it is for."""

    voucher = models.OneToOneField(
        "voucher.Voucher", on_delete=models.CASCADE, related_name="shoprules_issue"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shoprules_vouchers"
    )
    order = models.ForeignKey("order.Order", null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField()
    rule = models.CharField(max_length=128)
    created = models.DateTimeField(auto_now_add=True)


class Task(models.Model):
    """An action the shop does not apply by itself: a person carries it out (Django's admin)."""

    kind = models.CharField(max_length=128, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    order = models.ForeignKey("order.Order", null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(default=dict)
    reason = models.TextField()
    rule = models.CharField(max_length=128)
    event_id = models.CharField(max_length=128)
    done = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("done", "-created", "-id")

    def __str__(self) -> str:
        return f"{self.kind} ({self.rule})"
