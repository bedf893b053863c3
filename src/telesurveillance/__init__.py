"""Open-source platform for French medical telemonitoring (télésurveillance médicale, LATM)."""

__version__ = "0.1.0"
