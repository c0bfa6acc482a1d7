"""Views: everything mlform prints, and nothing else. The core returns values; views render.

Colour only on a terminal (through rich, imported when needed); plain text otherwise, so CI
logs and scripts read the same words.
"""
