"""Helm values files: merged like ``helm -f``, recognised by chart, and rendered by one model
per known chart (or by rendering an unknown chart's own templates)."""
