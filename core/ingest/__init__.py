"""Papers in from arXiv.

    client.py  the one arXiv interface: one connection, a pause between requests, a descriptive
               User-Agent, backoff on 429/503, bounded bodies
    parse.py   arXiv's RSS/Atom announcements and API responses into `Paper`s (defusedxml)
    dedupe.py  one paper listed in several categories kept once

Called by refresh/ (and rank/selection for dedupe); nothing here runs on the read path.
"""
