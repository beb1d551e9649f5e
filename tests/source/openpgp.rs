//! OpenPGP key validity at the signature's date: expiry (and its extension), hard and soft
//! revocation of the primary key, revocation of a signing subkey, and self-signatures that do
//! not verify. Keys, revocations and signatures are made by real gpg with its clock faked to
//! dates in the past. Every passing case has a failing twin.

use super::git::{Person, Signing, World, codes, messages};

fn policy(w: &World, key_file: &str) -> String {
    w.write(
        "policy.toml",
        &format!("[review]\nopenpgp-keys = [\"{key_file}\"]\nrequire-signed = \"release\"\n"),
    );
    "policy.toml".to_owned()
}

/// Run `custody source DIR` and return its exit code, failing codes and their messages.
fn check(w: &World, dir: &str, p: &str) -> (i32, Vec<String>, String) {
    let (code, report) = w.source_json(&[dir, "--policy", p]);
    let mut failed = codes(&report, "fail");
    failed.extend(codes(&report, "not-performed"));
    let text = failed
        .iter()
        .map(|c| messages(&report, c))
        .collect::<Vec<_>>()
        .join("\n");
    (code, failed, text)
}

/// One commit signed by `who` on `when`, in a new repository `dir`.
fn signed_repo(w: &World, dir: &str, who: &Person, when: &str) {
    w.repo(dir).commit_at(who, when, &[("a", when)]);
}

/// Revoke `who`'s primary key on `when` with gpg's reason `reason` (0 none, 1 compromised,
/// 2 superseded, 3 retired), through a revocation certificate imported into the keyring.
fn revoke(w: &World, who: &Person, when: &str, reason: &str) {
    let fpr = &w.gpg_fingerprints(who)[0];
    let cert = w.path("revocation.asc");
    let answers = format!("y\n{reason}\nrevoked by the test\n\ny\n");
    w.gpg_at(
        when,
        &["-a", "-o", cert.to_str().unwrap(), "--gen-revoke", fpr],
        Some(&answers),
    );
    w.gpg_at(when, &["--import", cert.to_str().unwrap()], None);
}

#[test]
fn a_signature_counts_until_its_key_expires_and_an_extension_counts_from_its_date() {
    let w = World::new();
    let erin = w.gpg_person_dated("Erin", "ed25519", Some("2020-01-01"), "2021-01-01");
    let fpr = w.gpg_fingerprints(&erin)[0].clone();
    w.export_gpg(&erin, "erin-2020.asc");
    signed_repo(&w, "before", &erin, "2020-06-01");
    // The key holder extends the expiry, then signs after the first expiry.
    w.gpg_at(
        "2020-09-01",
        &["--quick-set-expire", &fpr, "2099-01-01"],
        None,
    );
    signed_repo(&w, "after", &erin, "2021-06-01");

    let p = policy(&w, "erin-2020.asc");
    let (code, failed, text) = check(&w, "before", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");
    let (code, failed, text) = check(&w, "after", &p);
    assert_eq!((code, failed), (1, vec!["signer-key-expired".to_owned()]));
    for part in [
        fpr.as_str(),
        "expired 2021-01-01",
        "dated 2021-06-01T12:00:00Z",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }

    // With the extension in the key file, the later signature counts.
    w.export_gpg(&erin, "erin-extended.asc");
    let p = policy(&w, "erin-extended.asc");
    let (code, failed, text) = check(&w, "after", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");
}

#[test]
fn a_forged_self_signature_does_not_extend_a_key() {
    use pgp::composed::{ArmorOptions, Deserializable, SignedPublicKey};
    let w = World::new();
    let erin = w.gpg_person_dated("Erin", "ed25519", Some("2020-01-01"), "2021-01-01");
    let fpr = w.gpg_fingerprints(&erin)[0].clone();
    w.export_gpg(&erin, "erin-2020.asc");
    w.gpg_at(
        "2020-09-01",
        &["--quick-set-expire", &fpr, "2099-01-01"],
        None,
    );
    signed_repo(&w, "after", &erin, "2021-06-01");
    // Mallory's key has Erin's user id and no expiry; its self-signature, newer than Erin's,
    // is spliced into Erin's key as if it were Erin's own.
    let w2 = World::new();
    let fake = w2.gpg_person_dated("Erin", "ed25519", Some("2020-03-01"), "0");
    let read = |w: &World, f: &str| {
        let text = std::fs::read_to_string(w.path(f)).unwrap();
        SignedPublicKey::from_string(&text).unwrap().0
    };
    w2.export_gpg(&fake, "fake.asc");
    let mut key = read(&w, "erin-2020.asc");
    let forged = read(&w2, "fake.asc").details.users[0].signatures[0].clone();
    key.details.users[0].signatures.push(forged);
    let armored = key.to_armored_string(ArmorOptions::default()).unwrap();
    w.write("erin-forged.asc", &armored);

    let p = policy(&w, "erin-forged.asc");
    let (code, failed, text) = check(&w, "after", &p);
    assert_eq!(
        (code, failed),
        (1, vec!["signer-key-expired".to_owned()]),
        "{text}"
    );
}

#[test]
fn a_hard_revocation_invalidates_even_earlier_signatures() {
    let w = World::new();
    let gwen = w.gpg_person_dated("Gwen", "ed25519", Some("2020-01-01"), "0");
    signed_repo(&w, "r", &gwen, "2020-06-01");
    w.export_gpg(&gwen, "gwen.asc");
    let p = policy(&w, "gwen.asc");
    let (code, failed, text) = check(&w, "r", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");

    // Revoked three months after signing, without a reason: a thief could have backdated.
    revoke(&w, &gwen, "2020-09-01", "0");
    w.export_gpg(&gwen, "gwen.asc");
    let (code, failed, text) = check(&w, "r", &p);
    assert_eq!((code, failed), (1, vec!["signer-key-revoked".to_owned()]));
    let fpr = &w.gpg_fingerprints(&gwen)[0];
    for part in [fpr.as_str(), "revoked 2020-09-01", "no reason given"] {
        assert!(text.contains(part), "{part}: {text}");
    }
}

#[test]
fn a_superseded_key_keeps_the_signatures_made_before_its_revocation() {
    let w = World::new();
    let hugo = w.gpg_person_dated("Hugo", "ed25519", Some("2020-01-01"), "0");
    signed_repo(&w, "before", &hugo, "2020-06-01");
    signed_repo(&w, "after", &hugo, "2020-12-01");
    revoke(&w, &hugo, "2020-09-01", "2");
    w.export_gpg(&hugo, "hugo.asc");
    let p = policy(&w, "hugo.asc");

    let (code, failed, text) = check(&w, "before", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");
    let (code, failed, text) = check(&w, "after", &p);
    assert_eq!((code, failed), (1, vec!["signer-key-revoked".to_owned()]));
    assert!(
        text.contains("revoked 2020-09-01T12:00:00Z (superseded)"),
        "{text}"
    );
}

#[test]
fn a_revoked_signing_subkey_fails_while_its_primary_key_still_signs() {
    let w = World::new();
    let ivy = w.gpg_person_dated("Ivy", "ed25519", Some("2020-01-01"), "0");
    let primary = w.gpg_fingerprints(&ivy)[0].clone();
    w.gpg_at(
        "2020-01-02",
        &["--quick-add-key", &primary, "ed25519", "sign", "never"],
        None,
    );
    let subkey = w.gpg_fingerprints(&ivy)[1].clone();
    let by_subkey = Person {
        signing: Signing::Gpg(format!("{subkey}!")),
        ..ivy.clone()
    };
    let by_primary = Person {
        signing: Signing::Gpg(format!("{primary}!")),
        ..ivy.clone()
    };
    signed_repo(&w, "subkey", &by_subkey, "2020-06-01");
    signed_repo(&w, "primary", &by_primary, "2020-06-01");
    w.export_gpg(&ivy, "ivy.asc");
    let p = policy(&w, "ivy.asc");
    let (code, failed, text) = check(&w, "subkey", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");

    w.gpg_at(
        "2020-09-01",
        &["--edit-key", &primary],
        Some("key 1\nrevkey\ny\n0\n\ny\nsave\n"),
    );
    w.export_gpg(&ivy, "ivy.asc");
    let (code, failed, text) = check(&w, "subkey", &p);
    assert_eq!((code, failed), (1, vec!["signer-key-revoked".to_owned()]));
    assert!(
        text.contains(&format!("OpenPGP key {subkey} was revoked")),
        "{text}"
    );
    let (code, failed, text) = check(&w, "primary", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");
}

#[test]
fn signature_dates_are_judged_against_now() {
    let w = World::new();
    let jo = w.gpg_person_dated("Jo", "ed25519", Some("2020-01-01"), "0");
    // Dated far in the future of any test run.
    signed_repo(&w, "future", &jo, "2090-01-01");
    // A signature that expires a day after it was made, long ago.
    std::fs::write(w.home().join("gnupg/gpg.conf"), "default-sig-expire 1d\n").unwrap();
    signed_repo(&w, "expiring", &jo, "2020-06-01");
    w.export_gpg(&jo, "jo.asc");
    let p = policy(&w, "jo.asc");

    let (code, failed, text) = check(&w, "future", &p);
    assert_eq!(
        (code, failed),
        (1, vec!["signature-time-invalid".to_owned()])
    );
    assert!(
        text.contains("dated 2090-01-01T12:00:00Z, in the future"),
        "{text}"
    );
    let (code, failed, text) = check(&w, "expiring", &p);
    assert_eq!((code, failed), (1, vec!["signature-expired".to_owned()]));
    assert!(
        text.contains("made 2020-06-01T12:00:00Z expired 2020-06-02T12:00:00Z"),
        "{text}"
    );
}

/// The key file of `who` with a new binding of its first subkey, dated `when` (seconds), that
/// gives the subkey the authentication flag only: made with the primary secret key, so it
/// verifies.
fn rebind_without_signing(w: &World, who: &Person, when: u32) -> String {
    use pgp::composed::{ArmorOptions, Deserializable, SignedPublicKey, SignedSecretKey};
    use pgp::crypto::hash::HashAlgorithm;
    use pgp::packet::{KeyFlags, SignatureConfig, SignatureType, Subpacket, SubpacketData};
    use pgp::types::{KeyDetails, Password, Timestamp};
    let exported = w.gpg_at(
        "2020-06-01",
        &["--armor", "--export-secret-keys", &who.email],
        None,
    );
    let secret = SignedSecretKey::from_string(&exported).unwrap().0;
    let text = std::fs::read_to_string(w.export_gpg(who, "plain.asc")).unwrap();
    let mut public = SignedPublicKey::from_string(&text).unwrap().0;
    let primary = secret.primary_key.public_key();
    let mut flags = KeyFlags::default();
    flags.set_authentication(true);
    let mut config = SignatureConfig::v4(
        SignatureType::SubkeyBinding,
        primary.algorithm(),
        HashAlgorithm::Sha256,
    );
    config.hashed_subpackets = [
        SubpacketData::SignatureCreationTime(Timestamp::from_secs(when)),
        SubpacketData::IssuerFingerprint(primary.fingerprint()),
        SubpacketData::KeyFlags(flags),
    ]
    .into_iter()
    .map(|d| Subpacket::regular(d).unwrap())
    .collect();
    let sub = &mut public.public_subkeys[0];
    let binding = config
        .sign_subkey_binding(&secret.primary_key, primary, &Password::empty(), &sub.key)
        .unwrap();
    sub.signatures.push(binding);
    public.to_armored_string(ArmorOptions::default()).unwrap()
}

#[test]
fn a_subkey_bound_without_the_signing_flag_cannot_sign() {
    let w = World::new();
    let kim = w.gpg_person_dated("Kim", "ed25519", Some("2020-01-01"), "0");
    let primary = w.gpg_fingerprints(&kim)[0].clone();
    w.gpg_at(
        "2020-01-02",
        &["--quick-add-key", &primary, "ed25519", "sign", "never"],
        None,
    );
    let subkey = w.gpg_fingerprints(&kim)[1].clone();
    signed_repo(&w, "r", &kim, "2020-06-01");
    w.export_gpg(&kim, "kim.asc");
    let p = policy(&w, "kim.asc");
    let (code, failed, text) = check(&w, "r", &p);
    assert_eq!((code, failed), (0, vec![]), "{text}");

    // 2020-03-01: from then on the subkey is bound for authentication only.
    w.write("kim.asc", &rebind_without_signing(&w, &kim, 1_583_064_000));
    let (code, failed, text) = check(&w, "r", &p);
    assert_eq!(
        (code, failed),
        (1, vec!["signer-key-not-signing".to_owned()]),
        "{text}"
    );
    assert!(text.contains(&subkey), "{text}");
}
