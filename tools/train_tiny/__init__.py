"""Train the tiny Qwen3 checkpoint in ``tt_qwen/checkpoints/tiny-trained`` (CPU, deterministic).

    python -m tools.train_tiny --out tt_qwen/checkpoints/tiny-trained
    python -m tools.train_tiny --out tt_qwen/checkpoints/tiny-trained --verify-only

Training is single-process and deterministic (fixed seeds, ``torch.use_deterministic_algorithms``,
a fixed thread count, data from a seeded pure-Python grammar).  With the same torch build,
thread count and CPU kernel path it re-creates ``model.safetensors`` bit for bit; the run
compares the new weights' SHA-256 with the one recorded by the previous run in the folder.
Timing fields in ``training_metrics.json`` / ``TRAINING.md`` naturally differ between runs.
"""
