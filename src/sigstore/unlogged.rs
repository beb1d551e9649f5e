//! Keyless evidence with no transparency log entry and no timestamp: bare DSSE envelopes whose
//! signature carries a Fulcio certificate, as slsa-github-generator up to v1.10 wrote them in
//! `.intoto.jsonl` files.
//!
//! Offline there is no trusted signing time, so the chain is checked at the certificate's own
//! `notBefore` (a time the certificate asserts, reported as such), the embedded SCT against the
//! root's CT logs, and the envelope's signature with the certificate's key. The transparency
//! log step is reported as *not performed*; the caller decides whether a policy accepts that.
//!
//! sigstore-verify has no entry point for evidence without a time source, so these steps are
//! custody's own, with rustls-webpki (the same path validation sigstore-verify uses) and
//! aws-lc-rs.

use super::codes::Code;
use rustls_pki_types::{CertificateDer, UnixTime};
use sha2::{Digest, Sha256};
use webpki::{EndEntityCert, KeyUsage};
use x509_cert::der::asn1::OctetString;
use x509_cert::der::{Decode, Encode};

use super::TrustedRoot;
use super::bundle::BundleOutcome;
use super::certificate::CertificateFacts;
use crate::check::Check;
use crate::key::PublicKey;

/// id-kp-codeSigning (1.3.6.1.5.5.7.3.3), DER contents.
const CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];
/// The embedded SCT list extension (RFC 6962).
const SCT_LIST_OID: &str = "1.3.6.1.4.1.11129.2.4.2";

/// Verify a certificate-signed envelope: chain, SCT, then one of `signatures` over `pae`.
/// Every step that ran passed; the log step is for the caller to report.
pub fn verify_unlogged(
    root: &TrustedRoot,
    cert: &[u8],
    pae: &[u8],
    signatures: &[&[u8]],
) -> Result<BundleOutcome, Check> {
    let info = sigstore_crypto::parse_certificate_info(&sigstore_types::DerCertificate::from(
        cert.to_vec(),
    ))
    .map_err(|e| {
        Check::fail(
            Code::CertificateChainInvalid,
            format!("step 1 (certificate chain): malformed certificate: {e}"),
        )
    })?;
    let facts = CertificateFacts::from_certificate(&info, cert);
    let at = facts.not_before;
    let issuer_spki = chain(root, cert, at)?;
    let sct_time = sct(root, cert, &issuer_spki)?;
    let key =
        PublicKey::from_spki_der(info.public_key.as_bytes(), "certificate key").map_err(|e| {
            Check::fail(
                Code::SignatureInvalid,
                format!("step 7 (signature): the certificate's key cannot be used: {e}"),
            )
        })?;
    if !signatures.iter().any(|s| key.verify(pae, s).is_some()) {
        return Err(Check::fail(
            Code::SignatureInvalid,
            "step 7 (signature): no signature over the envelope verifies with the certificate's key",
        ));
    }
    Ok(BundleOutcome {
        certificate: facts,
        steps: vec![
            Check::pass(
                Code::CertificateChainVerified,
                format!(
                    "certificate chain: chains to a Fulcio CA of the {} at the certificate's own notBefore ({at}, \
                     asserted by the certificate: no log entry or timestamp gives a trusted time)",
                    root.name()
                ),
            ),
            Check::pass(
                Code::SctVerified,
                format!("SCT: verifies against a trusted CT log (logged at {sct_time} ms)"),
            ),
        ],
    })
}

/// Validate the path to a Fulcio CA trusted at `at`; the issuer's SubjectPublicKeyInfo DER.
fn chain(root: &TrustedRoot, leaf: &[u8], at: i64) -> Result<Vec<u8>, Check> {
    let fail = |m: String| {
        Check::fail(
            Code::CertificateChainInvalid,
            format!("step 1 (certificate chain): {m}"),
        )
    };
    let trusted: Vec<&Vec<u8>> = root
        .fulcio
        .iter()
        .filter(|(_, w)| w.contains(at))
        .map(|(der, _)| der)
        .collect();
    let anchors: Vec<_> = trusted
        .iter()
        .filter_map(|der| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                .ok()
                .map(|a| a.to_owned())
        })
        .collect();
    if anchors.is_empty() {
        return Err(fail(format!(
            "no Fulcio CA of the {} is trusted at {at}",
            root.name()
        )));
    }
    let der = CertificateDer::from(leaf);
    let ee =
        EndEntityCert::try_from(&der).map_err(|e| fail(format!("malformed certificate: {e}")))?;
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.max(0) as u64));
    ee.verify_for_usage(
        sigstore_crypto::WEBPKI_VERIFICATION_ALGS,
        &anchors,
        &[],
        time,
        KeyUsage::required(CODE_SIGNING),
        None,
        None,
    )
    .map_err(|e| fail(format!("does not chain to a trusted Fulcio CA: {e:?}")))?;
    // The issuer: the trusted certificate whose subject is the leaf's issuer.
    let leaf = x509_cert::Certificate::from_der(leaf).map_err(|e| fail(e.to_string()))?;
    trusted
        .iter()
        .filter_map(|der| x509_cert::Certificate::from_der(der).ok())
        .find(|c| c.tbs_certificate.subject == leaf.tbs_certificate.issuer)
        .and_then(|c| c.tbs_certificate.subject_public_key_info.to_der().ok())
        .ok_or_else(|| fail("the issuing CA is not in the trusted root".into()))
}

/// Verify the leaf's embedded SCT (RFC 6962 §3.2, precertificate entry); its timestamp (ms).
fn sct(root: &TrustedRoot, leaf: &[u8], issuer_spki: &[u8]) -> Result<u64, Check> {
    let fail = |m: &str| Check::fail(Code::SctInvalid, format!("step 2 (SCT): {m}"));
    let cert = x509_cert::Certificate::from_der(leaf).map_err(|_| fail("malformed certificate"))?;
    let mut tbs = cert.tbs_certificate.clone();
    let exts = tbs.extensions.take().unwrap_or_default();
    let (sct_ext, rest): (Vec<_>, Vec<_>) = exts
        .into_iter()
        .partition(|e| e.extn_id.to_string() == SCT_LIST_OID);
    let Some(ext) = sct_ext.first() else {
        return Err(fail("the certificate has no embedded SCT"));
    };
    tbs.extensions = Some(rest);
    let precert = tbs
        .to_der()
        .map_err(|_| fail("cannot re-encode the certificate"))?;
    let list = OctetString::from_der(ext.extn_value.as_bytes())
        .map_err(|_| fail("malformed SCT extension"))?;
    let mut r = Reader(list.as_bytes());
    let total = r.u16().ok_or_else(|| fail("malformed SCT list"))? as usize;
    let mut body = Reader(r.take(total).ok_or_else(|| fail("malformed SCT list"))?);
    let issuer_hash: [u8; 32] = Sha256::digest(issuer_spki).into();
    while !body.0.is_empty() {
        let len = body.u16().ok_or_else(|| fail("malformed SCT"))? as usize;
        let mut s = Reader(body.take(len).ok_or_else(|| fail("malformed SCT"))?);
        let parsed = (|| {
            let version = s.take(1)?[0];
            let log_id: [u8; 32] = s.take(32)?.try_into().ok()?;
            let ts = u64::from_be_bytes(s.take(8)?.try_into().ok()?);
            let ext_len = s.u16()? as usize;
            let exts = s.take(ext_len)?;
            let _algs = s.take(2)?;
            let sig_len = s.u16()? as usize;
            let sig = s.take(sig_len)?;
            Some((version, log_id, ts, exts, sig))
        })();
        let Some((0, log_id, ts, exts, sig)) = parsed else {
            continue;
        };
        let Some((_, spki, window)) = root.ct_logs.iter().find(|(id, _, _)| *id == log_id) else {
            continue;
        };
        if !window.contains((ts / 1000) as i64) {
            continue;
        }
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&ts.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes());
        signed.extend_from_slice(&issuer_hash);
        signed.extend_from_slice(&(precert.len() as u32).to_be_bytes()[1..]);
        signed.extend_from_slice(&precert);
        signed.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        signed.extend_from_slice(exts);
        if PublicKey::from_spki_der(spki, "CT log")
            .ok()
            .is_some_and(|k| k.verify(&signed, sig).is_some())
        {
            return Ok(ts);
        }
    }
    Err(fail(
        "no embedded SCT verifies against a CT log of the trusted root",
    ))
}

/// A cursor over TLS-encoded bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
}
