"""A small storefront backend on FastAPI and SQLite that asks shoprules what to do for each
customer at checkout, on returns, shipment problems and support contacts, and applies it."""

from .app import create_app

__all__ = ["create_app"]
