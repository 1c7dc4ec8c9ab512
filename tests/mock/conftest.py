"""The mock tier: the real ttnn 0.81.1 on a mock n150 judges the host backend.

Runs in .venv-mock with --backend mock (scripts/test does it). The real package is this
process's `ttnn`; the host backend is imported beside it under its own name, `tt_qwen.host`,
with a host device of its own, so each call can be made on both and compared.
"""

import pytest


def pytest_collection_modifyitems(config, items):
    if config.backend_name != "mock":
        for item in items:
            if "tests/mock/" in str(item.fspath).replace("\\", "/") + "/":
                item.add_marker(pytest.mark.skip(reason=f"the mock tier runs with --backend mock, not {config.backend_name}"))


@pytest.fixture(scope="session")
def host_backend():
    """tt_qwen.host and an open host device, next to the session's real ttnn."""
    import tt_qwen.host as host

    device = host.open_device(device_id=0)
    yield host, device
    host.close_device(device)
