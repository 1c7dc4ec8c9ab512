"""Where the probe reads and writes."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_MD = REPO / "docs" / "ttnn-0.81.1-probe.md"
BFP_REF = REPO / "tests" / "ops" / "data" / "bfp_reference.pt"
