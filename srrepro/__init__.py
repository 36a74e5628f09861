"""srrepro: a reproducibility study of five single-image super-resolution papers."""
__version__ = "0.1.0"
