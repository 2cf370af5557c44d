/**
 * Warnings are values, not sentences: a fixed code (what scripts, the summary, the CLI and the wizard
 * act on), the text people read, and whether it is loud (a security hole: shown in red, repeated after
 * the wizard's review, and with its own paragraph in SUMMARY.md). Nothing compares warning texts.
 */
export const WARNING_CODES = [
  /** --insecure: etcd without TLS. */
  'etcd-insecure',
  /** --docker-insecure: the laptop's Docker API on plain TCP. */
  'docker-insecure',
  /** No SSH key: nobody can log in. */
  'no-ssh-key',
  /** An interface glob: a machine with several NICs gets the address on each. */
  'glob-interface',
  /** A reboot window with --reboot-strategy off has no effect. */
  'window-without-reboot',
  /** small with an even size: no more fault tolerance than one machine less. */
  'even-etcd-size',
  /** Kept certificates expire within 90 days. */
  'certificates-expiring',
  /** --matchbox serves configs that hold private keys. */
  'matchbox-serves-keys',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface Warning {
  code: WarningCode;
  text: string;
  loud: boolean;
}

const LOUD: readonly WarningCode[] = ['etcd-insecure', 'docker-insecure', 'matchbox-serves-keys'];

/** A warning of that code (loud or not by its code). */
export const warning = (code: WarningCode, text: string): Warning => ({ code, text, loud: LOUD.includes(code) });

/** Whether the list holds a warning of that code. */
export const hasWarning = (warnings: readonly Warning[], code: WarningCode): boolean => warnings.some((w) => w.code === code);
