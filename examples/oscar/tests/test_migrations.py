"""The app's migrations match its models (the other tests build their tables from the models
directly: pytest-django's --nomigrations, set in pyproject.toml, saves replaying Oscar's)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_match_the_models(settings: Any) -> None:
    settings.MIGRATION_MODULES = {}  # read the app's real migrations
    out = io.StringIO()
    call_command("makemigrations", "shoprules_oscar", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
