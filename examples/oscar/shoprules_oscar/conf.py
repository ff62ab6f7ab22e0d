"""The app's settings, with their defaults."""

from typing import Any

from django.conf import settings

# Shipping speed (shoprules) -> (Oscar shipping method code, name). The order's speed is the one
# whose code is the order's shipping_code (else standard); shipping.upgrade sets the target's.
DEFAULT_SHIPPING_METHODS = {
    "standard": ("free-shipping", "Free shipping"),
    "expedited": ("expedited", "Expedited shipping"),
    "overnight": ("overnight", "Overnight shipping"),
}


def config() -> Any:
    """SHOPRULES_CONFIG: a config file path, a config store URL (postgresql://...), a dict:
    whatever shoprules.Host takes, passed as is; None for the bundled plugins' defaults."""
    return getattr(settings, "SHOPRULES_CONFIG", None)


def shipping_methods() -> dict[str, tuple[str, str]]:
    return getattr(settings, "SHOPRULES_SHIPPING_METHODS", DEFAULT_SHIPPING_METHODS)


def delivered_event_code() -> str:
    """The code of the Oscar ShippingEventType that marks an order delivered."""
    return getattr(settings, "SHOPRULES_DELIVERED_EVENT", "delivered")
