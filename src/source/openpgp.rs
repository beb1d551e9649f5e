//! When a trusted OpenPGP key could make signatures, read from its self-signatures the way gpg
//! reads them: creation time, expiration, revocation and the signing key flag of the primary key
//! and of each subkey, judged at the time the signature claims to have been made.
//!
//! Only self-signatures that verify count; any other (a forged binding that drops an expiry, a
//! third party's certification) is ignored. The pgp crate verifies each binding and back
//! signature (`verify_subkey_binding`, `verify_primary_key_binding`); the time rules are here.

use pgp::composed::{SignedPublicKey, SignedPublicSubKey};
use pgp::packet::{PublicKey, RevocationCode, Signature, SignatureType, SubpacketData};
use pgp::types::{KeyDetails, SignedUser, Tag};

use crate::attest::timestamp::format_utc;
use crate::hash::hex_upper;

/// How far ahead of this machine's clock a signature may be dated: clocks drift.
pub const CLOCK_SKEW: i64 = 300;

/// The primary key or a subkey, as its verified self-signatures describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub fingerprint: String,
    /// A subkey needs a back signature as well as the signing flag to sign.
    subkey: bool,
    created: i64,
    /// Binding self-signatures that verify, oldest first.
    bindings: Vec<Binding>,
    revocations: Vec<Revocation>,
}

/// What one binding self-signature says from its creation on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Binding {
    at: i64,
    /// When the key stops being valid (its creation time plus the key expiration time).
    expires: Option<i64>,
    signs: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Revocation {
    at: i64,
    /// Hard revocations (compromised, no reason, unknown reason) reach back to every signature.
    hard: bool,
    reason: String,
}

/// Why a signature that verifies does not count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub why: String,
}

/// What made a trusted key unable to make a signature at its date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// Made by a subkey without a valid binding, or otherwise by no key the holder vouched for.
    NotAllowed,
    /// The signature's own time is impossible (before the key, or in the future).
    TimeInvalid,
    /// The signature's own expiration time has passed.
    SignatureExpired,
    KeyRevoked,
    KeyExpired,
    /// The key lacks the signing flag.
    KeyNotSigning,
}

/// The validity of one trusted key: its primary key and its subkeys, in the key's order.
#[derive(Clone, Debug)]
pub struct Validity {
    pub primary: Component,
    pub subkeys: Vec<Component>,
}

impl Validity {
    /// Read the verified self-signatures of `key`. Fails when none binds the primary key, since
    /// then nothing about the key (not even its user ids) is vouched for by its holder.
    pub fn of(key: &SignedPublicKey) -> Result<Validity, String> {
        let primary = primary_component(key);
        if primary.bindings.is_empty() {
            return Err("no self-signature of the primary key verifies".into());
        }
        let subkeys = key
            .public_subkeys
            .iter()
            .map(|s| subkey_component(&key.primary_key, s))
            .collect();
        Ok(Validity { primary, subkeys })
    }

    /// Whether a signature made at `made` (its creation time), expiring `expires_in` seconds
    /// later (0 or none: never), by the primary key (`subkey` none) or a subkey, counts at `now`.
    pub fn check(
        &self,
        subkey: Option<usize>,
        made: i64,
        expires_in: Option<u32>,
        now: i64,
    ) -> Result<(), Refusal> {
        signature_window(made, expires_in, now)?;
        // Subkeys are indexed as in the key they were read from.
        match subkey.map(|i| &self.subkeys[i]) {
            None => self.primary.valid_at(made, true),
            Some(sub) => {
                if sub.bindings.is_empty() {
                    return Err(Refusal {
                        kind: RefusalKind::NotAllowed,
                        why: format!(
                            "OpenPGP subkey {} has no binding signature by its primary key {} that verifies",
                            sub.fingerprint, self.primary.fingerprint
                        ),
                    });
                }
                self.primary.valid_at(made, false)?;
                sub.valid_at(made, true)
            }
        }
    }
}

/// The signature's own time rules: not dated in the future, not past its own expiration.
fn signature_window(made: i64, expires_in: Option<u32>, now: i64) -> Result<(), Refusal> {
    if made > now + CLOCK_SKEW {
        return Err(Refusal {
            kind: RefusalKind::TimeInvalid,
            why: format!(
                "the OpenPGP signature is dated {}, in the future (now is {})",
                format_utc(made),
                format_utc(now)
            ),
        });
    }
    if let Some(secs) = expires_in.filter(|s| *s > 0) {
        let end = made + i64::from(secs);
        if now >= end {
            return Err(Refusal {
                kind: RefusalKind::SignatureExpired,
                why: format!(
                    "the OpenPGP signature made {} expired {}",
                    format_utc(made),
                    format_utc(end)
                ),
            });
        }
    }
    Ok(())
}

impl Component {
    /// Whether this key could make a signature at `t`; `sign`: it must also carry the signing
    /// flag (the primary key need not when a subkey signs, it only certifies the subkey).
    fn valid_at(&self, t: i64, sign: bool) -> Result<(), Refusal> {
        let fp = &self.fingerprint;
        if let Some(r) = self.revocations.iter().find(|r| r.hard || r.at <= t) {
            return Err(Refusal {
                kind: RefusalKind::KeyRevoked,
                why: format!(
                    "OpenPGP key {fp} was revoked {} ({}); the signature is dated {}",
                    format_utc(r.at),
                    r.reason,
                    format_utc(t)
                ),
            });
        }
        if t < self.created {
            return Err(time_invalid(format!(
                "the OpenPGP signature is dated {}, before key {fp} was created {}",
                format_utc(t),
                format_utc(self.created)
            )));
        }
        // The binding in force is the newest made by then: a later one that extends the
        // expiry does not revive signatures made while the key had expired.
        let Some(b) = self.bindings.iter().rev().find(|b| b.at <= t) else {
            let first = self.bindings.first().map_or(0, |b| b.at);
            return Err(time_invalid(format!(
                "the OpenPGP signature is dated {}, before the first self-signature of key {fp} ({})",
                format_utc(t),
                format_utc(first)
            )));
        };
        if let Some(end) = b.expires.filter(|end| t >= *end) {
            return Err(Refusal {
                kind: RefusalKind::KeyExpired,
                why: format!(
                    "OpenPGP key {fp} expired {}; the signature is dated {}",
                    format_utc(end),
                    format_utc(t)
                ),
            });
        }
        if sign && !b.signs {
            return Err(Refusal {
                kind: RefusalKind::KeyNotSigning,
                why: format!(
                    "OpenPGP key {fp} was not a signing key at {} (its binding self-signature of {} lacks the signing flag{})",
                    format_utc(t),
                    format_utc(b.at),
                    if self.subkey {
                        " or a back signature that verifies"
                    } else {
                        ""
                    }
                ),
            });
        }
        Ok(())
    }
}

fn time_invalid(why: String) -> Refusal {
    Refusal {
        kind: RefusalKind::TimeInvalid,
        why,
    }
}

fn primary_component(key: &SignedPublicKey) -> Component {
    let primary = &key.primary_key;
    let direct = key
        .details
        .direct_signatures
        .iter()
        .filter(|s| s.typ() == Some(SignatureType::Key) && s.verify_key(primary).is_ok());
    let user_ids = key.details.users.iter().flat_map(|u| {
        u.signatures.iter().filter(move |s| {
            is_self_certification(s) && s.verify_certification(primary, Tag::UserId, &u.id).is_ok()
        })
    });
    let created = secs(primary.created_at().as_secs());
    let bindings = direct
        .chain(user_ids)
        .map(|s| binding(s, created, flags_allow_signing(s)))
        .collect();
    let revocations = key
        .details
        .revocation_signatures
        .iter()
        .filter(|s| s.verify_key(primary).is_ok())
        .map(revocation)
        .collect();
    component(
        hex_upper(primary.fingerprint().as_bytes()),
        false,
        created,
        bindings,
        revocations,
    )
}

fn subkey_component(primary: &PublicKey, sub: &SignedPublicSubKey) -> Component {
    let created = secs(sub.key.created_at().as_secs());
    let verified = |s: &&Signature| s.verify_subkey_binding(primary, &sub.key).is_ok();
    let bindings = sub
        .signatures
        .iter()
        .filter(|s| s.typ() == Some(SignatureType::SubkeyBinding))
        .filter(verified)
        .map(|s| {
            binding(
                s,
                created,
                s.key_flags().sign() && back_signed(s, primary, sub),
            )
        })
        .collect();
    let revocations = sub
        .signatures
        .iter()
        .filter(|s| s.typ() == Some(SignatureType::SubkeyRevocation))
        .filter(verified)
        .map(revocation)
        .collect();
    component(
        hex_upper(sub.key.fingerprint().as_bytes()),
        true,
        created,
        bindings,
        revocations,
    )
}

fn component(
    fingerprint: String,
    subkey: bool,
    created: i64,
    mut bindings: Vec<Binding>,
    revocations: Vec<Revocation>,
) -> Component {
    bindings.sort_by_key(|b| b.at);
    Component {
        fingerprint,
        subkey,
        created,
        bindings,
        revocations,
    }
}

/// A signing subkey proves it consents to the binding with an embedded primary-key binding
/// signature; without it anyone could bind someone else's signing key as their own subkey.
fn back_signed(binding: &Signature, primary: &PublicKey, sub: &SignedPublicSubKey) -> bool {
    binding
        .embedded_signature()
        .is_some_and(|b| b.verify_primary_key_binding(&sub.key, primary).is_ok())
}

/// Whether the key's holder certified this user id: an id without a self-signature that
/// verifies is anyone's claim, and must not name who signed.
pub fn certified(primary: &PublicKey, user: &SignedUser) -> bool {
    user.signatures.iter().any(|s| {
        is_self_certification(s)
            && s.verify_certification(primary, Tag::UserId, &user.id)
                .is_ok()
    })
}

fn is_self_certification(s: &Signature) -> bool {
    matches!(
        s.typ(),
        Some(
            SignatureType::CertGeneric
                | SignatureType::CertPersona
                | SignatureType::CertCasual
                | SignatureType::CertPositive
        )
    )
}

/// A primary key binding without key flags predates them (RFC 4880 keys): its algorithm decides,
/// and custody only verifies signatures, so it may sign.
fn flags_allow_signing(s: &Signature) -> bool {
    let has_flags = s.config().is_some_and(|c| {
        c.hashed_subpackets()
            .any(|p| matches!(p.data, SubpacketData::KeyFlags(_)))
    });
    !has_flags || s.key_flags().sign()
}

fn binding(s: &Signature, created: i64, signs: bool) -> Binding {
    let expires = s
        .key_expiration_time()
        .map(|d| d.as_secs())
        .filter(|d| *d > 0)
        .map(|d| created + i64::from(d));
    Binding {
        at: s.created().map_or(created, |t| secs(t.as_secs())),
        expires,
        signs,
    }
}

fn revocation(s: &Signature) -> Revocation {
    let code = s.revocation_reason_code();
    let soft = matches!(
        code,
        Some(RevocationCode::KeySuperseded | RevocationCode::KeyRetired)
    );
    let reason = match code {
        None => "no reason given".to_owned(),
        Some(RevocationCode::KeySuperseded) => "superseded".to_owned(),
        Some(RevocationCode::KeyRetired) => "retired".to_owned(),
        Some(RevocationCode::KeyCompromised) => "compromised".to_owned(),
        Some(RevocationCode::NoReason) => "no reason given".to_owned(),
        Some(other) => format!("reason {other:?}"),
    };
    Revocation {
        at: s.created().map_or(0, |t| secs(t.as_secs())),
        hard: !soft,
        reason,
    }
}

fn secs(s: u32) -> i64 {
    i64::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn key(subkey: bool, created: i64, bindings: &[(i64, Option<i64>, bool)]) -> Component {
        let bindings = bindings
            .iter()
            .map(|&(at, expires, signs)| Binding { at, expires, signs })
            .collect();
        component("AB".into(), subkey, created, bindings, vec![])
    }

    fn revoked(mut c: Component, at: i64, hard: bool) -> Component {
        c.revocations.push(Revocation {
            at,
            hard,
            reason: "test".into(),
        });
        c
    }

    fn code(r: Result<(), Refusal>) -> Option<RefusalKind> {
        r.err().map(|r| r.kind)
    }

    #[test]
    fn a_key_is_valid_until_its_expiry_and_an_extension_counts_from_its_own_date() {
        let k = key(false, 0, &[(0, Some(100), true), (150, Some(1000), true)]);
        assert_eq!(code(k.valid_at(0, true)), None);
        assert_eq!(code(k.valid_at(99, true)), None);
        assert_eq!(code(k.valid_at(100, true)), Some(RefusalKind::KeyExpired));
        // Expired, then extended at 150: signatures of the gap stay expired.
        assert_eq!(code(k.valid_at(120, true)), Some(RefusalKind::KeyExpired));
        assert_eq!(code(k.valid_at(150, true)), None);
        assert_eq!(code(k.valid_at(1000, true)), Some(RefusalKind::KeyExpired));
    }

    #[test]
    fn soft_revocations_keep_earlier_signatures_and_hard_ones_do_not() {
        let k = key(false, 0, &[(0, None, true)]);
        let soft = revoked(k.clone(), 500, false);
        assert_eq!(code(soft.valid_at(499, true)), None);
        assert_eq!(
            code(soft.valid_at(500, true)),
            Some(RefusalKind::KeyRevoked)
        );
        let hard = revoked(k, 500, true);
        assert_eq!(code(hard.valid_at(10, true)), Some(RefusalKind::KeyRevoked));
    }

    #[test]
    fn signatures_older_than_their_key_or_its_first_binding_are_refused() {
        let k = key(true, 50, &[(60, None, true)]);
        assert_eq!(code(k.valid_at(40, true)), Some(RefusalKind::TimeInvalid));
        assert_eq!(code(k.valid_at(55, true)), Some(RefusalKind::TimeInvalid));
        assert_eq!(code(k.valid_at(60, true)), None);
    }

    #[test]
    fn only_signing_keys_sign_and_a_subkey_needs_a_valid_primary() {
        let primary = key(false, 0, &[(0, Some(300), false)]);
        let signer = key(true, 10, &[(10, None, true)]);
        let encrypter = key(true, 10, &[(10, None, false)]);
        let unbound = key(true, 10, &[]);
        let v = Validity {
            primary,
            subkeys: vec![signer, encrypter, unbound],
        };
        // A certify-only primary key cannot sign itself but may certify a signing subkey.
        assert_eq!(
            code(v.check(None, 20, None, NOW)),
            Some(RefusalKind::KeyNotSigning)
        );
        assert_eq!(code(v.check(Some(0), 20, None, NOW)), None);
        assert_eq!(
            code(v.check(Some(1), 20, None, NOW)),
            Some(RefusalKind::KeyNotSigning)
        );
        assert_eq!(
            code(v.check(Some(2), 20, None, NOW)),
            Some(RefusalKind::NotAllowed)
        );
        // The primary key's expiry ends its subkeys' signatures too.
        assert_eq!(
            code(v.check(Some(0), 300, None, NOW)),
            Some(RefusalKind::KeyExpired)
        );
    }

    #[test]
    fn signatures_may_not_be_from_the_future_nor_past_their_own_expiry() {
        assert_eq!(code(signature_window(NOW + CLOCK_SKEW, None, NOW)), None);
        assert_eq!(
            code(signature_window(NOW + CLOCK_SKEW + 1, None, NOW)),
            Some(RefusalKind::TimeInvalid)
        );
        assert_eq!(code(signature_window(NOW - 10, Some(0), NOW)), None);
        assert_eq!(code(signature_window(NOW - 10, Some(11), NOW)), None);
        assert_eq!(
            code(signature_window(NOW - 10, Some(10), NOW)),
            Some(RefusalKind::SignatureExpired)
        );
    }
}
