"""Random distributions for weights, delays and initial values.

They are descriptions: values are drawn by the network that uses them, from its own
seeded generator, so that the same seed gives the same values wherever a network runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dasksnn.errors import ModelError

__all__ = ["Distribution", "Uniform", "DiscreteUniform", "Normal", "LogNormal", "Exponential",
           "Gamma", "Binomial"]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ModelError(message)


@dataclass(frozen=True)
class Distribution:
    """Base class: ``draw(rng, size)`` returns an array of ``size`` values.

    ``min`` and ``max``, where a distribution has them, clip the drawn values.
    """

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values from ``rng``."""
        values = np.asarray(self._draw(rng, size), dtype=np.float64)
        low, high = getattr(self, "min", None), getattr(self, "max", None)
        if low is not None or high is not None:
            values = np.clip(values, low, high)
        return values

    def get_values(self, shape: int | tuple[int, ...]) -> np.ndarray:
        """``shape`` values drawn outside any network, as ANNarchy's ``get_values``.

        They come from NumPy's global generator (``np.random.seed`` repeats them), as in
        ANNarchy 4; values given to a network before compile are drawn from its own seed.

        Examples
        --------
        >>> Uniform(0.0, 1.0).get_values((2, 3)).shape
        (2, 3)
        """
        dims = (int(shape),) if np.isscalar(shape) else tuple(int(n) for n in shape)
        rng = np.random.default_rng(np.random.randint(0, 2**31 - 1, size=4))
        return self.draw(rng, int(np.prod(dims))).reshape(dims)

    def _draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can give."""
        return (-math.inf, math.inf)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform distribution on ``[min, max)``.

    Examples
    --------
    >>> Uniform(-60.0, -50.0).bounds()
    (-60.0, -50.0)
    """

    min: float
    max: float

    def __post_init__(self) -> None:
        _check(self.min <= self.max, f"Uniform: min ({self.min}) must not exceed max ({self.max})")

    def _draw(self, rng, size):
        return rng.uniform(self.min, self.max, size)

    def bounds(self):
        return (float(self.min), float(self.max))


@dataclass(frozen=True)
class DiscreteUniform(Distribution):
    """Uniform distribution on the integers ``min, ..., max`` (both included)."""

    min: int
    max: int

    def __post_init__(self) -> None:
        _check(self.min <= self.max,
               f"DiscreteUniform: min ({self.min}) must not exceed max ({self.max})")

    def _draw(self, rng, size):
        return rng.integers(self.min, self.max, size, endpoint=True)

    def bounds(self):
        return (float(self.min), float(self.max))


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal distribution of mean ``mu`` and standard deviation ``sigma``, clipped to
    ``[min, max]`` when given."""

    mu: float
    sigma: float
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        _check(self.sigma >= 0, f"Normal: sigma must be >= 0, got {self.sigma}")

    def _draw(self, rng, size):
        return rng.normal(self.mu, self.sigma, size)

    def bounds(self):
        return (-math.inf if self.min is None else self.min, math.inf if self.max is None else self.max)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal distribution: ``exp(Normal(mu, sigma))``, clipped to ``[min, max]``."""

    mu: float
    sigma: float
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        _check(self.sigma >= 0, f"LogNormal: sigma must be >= 0, got {self.sigma}")

    def _draw(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)

    def bounds(self):
        return (0.0 if self.min is None else self.min, math.inf if self.max is None else self.max)


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential distribution of rate ``Lambda`` (mean ``1 / Lambda``)."""

    Lambda: float
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        _check(self.Lambda > 0, f"Exponential: Lambda must be > 0, got {self.Lambda}")

    def _draw(self, rng, size):
        return rng.exponential(1.0 / self.Lambda, size)

    def bounds(self):
        return (0.0 if self.min is None else self.min, math.inf if self.max is None else self.max)


@dataclass(frozen=True)
class Gamma(Distribution):
    """Gamma distribution of shape ``alpha`` and scale ``beta``."""

    alpha: float
    beta: float = 1.0
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        _check(self.alpha > 0 and self.beta > 0,
               f"Gamma: alpha and beta must be > 0, got alpha={self.alpha}, beta={self.beta}")

    def _draw(self, rng, size):
        return rng.gamma(self.alpha, self.beta, size)

    def bounds(self):
        return (0.0 if self.min is None else self.min, math.inf if self.max is None else self.max)


@dataclass(frozen=True)
class Binomial(Distribution):
    """Binomial distribution: successes in ``n`` trials of probability ``p``."""

    n: int
    p: float

    def __post_init__(self) -> None:
        _check(self.n >= 0 and 0.0 <= self.p <= 1.0,
               f"Binomial: need n >= 0 and 0 <= p <= 1, got n={self.n}, p={self.p}")

    def _draw(self, rng, size):
        return rng.binomial(self.n, self.p, size)

    def bounds(self):
        return (0.0, float(self.n))
