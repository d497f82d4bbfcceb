"""Which link goes next: a free worker gets a link whose host may be asked now.

With a fixed queue a worker would wait out one host's spacing (or its per-host limit) while other
hosts sat idle; asking the limiter first keeps every worker on a request.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

from citekit.links.http import HostLimiter

T = TypeVar("T")
R = TypeVar("R")


class Picker(Generic[T]):
    """Hands each free worker an item whose host can be asked now, round-robin over hosts."""

    def __init__(self, key: Callable[[T], str], limiter: HostLimiter) -> None:
        self.queues: dict[str, deque[T]] = {}
        self.ring: deque[str] = deque()
        self.key = key
        self.limiter = limiter
        self.closed = False  # no more plans will be added
        self._waiters: list[asyncio.Future[None]] = []
        self._out: dict[str, int] = {}  # host -> plans taken and not yet done

    def add(self, plan: T) -> None:
        host = self.key(plan)
        queue = self.queues.get(host)
        if not queue:
            queue = self.queues[host] = deque()
            self.ring.append(host)
        queue.append(plan)

    @property
    def finished(self) -> bool:
        return self.closed and not self.ring

    def take(self) -> tuple[T | None, float]:
        """(a plan, 0) or (None, when the soonest host is ready; inf while all are at their limit)."""
        now, soonest = time.monotonic(), float("inf")
        for _ in range(len(self.ring)):
            host = self.ring[0]
            ready = self.limiter.ready_at(host)
            if ready <= now:
                queue = self.queues[host]
                plan = queue.popleft()
                if queue:
                    self.ring.rotate(-1)
                else:
                    self.ring.popleft()
                    del self.queues[host]
                self._out[host] = self._out.get(host, 0) + 1
                return plan, 0.0
            soonest = min(soonest, ready)
            self.ring.rotate(-1)
        return None, soonest

    def done(self, plan: T) -> bool:
        """Mark a taken plan finished; True when its host has nothing left to be asked, ever."""
        host = self.key(plan)
        left = self._out[host] - 1
        if left:
            self._out[host] = left
            return False
        del self._out[host]
        return self.closed and host not in self.queues

    async def wait(self, until: float) -> None:
        """Until :meth:`notify` (a request finished, links were added) or the monotonic time ``until``."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        timer = None
        if until != float("inf"):
            # monotonic and the loop's clock differ by an offset: convert the deadline to a delay.
            timer = loop.call_later(max(0.0, until - time.monotonic()), _wake, waiter)
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()

    def notify(self, everyone: bool = False) -> None:
        """Wake one waiting worker (a finished request frees one slot), or all of them."""
        while self._waiters:
            waiter = self._waiters.pop()
            if not waiter.done():
                waiter.set_result(None)
                if not everyone:
                    return


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


async def pool(items: Iterable[T], work: Callable[[T], Awaitable[R]], workers: int) -> list[R]:
    """``work`` over ``items`` with at most ``workers`` running at once; results in input order."""
    todo = list(items)
    results: list[Any] = [None] * len(todo)
    queue = iter(range(len(todo)))

    async def worker() -> None:
        for i in queue:
            results[i] = await work(todo[i])

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(todo))))))
    return results
