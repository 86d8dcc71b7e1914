"""The refresh a cron or `cli refresh` runs; never on the read path.

    pipeline.py   pull each category from arXiv, score, publish new day segments, then the manifest
    embedding.py  give each stored paper version a vector, per day
    jobs.py       the whole job: refresh under the lock, embed, summarise, report

Called by api/ops (the cron endpoint) and cli/.
"""
