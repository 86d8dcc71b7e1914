"""Response headers more than one route sends, each defined once.

NO_STORE               never kept by a browser or CDN: errors, health, cron, vote answers
NO_STORE_NO_REFERRER   also sent without a Referer: answers that carry a profile's
                       edit token or feed URL (api.profile_api, api.profiles), so a
                       link followed from them leaks neither
"""

from __future__ import annotations

NO_STORE = {"Cache-Control": "no-store"}
NO_STORE_NO_REFERRER = {**NO_STORE, "Referrer-Policy": "no-referrer"}
