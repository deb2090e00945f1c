import os

from hypothesis import HealthCheck, settings

# CI runs the "ci" profile: every property test sets its own max_examples; no deadlines (timing
# belongs in benchmarks/). HYPOTHESIS_PROFILE=thorough multiplies the examples for local runs.
settings.register_profile("ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, print_blob=True, max_examples=2000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
