"""symconv: prove, refute and derive convolution identities."""

__version__ = "0.1.0"
