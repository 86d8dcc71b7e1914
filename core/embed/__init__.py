"""Text into vectors.

    embedder.py  the embedding models behind one `embed(texts)` interface: the model inside the
                 wordllama wheel (no download) or an OpenAI-compatible remote endpoint
    interest.py  the vector of a free-text interest, kept in the store under a daily budget

Called by refresh/embedding (papers), profiles/setup and api/feeds (interests).
"""
