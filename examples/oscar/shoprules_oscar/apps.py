from django.apps import AppConfig


class ShoprulesOscarConfig(AppConfig):
    name = "shoprules_oscar"
    verbose_name = "shoprules"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to Oscar's order_placed)
