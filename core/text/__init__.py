"""Untrusted text made safe, and the templates it is written into.

    safe_html.py      escaping, XML-safe text, Markdown to sanitised HTML (nh3)
    safe_markdown.py  paper text and model output made safe inside Markdown (the digest)
    templating.py     the Jinja2 environment over templates/ (autoescaped HTML, the digest's Markdown)

Called by feeds/, web/, profiles/ and api/ whenever paper text or model output becomes markup.
"""
