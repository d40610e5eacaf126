// Providers are data (the `providers` query), not an enum: loaded once at sign-in, and
// offered in every provider select, labelled by display name.
import { graphql } from "./api.js";

let options = [];

export async function loadProviders() {
  const { providers } = await graphql("query Providers { providers { id displayName } }");
  options = providers.map(({ id, displayName }) => ({
    value: id,
    text: displayName === id ? id : `${displayName} (${id})`,
  }));
  return options;
}

export function providerOptions() {
  return options;
}
