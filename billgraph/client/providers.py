"""Which billgraph provider a call went to, from what an SDK or LiteLLM knows."""

from urllib.parse import urlsplit

# LiteLLM's provider names (`custom_llm_provider`) -> billgraph's Provider enum. Every
# name not listed here is recorded as OTHER.
LITELLM_PROVIDERS = {
    "openai": "OPENAI",
    "text-completion-openai": "OPENAI",
    "azure": "OPENAI",
    "azure_text": "OPENAI",
    "anthropic": "ANTHROPIC",
    "anthropic_text": "ANTHROPIC",
    "gemini": "GOOGLE",
    "vertex_ai": "GOOGLE",
    "vertex_ai_beta": "GOOGLE",
    "palm": "GOOGLE",
    "mistral": "MISTRAL",
    "codestral": "MISTRAL",
    "text-completion-codestral": "MISTRAL",
    "huggingface": "HUGGINGFACE",
    "groq": "GROQ",
    "cohere": "COHERE",
    "cohere_chat": "COHERE",
    "deepseek": "DEEPSEEK",
    "xai": "XAI",
}

# Hosts of OpenAI-compatible APIs -> billgraph's Provider enum.
API_HOSTS = {
    "api.openai.com": "OPENAI",
    "router.huggingface.co": "HUGGINGFACE",
    "api-inference.huggingface.co": "HUGGINGFACE",
    "api.groq.com": "GROQ",
    "api.mistral.ai": "MISTRAL",
    "api.deepseek.com": "DEEPSEEK",
    "api.x.ai": "XAI",
    "api.anthropic.com": "ANTHROPIC",
    "generativelanguage.googleapis.com": "GOOGLE",
    "api.cohere.com": "COHERE",
}


def provider_from_litellm(name: str | None) -> str:
    """Return billgraph's provider for a LiteLLM provider name; OTHER when unknown."""
    return LITELLM_PROVIDERS.get((name or "").strip().lower(), "OTHER")


def provider_from_base_url(url: str | object) -> str:
    """Return billgraph's provider for an API base URL (e.g. an SDK's base_url)."""
    host = (urlsplit(str(url)).hostname or "").lower()
    return API_HOSTS.get(host, "OTHER")
