"""refcli's benchmarks, run as modules from the project root: ``python -m benchmarks.run``
(see README.md here)."""
