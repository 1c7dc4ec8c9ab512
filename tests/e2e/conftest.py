import pytest


@pytest.fixture(scope="session")
def reference_cache(tmp_path_factory):
    """Reference tokens are recomputed once per session (the eval CLI caches them on disk)."""
    return tmp_path_factory.mktemp("reference")
