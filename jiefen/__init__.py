"""jiefen (解纷): the case platform of a county one-stop dispute-resolution centre."""

__version__ = "0.1.0"
