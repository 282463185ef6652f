"""The default rules (one YAML file per rule) and facts, shipped inside the package."""
