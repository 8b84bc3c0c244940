"""warmline: a terminal rota for peer-run warmlines.

The core (this package) knows nothing of the UI: it imports no Textual.
"""

__version__ = "0.1.0"
