import pytest

from tt_qwen import zoo

# The layer tier runs on these whatever --model says: two tiny shapes and one layer of the real
# Qwen3-0.6B dimensions.
LAYER_MODELS = ["tiny-gqa2", "tiny-hd128-mqa", "qwen3-0.6b-1layer"]
_HARNESSES = {}


@pytest.fixture(scope="session", params=LAYER_MODELS)
def layer_model(request):
    spec = zoo.resolve(request.param)[0]
    return zoo.load_hf_model(spec)


@pytest.fixture
def harness(layer_model, backend, needs_numbers):
    from tests.layers.harness import BlockHarness  # imports the model, hence `ttnn`: after configure

    key = id(layer_model)
    if key not in _HARNESSES:
        _HARNESSES[key] = BlockHarness(layer_model, backend.device)
    return _HARNESSES[key]
