"""Child processes that end with their parent: a pool worker never outlives the table that started it.

Kept free of heavy imports: every process of a pool (the workers and the one handing out GPUs) runs it first.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import contextmanager

# Seconds a process whose parent is gone has to finish its unit's iteration and save its checkpoint before it exits.
STOP_GRACE_S = 30
PR_SET_PDEATHSIG = 1  # linux/prctl.h
_busy = False  # a unit is being computed here: its stop saves a checkpoint first


def die_with_parent(parent_pid: int) -> None:
    """Make this process end with ``parent_pid``, however that dies (SIGKILL included).

    A stop is a SIGTERM taken as Ctrl-C: a training unit saves its checkpoint at the end of its iteration, then the
    process exits. On Linux the kernel sends it when the parent dies (PR_SET_PDEATHSIG); elsewhere a thread polling
    the parent does. That thread also ends the process once no unit runs (at most STOP_GRACE_S after the parent's
    death): a worker left idle on a dead pool's queue would wait forever.
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    by_kernel = sys.platform.startswith("linux")
    if by_kernel:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before prctl: no signal will come
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid, by_kernel), daemon=True, name="srrepro-lifeline").start()


def _watch(parent_pid: int, by_kernel: bool) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.2)
    if not by_kernel:
        os.kill(os.getpid(), signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while _busy and time.monotonic() < deadline:
        time.sleep(0.1)
    os._exit(1)


@contextmanager
def busy():
    """Mark a unit of work as running (an orphaned process then gets STOP_GRACE_S to save it)."""
    global _busy
    _busy = True
    try:
        yield
    finally:
        _busy = False
