"""Personal feeds: a saved profile that learns from "more / less like this".

    model.py    the saved profile, its tokens (unguessable) and its store records
    votes.py    signed vote links, and a vote applied under the profile's lock
    feed.py     a profile's feed: its ranking and each item's vote links
    setup.py    creating and editing a profile from an interest, liked ids or a library
    library.py  a library file (BibTeX, RIS, CSL JSON, a list of ids) into entries

Called by api/ (profile routes) and cli/ (`profile …`).
"""
