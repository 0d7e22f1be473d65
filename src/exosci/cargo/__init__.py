"""cargo."""
