"""The web page: the values its template shows (status, the builder, today's papers).

    page.py  gathers what the page shows; its HTML is core/text/templates/page/

Called by api/page.
"""
