/**
 * planSecrets: the bundle a request needs, keeping what already fits. Pure apart from key generation
 * (random) and WebCrypto's asynchrony: no file is read or written here.
 *
 * An existing certificate is kept byte-for-byte (certificate and key) when, and only when: no
 * `rotate`; the CA is kept; its common name, extKeyUsage (from the kind) and SANs (set-wise, after
 * normalising) equal the request's; the CA signed it; its key fits it; and it stays valid for
 * `renewWithinDays` more days. Everything else requested is issued anew (with a new key). Entries of the
 * existing bundle that the request lacks are dropped. A changed validity alone does not reissue.
 *
 * The CA is kept whenever there is an existing bundle and no `rotate`, even when the requested CA
 * common name or validity differ: changing the CA means new trust on every machine, only on purpose.
 * A CA that expires within `renewWithinDays` is an error that asks for a rotation.
 */
import { createCa, DEFAULT_CA_VALIDITY_DAYS } from './ca.js';
import { certFacts, isIssuedBy, keyMatchesCert, sameIdentity } from './inspect.js';
import { DEFAULT_CERT_VALIDITY_DAYS, issueCert, requestIdentity } from './issue.js';
import { DAY } from './provider.js';
import { checkEntryName, checkNow, checkValidityDays } from './validate.js';
import { SecretsError } from './types.js';
import type { CaPair, LeafPair, SecretsBundle, SecretsPlan, SecretsRequest } from './types.js';

export const DEFAULT_RENEW_WITHIN_DAYS = 30;

export async function planSecrets(
  request: SecretsRequest,
  existing?: SecretsBundle | null,
  /** Told before each certificate is looked at (for a progress line). */
  progress?: (done: number, total: number) => void,
): Promise<SecretsPlan> {
  const now = checkNow(request.now ?? new Date());
  const renewDays = request.renewWithinDays ?? DEFAULT_RENEW_WITHIN_DAYS;
  if (!Number.isInteger(renewDays) || renewDays < 0) throw new SecretsError(`renewWithinDays must be a whole number >= 0`);
  const horizon = new Date(now.getTime() + renewDays * DAY);
  const names = Object.keys(request.certs).map(checkEntryName).sort();
  // Validate the whole request before any key is made.
  for (const name of names) {
    const req = request.certs[name]!;
    try {
      requestIdentity(req);
      checkValidityDays(req.validityDays ?? DEFAULT_CERT_VALIDITY_DAYS, 'certificate');
    } catch (e) {
      throw new SecretsError(`certificate ${name}: ${(e as Error).message}`);
    }
  }

  const keepCa = !!existing && !request.rotate;
  let ca: CaPair;
  if (keepCa) {
    ca = existing.ca;
    checkUsableCa(ca, horizon, now);
  } else {
    ca = await createCa({ ...request.ca, validityDays: request.ca.validityDays ?? DEFAULT_CA_VALIDITY_DAYS, now });
  }

  const issued: string[] = [];
  const reused: string[] = [];
  // One at a time: thousands of issuances in flight at once hold all their intermediate objects
  // (a 10,000-machine cluster peaked above 1 GB that way).
  const certs: Record<string, LeafPair> = {};
  for (const [index, name] of names.entries()) {
    progress?.(index, names.length);
    const req = request.certs[name]!;
    const old = keepCa ? existing.certs[name] : undefined;
    if (old && fits(old, req, ca, horizon)) {
      reused.push(name);
      certs[name] = old;
    } else {
      issued.push(name);
      certs[name] = await issueCert(ca, { ...req, now });
    }
  }
  const dropped = existing ? Object.keys(existing.certs).filter((n) => !(n in certs)) : [];
  return { bundle: { ca, certs }, caCreated: !keepCa, issued: issued.sort(), reused: reused.sort(), dropped: dropped.sort() };
}

function checkUsableCa(ca: CaPair, horizon: Date, now: Date): void {
  let facts;
  try {
    facts = certFacts(ca.certPem);
  } catch (e) {
    throw new SecretsError(`the existing CA certificate cannot be read: ${(e as Error).message}`);
  }
  if (!facts.isCa) throw new SecretsError('the existing CA certificate is not a CA (basicConstraints cA is not set)');
  if (!keyMatchesCert(ca.certPem, ca.keyPem)) throw new SecretsError('the existing CA key does not belong to the CA certificate');
  if (facts.notBefore > now) {
    throw new SecretsError(
      `the existing CA is not valid before ${facts.notBefore.toISOString()} (is this computer's clock right?); no machine would trust it yet: make a new PKI on purpose (rotate)`,
    );
  }
  if (facts.notAfter <= now) {
    throw new SecretsError(`the existing CA expired on ${facts.notAfter.toISOString()}; make a new PKI on purpose (rotate)`);
  }
  if (facts.notAfter <= horizon) {
    throw new SecretsError(`the existing CA expires on ${facts.notAfter.toISOString()}; make a new PKI on purpose (rotate)`);
  }
}

function fits(old: LeafPair, req: SecretsRequest['certs'][string], ca: CaPair, horizon: Date): boolean {
  let facts;
  try {
    facts = certFacts(old.certPem);
  } catch {
    return false;
  }
  return !facts.isCa && sameIdentity(facts, requestIdentity(req)) && facts.notAfter > horizon && isIssuedBy(old.certPem, ca.certPem) && keyMatchesCert(old.certPem, old.keyPem);
}
