"""Import/export codecs: parse files into dataclasses with per-row errors. No database here."""
