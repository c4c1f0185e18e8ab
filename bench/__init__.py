"""On-demand benchmarks (``make bench``): capacity, accuracy, grammar vs free-form, soak.

Never run in CI and never assert: they measure and write ``BENCHMARKS.md``.
"""
