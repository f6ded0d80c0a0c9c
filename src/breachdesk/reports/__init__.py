"""Reports for regulators, auditors and the response team: regulator notices, proof of
notice and the response scorecard."""
