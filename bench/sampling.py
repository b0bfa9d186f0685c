"""A measurement taken in a background thread every few seconds while a bench step runs."""
from __future__ import annotations

import threading
from typing import Any, Generic, List, TypeVar

Sample = TypeVar("Sample")


class PeriodicSampler(Generic[Sample]):
    """`with Sampler(...) as sampler:` takes `measure()` every `every_s` seconds into `samples`;
    `sample()` takes one now (at the start and end of a step, say)."""

    def __init__(self, every_s: float) -> None:
        self.samples: List[Sample] = []
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def measure(self) -> Sample:
        raise NotImplementedError

    def sample(self) -> Sample:
        point = self.measure()
        self.samples.append(point)
        return point

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            self.sample()

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
