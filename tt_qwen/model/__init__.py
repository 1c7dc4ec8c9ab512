"""The TTNN Qwen3, one file per block. Every file here does `import ttnn`: which package that
is (the host backend, the mock device or the real n150) is chosen by `tt_qwen.backends`."""
