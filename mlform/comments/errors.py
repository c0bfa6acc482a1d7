"""Errors of posting a comment: each says what the code host answered and what to do."""

from __future__ import annotations

from mlform.errors import MlformError


class CommentError(MlformError):
    """The comment could not be posted or updated; nothing else was changed."""
