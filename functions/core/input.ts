/**
 * Parse options for what a person typed or chose on a page. A schema's own
 * message (Dutch, in the policy's words) wins; an issue without one (a value
 * no form offers, a field left out of a hand-made request) reads this, never
 * zod's English default, which config errors and logs keep (docs/adr/0017).
 */
export const PAGE_INPUT = { error: () => 'Controleer wat u hebt ingevuld.' };
