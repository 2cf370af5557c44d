/**
 * The fixed choices of some answers. Their own module (importing only the architectures) so that the definition
 * (definition.ts) and the types (types.ts) can both use them without an import cycle.
 */

/** The architectures' names: src/architectures/ owns them. */
export { PRESETS, type PresetName } from '../architectures/index.js';

export const SECRETS_DELIVERY = ['inline', 'ssh'] as const;
export type SecretsDelivery = (typeof SECRETS_DELIVERY)[number];

export const REBOOT_STRATEGIES = ['etcd-lock', 'reboot', 'off'] as const;
export type RebootStrategy = (typeof REBOOT_STRATEGIES)[number];
