"""Which billgraph provider a call went to, from what an SDK or LiteLLM knows."""

import re
from urllib.parse import urlsplit

# LiteLLM's provider names (`custom_llm_provider`) that are another name of one of
# billgraph's built-in providers. Any other name is recorded as it is (billgraph's
# providers are open: "fireworks_ai", "bedrock", ...), or as "other" when it is not a
# provider id.
LITELLM_PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "anthropic_text": "anthropic",
    "gemini": "google",
    # Vertex AI has prices of its own (a catalog import files them under vertex_ai).
    "vertex_ai_beta": "vertex_ai",
    "palm": "google",
    "mistral": "mistral",
    "codestral": "mistral",
    "text-completion-codestral": "mistral",
    "huggingface": "huggingface",
    "groq": "groq",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "deepseek": "deepseek",
    "xai": "xai",
}

# Hosts of OpenAI-compatible APIs -> billgraph's provider ids.
API_HOSTS = {
    "api.openai.com": "openai",
    "router.huggingface.co": "huggingface",
    "api-inference.huggingface.co": "huggingface",
    "api.groq.com": "groq",
    "api.mistral.ai": "mistral",
    "api.deepseek.com": "deepseek",
    "api.x.ai": "xai",
    "api.anthropic.com": "anthropic",
    "generativelanguage.googleapis.com": "google",
    "api.cohere.com": "cohere",
}


_PROVIDER_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def provider_from_litellm(name: str | None) -> str:
    """Return billgraph's provider for a LiteLLM provider name: a built-in one for its
    aliases, else the name itself ("other" when it is not a provider id)."""
    slug = (name or "").strip().lower()
    if slug in LITELLM_PROVIDERS:
        return LITELLM_PROVIDERS[slug]
    return slug if _PROVIDER_ID.fullmatch(slug) else "other"


def provider_from_base_url(url: str | object) -> str:
    """Return billgraph's provider for an API base URL (e.g. an SDK's base_url)."""
    host = (urlsplit(str(url)).hostname or "").lower()
    return API_HOSTS.get(host, "other")
