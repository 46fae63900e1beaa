"""channelmix's version: written into batch results (a result answers one version) and reports."""

VERSION = "0.1.0"
