"""What a query renders to, as bytes or text. Pure, no I/O.

    render.py    render_feed: pair papers with summaries, write the channel, pick the format
    channel.py   the feed's own title and description, and how old its data is
    items.py     one item's HTML body, its summary, and the fragments kept per paper
    xml.py       RSS 2.0 and Atom 1.0
    jsonfeed.py  JSON Feed 1.1
    opml.py      every per-category feed as OPML
    digest.py    the daily Markdown digest (a README)
    deploy.py    the "Deploy with Vercel" button

Called by api/ (feeds, OPML), web/ (item HTML) and cli/ (digest, one-off feeds).
"""
