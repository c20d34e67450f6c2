"""Parses Prometheus text exposition from stdin with the Prometheus
project's own Python parser and prints every sample as JSON lines
({"name", "labels", "value"}); exits non-zero when the text does not parse.
Used by tests/api/metrics.rs."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    if not family.documentation:
        sys.exit(f"{family.name} has no HELP line")
    for sample in family.samples:
        print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value}))
