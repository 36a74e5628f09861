"""The one base class of every expected failure: the CLI prints its message as one line and exits 2."""


class SrreproError(Exception):
    """Something the user can fix: the message says what is wrong and what to do."""


class WriteError(SrreproError, OSError):
    """A file could not be written (full disk, read-only or forbidden folder): the message names it. Still an
    OSError, for callers that treat any failed write alike."""

    def __str__(self) -> str:  # the message alone (OSError would print "[Errno N] strerror: filename")
        return str(self.args[0]) if self.args else super().__str__()
