"""Maintenance scripts (training, fixtures), run as modules from the project root:
``python -m scripts.train_refparse``."""
