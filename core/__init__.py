"""All the logic of arxiv-rss, below the HTTP edge (`api/`) and the command line (`cli/`).

Grouped by the path data takes, each subpackage importing only from those above it in this list:

    core itself   models, errors, config, calendar, log, memo, context: what every room uses
    text/         HTML and Markdown safety, the Jinja2 templates
    store/        the store backends, the key layout and codec, the refresh lock, vectors,
                  reading and publishing day segments
    ingest/       arXiv: the polite HTTP client, parsing its feeds, merging cross-lists
    rank/         a feed query, keyword scoring and postings, selection, ranking by meaning
    embed/        the embedding models and the interest vectors of free text
    profiles/     personal feeds: the saved profile, votes, its feed, setup and library import
    feeds/        what a query renders to: RSS, Atom, JSON Feed, OPML, the README digest
    web/          the page's values (its HTML lives in text/templates)
    summaries/    LLM summaries, run by a refresh only
    refresh/      the pipeline a cron or `cli refresh` runs: pull, score, embed, summarise

Nothing in core imports `api` or `cli`.
"""
