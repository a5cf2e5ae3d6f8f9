"""The Debian-packaged servers the scaled profile and the tests run project-locally: PostgreSQL,
Redis and nginx, each on its own port, never the system's instance."""

from __future__ import annotations

import shutil
from pathlib import Path


def require(binary: str, package: str) -> str:
    found = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if not found:
        raise RuntimeError(f"{binary} is not installed: apt-get install {package}")
    return found
