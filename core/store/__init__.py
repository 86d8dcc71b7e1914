"""Key-value stores behind one small interface (see `base.Store`).

`open_store(env)` in `factory` picks the backend; nothing else knows which runs.
"""
