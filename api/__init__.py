"""The HTTP edge: routes, headers and the translation of core errors into JSON errors."""
