"""``python -m channelmix``: the same command as ``channelmix``."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="channelmix")
