"""Development helpers shared by the tests, the evaluation and the benchmarks: start the assistant on
free ports, talk to it, score its answers. Production code never imports this package."""
