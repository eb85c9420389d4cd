"""Shared fixtures: a private kernel cache per test session, and a clean default network."""

import os

import pytest


def pytest_configure(config):
    # one kernel cache per session, so tests never read kernels of another version
    if "DASKSNN_CACHE_DIR" not in os.environ:
        import tempfile

        os.environ["DASKSNN_CACHE_DIR"] = tempfile.mkdtemp(prefix="dasksnn-test-cache-")


@pytest.fixture(autouse=True)
def clean_default_network():
    """Every test starts with an empty default network with ANNarchy's dt of 1 ms."""
    import dasksnn as ann

    ann.clear()
    ann.setup(dt=1.0)
    yield
    ann.clear()
