"""tfotrace's benchmark, the shared part (tests/bench/run.py runs it):

    runner   processes, bounded waits, the tracers, the workloads, the run's
             context (Bench)
    stats    median, quartiles, formatting
    machine  what the report's header says about the machine and the build
    report   RESULTS.md from the raw results (a run's or a saved JSON's)

Python standard library only.
"""
