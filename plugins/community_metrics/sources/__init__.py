"""One module per platform; ``PLATFORMS`` maps a platform name to its ``Platform``."""
