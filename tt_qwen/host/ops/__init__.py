"""The ops of the host backend, one file per op family."""
