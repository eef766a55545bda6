"""Built-in note insights: the rule-based extractor behind ``saas_extract_insights``."""

from plugins.insights_rules.plugin import saas_extract_insights, saas_plugin_manifest

__all__ = ["saas_extract_insights", "saas_plugin_manifest"]
