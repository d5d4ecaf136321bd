"""Workflows that touch several models. Each is atomic and raises EditorialError when refused."""

from stories.errors import EditorialError

__all__ = ["EditorialError"]
