"""tt-qwen: bring-up validation suite for Qwen/Qwen3-0.6B on a Tenstorrent n150 with TTNN."""

__all__ = ["build_model"]


def build_model(hf_model, tt_device, max_seq_len, **options):
    """Build the TTNN Qwen3 for `hf_model` on `tt_device` (see `tt_qwen.model.causal_lm`)."""
    # Imported lazily: the model imports `ttnn`, which must be chosen (host, mock or the real
    # device package) before the first import.
    from tt_qwen.model.causal_lm import build_model as _build_model

    return _build_model(hf_model, tt_device, max_seq_len, **options)
