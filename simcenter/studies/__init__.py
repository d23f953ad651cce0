"""Studies above single runs: paired comparisons, precision-driven runs, staffing."""
