"""The sign-in throttle: every attempt is counted before its password is checked.

Two counters, each a fixed window of WINDOW_SECONDS: attempts on one account from one address
(password guessing) and attempts on any account from one address (password spraying). The count is
an atomic increment, so parallel requests cannot slip past the limit between the check and the count;
an attempt that signs in is taken off again, so only failures use up the allowance. Counts live in
Redis when there is one (every web process shares them), else in the process.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from limits.storage import MemoryStorage, Storage, storage_from_string

log = logging.getLogger(__name__)

WINDOW_SECONDS = 5 * 60
ACCOUNT_LIMIT = 10  # attempts on one account from one address per window
ADDRESS_LIMIT = 50  # attempts on all accounts from one address per window


@dataclass
class Attempt:
    """One counted sign-in attempt; `refund` it when it succeeded."""

    throttle: SignInThrottle
    keys: tuple[str, ...]

    def refund(self) -> None:
        for key in self.keys:
            self.throttle.add(key, -1)


class SignInThrottle:
    def __init__(self, redis_url: str | None):
        self.local = MemoryStorage()
        storage_uri = "redis+unix://" + redis_url.removeprefix("unix://") if (redis_url or "").startswith("unix://") \
            else redis_url
        # Short timeouts: a hung Redis must not hang the sign-in page; the process's own count takes over.
        self.shared: Storage | None = (storage_from_string(storage_uri, socket_timeout=2, socket_connect_timeout=2)
                                       if storage_uri else None)

    def attempt(self, address: str | None, email: str) -> Attempt | None:
        """Count an attempt to sign in as `email` from `address`; None (counted all the same) when over a limit."""
        address = address or "unknown"
        account = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
        account_key, address_key = f"sign-in:account:{address}:{account}", f"sign-in:address:{address}"
        over = self.add(account_key, 1) > ACCOUNT_LIMIT
        over = self.add(address_key, 1) > ADDRESS_LIMIT or over
        return None if over else Attempt(self, (account_key, address_key))

    def add(self, key: str, amount: int) -> int:
        """The counter after adding `amount`, in Redis if reachable, else in this process."""
        if self.shared is not None:
            try:
                return self.shared.incr(key, WINDOW_SECONDS, amount)
            except self.shared.base_exceptions as error:
                log.warning("sign-in throttle: Redis unreachable (%s); counting in this process", error)
        return self.local.incr(key, WINDOW_SECONDS, amount)

    def reset(self) -> None:
        """Forget every count (for tests and for an operator lifting a block)."""
        self.local.reset()
        if self.shared is not None:
            self.shared.reset()
