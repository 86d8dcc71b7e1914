"""Which papers a feed shows, in what order. Pure: values in, values out.

    query.py       a feed's query string parsed and checked into a `FeedQuery`
    scoring.py     keyword matching and scores
    prefilter.py   cheap word indexes that rule papers out before scoring
    postings.py    per-keyword hits kept per day, summed for a custom query
    selection.py   select_papers: filter, score, sort, limit over the days held
    meaning.py     ranking by meaning: interest and liked papers against stored vectors
    similarity.py  cosine similarity over int8 vectors

Called by feeds/, profiles/, web/ and api/feeds.
"""
