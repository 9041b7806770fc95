"""Hygie: agentless compliance scanner and hardening remediations for health-data IT."""

__version__ = "0.1.0"
