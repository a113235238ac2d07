"""``python -m insights_lms.keygen``: write a secret key into the instance folder.

Works before the app can start (in production the app refuses to start without a key).
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

from insights_lms.config import SECRET_KEY_FILE, write_secret_key


def main(argv: list[str]) -> int:
    instance = (
        Path(argv[0])
        if argv
        else Path(Flask("insights_lms", instance_relative_config=True).instance_path)
    )
    if (instance / SECRET_KEY_FILE).exists():
        print(f"{instance / SECRET_KEY_FILE} already exists; kept it.")
        return 0
    write_secret_key(instance)
    print(f"Wrote a new secret key to {instance / SECRET_KEY_FILE}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
