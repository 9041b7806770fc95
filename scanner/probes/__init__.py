"""Probes: what the scanner itself observes of a host over the network, after collection."""
