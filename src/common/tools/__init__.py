"""Commands around the course: benchmarks (`make bench`), reference results (`make results`), shipped weights (`make weights`)."""
