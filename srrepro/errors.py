"""The one base class of every expected failure: the CLI prints its message as one line and exits 2."""


class SrreproError(Exception):
    """Something the user can fix: the message says what is wrong and what to do."""
