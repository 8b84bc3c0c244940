"""warmline: a terminal rota for peer-run warmlines.

The core (this package) knows nothing of the UI: it imports no Textual.
"""

__version__ = "0.1.0"

# The outbox listens to what the rota reports (warmline.events) from the first import of any part
# of warmline on, whichever face made it: a notification silently not queued is the worst failure.
from .notify import reactions as _notify_reactions  # noqa: E402,F401  (subscribes; imports only warmline.events)
