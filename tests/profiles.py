"""Hypothesis profiles and the example budget of every property test.

Two profiles, chosen by the environment variable ``HYPOTHESIS_PROFILE``:

* ``ci`` (the default): the fast suite, run on every commit.
* ``thorough``: :data:`THOROUGH_FACTOR` times the examples of every property test (run it on a
  schedule: ``RELUREGIONS_THOROUGH=1 bash .ci/run``, or ``HYPOTHESIS_PROFILE=thorough pytest``).

A test never fixes its own example count: it asks :func:`examples` for its *base* count (its share of
the fast suite's time), which the loaded profile scales. ``tests/test_strategies.py`` checks that the
thorough profile runs ten times the examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

#: Examples per test in the default profile, before a test's own scaling (Hypothesis's own default).
BASE = 100
#: The thorough profile runs this many times the examples of the default one.
THOROUGH_FACTOR = 10

_COMMON = {"deadline": None, "print_blob": True, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=BASE, **_COMMON)
settings.register_profile("thorough", max_examples=BASE * THOROUGH_FACTOR, **_COMMON)
# tools/mutate.py: the default examples, no shrinking and no example database (a mutant's failure only
# has to be seen, not minimized, and must not be replayed into the real suite's runs).
settings.register_profile(
    "mutate", max_examples=BASE, database=None, phases=[Phase.explicit, Phase.generate], **_COMMON
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "thorough", "mutate"):
    raise ValueError(f"HYPOTHESIS_PROFILE must be 'ci', 'thorough' or 'mutate', got {PROFILE!r}")


def load() -> None:
    """Load the profile named by HYPOTHESIS_PROFILE (called by conftest.py before any test module)."""
    settings.load_profile(PROFILE)


def examples(base: int, profile: str | None = None) -> int:
    """The example count of a test whose fast-suite budget is `base` examples, under `profile` (the
    loaded one by default): ``base`` in ``ci``, ``THOROUGH_FACTOR * base`` in ``thorough``."""
    if base < 1:
        raise ValueError(f"base must be a positive number of examples, got {base}")
    loaded = settings.get_profile(profile).max_examples if profile else settings().max_examples
    return max(1, round(base * loaded / BASE))
