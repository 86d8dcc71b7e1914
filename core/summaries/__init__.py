"""LLM summaries of the best papers: cached, budgeted and resumable.

    prompt.py    the instructions and the messages for one paper (pure), and the prompt hash
    fulltext.py  a paper's text: arXiv's HTML rendering, else its PDF, else the abstract; trimmed
    llm.py       the one LLM interface: an OpenAI-compatible chat endpoint through the official SDK
    run.py       which papers, the cache, concurrency, the time and token budgets, the report

Nothing here is imported on the read path; `openai` and `pypdf` load only when used.
"""
