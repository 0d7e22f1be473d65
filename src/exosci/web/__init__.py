"""Web app and REST API over the exosci library."""

from __future__ import annotations

from exosci.web.app import create_app

__all__ = ["create_app"]
