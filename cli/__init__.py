"""The command line: `python -m cli …` (also `python -m core …`), beside api/ above core."""
