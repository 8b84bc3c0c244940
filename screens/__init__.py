"""Textual UI for warmline. Imports warmline; warmline never imports this."""
