"""The one exception tree of the project.

Core code raises these; the edges (CLI, HTTP) translate them into one clear
line or one JSON error. Nothing else escapes to a user.

    ArxivRssError
    ├── ConfigError          a bad config file or environment value (names the key)
    ├── UpstreamError        arXiv could not be read
    │   └── ArxivApiError    arXiv answered with an error entry (carries its message)
    ├── StoreError           the store is unreachable or refused a command
    ├── SummaryError         the LLM provider failed for one paper
    ├── EmbeddingError       the embedder could not embed (model missing, endpoint failed)
    ├── RefreshRunning       another refresh holds the lock
    ├── BadQuery             a feed query parameter is invalid (names the parameter)
    └── ProfileError         a saved profile could not be used
        ├── ProfileNotFound  no profile has this token (or the token is malformed)
        ├── ProfileInvalid   a profile field is out of bounds (names the field)
        ├── ProfileBusy      another change to the same profile holds its lock
        ├── VoteRefused      a vote was not counted (bad signature, unknown paper, limit)
        └── LibraryImportError  an import file is not what it claims (names the problem)
"""


class ArxivRssError(Exception):
    """Base class: every error the project raises on purpose."""


class ConfigError(ArxivRssError):
    def __init__(self, key: str, problem: str):
        self.key = key
        self.problem = problem
        super().__init__(f"config: {key}: {problem}")


class UpstreamError(ArxivRssError):
    """arXiv could not be read (network, HTTP status, unparseable body)."""


class ArxivApiError(UpstreamError):
    """arXiv's API answered with an error entry; the message is arXiv's own."""


class StoreError(ArxivRssError):
    """The store is unreachable or refused a command."""


class SummaryError(ArxivRssError):
    """The LLM provider could not summarise one paper."""


class EmbeddingError(ArxivRssError):
    """The embedder could not embed; the reason is short and never holds a key."""


class RefreshRunning(ArxivRssError):
    """Another refresh holds the lock."""


class BadQuery(ArxivRssError):
    def __init__(self, parameter: str, problem: str, status: int = 400):
        self.parameter = parameter
        self.problem = problem
        self.status = status
        super().__init__(f"{parameter}: {problem}")


class ProfileError(ArxivRssError):
    """A saved profile could not be used."""


class ProfileNotFound(ProfileError):
    """No profile has this token; the message never repeats the token."""


class ProfileInvalid(ProfileError):
    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class ProfileBusy(ProfileError):
    """Another change to the same profile holds its lock; try again."""


class VoteRefused(ProfileError):
    def __init__(self, status: int, problem: str):
        self.status = status
        self.problem = problem
        super().__init__(problem)


class LibraryImportError(ProfileError):
    """An import file is not what it claims, or is past a limit; the message names the problem."""
