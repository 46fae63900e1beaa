"""``python -m channelmix.cli``: the same command as ``channelmix``."""

from . import main

if __name__ == "__main__":
    main(prog_name="channelmix")
