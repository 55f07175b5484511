"""Errors a user can cause, each carrying a one-line message that says what to do."""


class InputError(Exception):
    """The input file or argument is unusable; nothing was changed. The message is one line."""


class StoreError(Exception):
    """The store cannot be used as asked (wrong schema version, wrong key, locked)."""
