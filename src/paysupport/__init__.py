"""paysupport: typed models, lifecycles and policies for payment-support work."""

__version__ = "0.1.0"
