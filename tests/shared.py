"""Where the project's shared material (seed page, OpenCC test cases) lives: ../shared."""

import os
from pathlib import Path

SHARED_DIR = Path(
    os.environ.get("PORTAL_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
)
