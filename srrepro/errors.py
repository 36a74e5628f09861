"""The one base class of every expected failure: the CLI prints its message as one line and exits 2."""


class SrreproError(Exception):
    """Something the user can fix: the message says what is wrong and what to do."""


class WriteError(SrreproError, OSError):
    """A file could not be written (full disk, read-only or forbidden folder): the message names it. Still an
    OSError, for callers that treat any failed write alike."""

    def __str__(self) -> str:  # the message alone (OSError would print "[Errno N] strerror: filename")
        return str(self.args[0]) if self.args else super().__str__()


class TrainingDivergedError(SrreproError, FloatingPointError):
    """A training loss that is not finite (srrepro.train raises it; a job whose rows carry their learning curve
    turns it into a row)."""

    def __init__(self, message: str, step: int | None = None):
        super().__init__(message)
        self.step = step  # the iteration whose loss was not finite


class WeightsError(SrreproError):
    """Released weights that cannot be used (srrepro.weights): one line saying what is wrong and what to do."""
