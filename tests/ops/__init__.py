"""Op tier: every TTNN op the Qwen3-0.6B model issues, against torch references (see cases.py)."""
