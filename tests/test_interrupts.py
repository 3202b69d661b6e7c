"""Ctrl-C during a build is taken at a checkpoint, never inside whatever the build is doing."""

import os
import signal

import polars as pl
import pytest

from pipeline import interrupts


def test_ctrl_c_in_a_deferred_block_raises_at_the_next_checkpoint_only():
    reached = []
    with pytest.raises(KeyboardInterrupt), interrupts.deferred():
        os.kill(os.getpid(), signal.SIGINT)
        # A polars call that calls back into Python: interrupted here, polars would panic.
        pl.Series(["a", "b"]).map_elements(str.upper, return_dtype=pl.String)
        reached.append("after the signal")
        interrupts.checkpoint()
        reached.append("after the checkpoint")
    assert reached == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_checkpoint_without_ctrl_c_goes_on():
    with interrupts.deferred():
        interrupts.checkpoint()
    interrupts.checkpoint()


def test_ctrl_c_not_taken_before_the_block_ends_is_forgotten():
    # Once a build writes its version it finishes; a later build starts uninterrupted.
    with interrupts.deferred():
        os.kill(os.getpid(), signal.SIGINT)
    with interrupts.deferred():
        interrupts.checkpoint()
