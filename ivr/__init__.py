"""Voice IVR for the customer hotline of a bank and insurer."""

__version__ = "0.1.0"
