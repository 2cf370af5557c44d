/**
 * The fixed choices of some answers. Their own module (no imports) so that the definition
 * (definition.ts) and the types (types.ts) can both use them without an import cycle.
 */

export const PRESETS = ['laptop', 'small', 'dev', 'production'] as const;
export type PresetName = (typeof PRESETS)[number];

export const SECRETS_DELIVERY = ['inline', 'ssh'] as const;
export type SecretsDelivery = (typeof SECRETS_DELIVERY)[number];

export const REBOOT_STRATEGIES = ['etcd-lock', 'reboot', 'off'] as const;
export type RebootStrategy = (typeof REBOOT_STRATEGIES)[number];
