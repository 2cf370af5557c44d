/**
 * The PKI's types. PEM strings are branded so that the compiler keeps them apart:
 * - `CaKeyPem` is the cluster CA's private key. It is produced by `createCa` and `loadBundle` only and
 *   lives in `SecretsBundle.ca` and in `DIR/pki/ca-key.pem`, nowhere else.
 * - `LeafKeyPem` is a leaf certificate's private key, `CertPem` any certificate (public).
 * A `CaKeyPem` is assignable to neither `CertPem` nor `LeafKeyPem`, so the types that go into machine
 * configs (`MachineSecrets` and friends, which hold only `CertPem` and `LeafKeyPem`) cannot hold the CA
 * key without an explicit cast. At run time all three are plain strings.
 */

declare const certPemBrand: unique symbol;
declare const caKeyPemBrand: unique symbol;
declare const leafKeyPemBrand: unique symbol;

/** A PEM certificate ("-----BEGIN CERTIFICATE-----"). Public. */
export type CertPem = string & { readonly [certPemBrand]: true };
/** The cluster CA's PKCS#8 PEM private key. Never leaves `DIR/pki/`. */
export type CaKeyPem = string & { readonly [caKeyPemBrand]: true };
/** A leaf certificate's PKCS#8 PEM private key; goes to the one machine that owns the certificate. */
export type LeafKeyPem = string & { readonly [leafKeyPemBrand]: true };

export interface CaPair {
  readonly certPem: CertPem;
  readonly keyPem: CaKeyPem;
}

export interface LeafPair {
  readonly certPem: CertPem;
  readonly keyPem: LeafKeyPem;
}

/**
 * What a certificate is for, as extKeyUsage: server = serverAuth, client = clientAuth,
 * peer = server+client = both (an etcd peer certificate serves and dials).
 */
export type CertKind = 'server' | 'client' | 'peer' | 'server+client';

export interface CaRequest {
  commonName: string;
  /** Default 3650 (10 years). */
  validityDays?: number;
  /** Default: now. notBefore is backdated by one hour for clock skew. */
  now?: Date;
}

export interface CertRequest {
  /** The subject's CN; '' for none (etcd's grpc-proxy refuses a client certificate with a CN). */
  commonName: string;
  /** The subject's O, if any. A certificate needs a CN or an O. */
  organization?: string;
  kind: CertKind;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** Default 1825 (5 years); never past the CA's notAfter. */
  validityDays?: number;
  /** Default: now. notBefore is backdated by one hour for clock skew. */
  now?: Date;
}

/** Everything a cluster needs: the CA and the leaf certificates, by entry name (see `names.ts`). */
export interface SecretsRequest {
  ca: { commonName: string; validityDays?: number };
  /** Entry name (e.g. `etcd/member/node1/server`) -> what that certificate must say. */
  certs: Readonly<Record<string, Omit<CertRequest, 'now'>>>;
  /** Default: now. */
  now?: Date;
  /** Make a new CA and new certificates even when the existing ones still fit. */
  rotate?: boolean;
  /** A reused certificate must stay valid at least this many days past `now`; default 30. */
  renewWithinDays?: number;
}

/** The cluster's PKI: the CA (with its key) and every leaf certificate with its key. */
export interface SecretsBundle {
  readonly ca: CaPair;
  /** Entry name -> certificate and key, keys sorted. */
  readonly certs: Readonly<Record<string, LeafPair>>;
}

/** What `planSecrets` did, for the summary and for tests. */
export interface SecretsPlan {
  bundle: SecretsBundle;
  /** True when the CA is new (no existing bundle, or `rotate`): every machine must get new configs. */
  caCreated: boolean;
  /** Entry names issued now (new, changed, expiring, or rotated), sorted. */
  issued: string[];
  /** Entry names kept byte-for-byte from the existing bundle, sorted. */
  reused: string[];
  /** Entry names of the existing bundle that the request no longer has, sorted. */
  dropped: string[];
}

/** A bad request, or a bundle on disk that cannot be used. `file` is set when a file is to blame. */
export class SecretsError extends Error {
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'SecretsError';
    this.file = file;
  }
}
