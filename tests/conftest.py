import profiles

# Deadlines are off in every profile (timing belongs in benchmarks/). HYPOTHESIS_PROFILE=thorough
# multiplies the examples of every property test by 10 (see profiles.py).
profiles.load()
