"""mlform: declared, versioned and automated machine-learning state.

The core package: the language (`mlform.language`), the dependency graph (`mlform.graph`),
the provider SDK (`mlform.sdk`), validation, formatting, the command line and its views.
It never imports the built-in providers by name nor any ML library: providers are found
through the ``mlform.providers`` entry-point group and import what they need themselves.
"""

__version__ = "0.1.0"
