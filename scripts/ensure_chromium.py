"""Install Debian's Chromium for the browser tests when it is missing and we may (root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    if os.path.exists(CHROMIUM):
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            "Chromium is missing and cannot be installed here (not root or no apt-get); "
            "the browser tests will say so.",
            file=sys.stderr,
        )
        return 0
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"], check=True, env=env
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
