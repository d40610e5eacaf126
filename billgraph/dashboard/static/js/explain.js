// A price in words: which step of the chain priced a call, and the arithmetic.
import { fromPico, toPico } from "./decimal.js";

// The chain's short name: after the last "/", without a ":route" suffix.
export function shortName(model) {
  const last = model.trim().split("/").pop();
  return last.split(":")[0].trim();
}

function provenance(call, pricingProvider) {
  const rowsOf = pricingProvider || call.provider;
  const matched = call.matchedModelName;
  switch (call.pricingSource) {
    case "EXACT":
      return `model ${call.model} matched ${rowsOf} ${matched} exactly`;
    case "SHORT_NAME":
      return `short name ${shortName(call.model)} matched ${rowsOf} ${matched}`;
    case "DEFAULT_ROW":
      return `no ${rowsOf} row for ${call.model} or ${shortName(call.model)}: the ${rowsOf} default row priced it`;
    case "ENVIRONMENT":
      return `no ${rowsOf} row for ${call.model}: the environment prices (HUGGINGFACE_INPUT_TOKEN_COST, HUGGINGFACE_OUTPUT_TOKEN_COST) priced it`;
    case "BUILTIN_ESTIMATE":
      return `no price known for ${call.provider} ${call.model}: estimated at the built-in $1 per 1M tokens`;
    default:
      return `priced by ${call.pricingSource}`;
  }
}

// Each part's tokens and unit price; the input and output parts exclude their sub-kinds.
export function costTerms(call) {
  const cached = BigInt(call.tokensCachedInput || 0);
  const cacheWrite = BigInt(call.tokensCacheWrite || 0);
  const reasoning = BigInt(call.tokensReasoning || 0);
  const terms = [
    [BigInt(call.tokensInput) - cached - cacheWrite, call.inputTokenCost],
    [cached, call.cachedInputTokenCost],
    [cacheWrite, call.cacheWriteTokenCost],
    [BigInt(call.tokensOutput) - reasoning, call.outputTokenCost],
    [reasoning, call.reasoningTokenCost],
  ];
  const used = terms.filter(([tokens], index) => tokens > 0n || index === 0 || index === 3);
  return used.map(([tokens, price]) => ({ tokens, price }));
}

// A tier of the version other than its own prices: " at its BATCH prices above 200000 input tokens".
function tierPhrase(call) {
  const tier = call.pricedServiceTier;
  const above = Number(call.pricedAboveInputTokens || 0);
  if (!tier || (tier === "STANDARD" && !above)) return "";
  return ` at its ${tier} prices` + (above ? ` above ${above} input tokens` : "");
}

// "short name gpt-oss-120b matched MISTRAL gpt-oss-120b: 1000 × 0.000001 + 500 × 0.000003 = 0.0025"
export function explainCost(call, pricingProvider) {
  const terms = costTerms(call);
  const arithmetic = terms.map(({ tokens, price }) => `${tokens} × ${price}`).join(" + ");
  return `${provenance(call, pricingProvider)}${tierPhrase(call)}: ${arithmetic} = ${call.costTotal}`;
}

// True when the terms add up to the stored total exactly.
export function termsAddUp(call) {
  const sum = costTerms(call).reduce((total, { tokens, price }) => total + tokens * toPico(price), 0n);
  return fromPico(sum) === fromPico(toPico(call.costTotal));
}
