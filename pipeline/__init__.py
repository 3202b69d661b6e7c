"""modelmetrics: image-classification benchmark results, Markdown tables to versioned Parquet."""
