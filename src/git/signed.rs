//! Commit signatures, split out of a commit object the way git splits them to verify.

/// A commit object split as git splits it to verify it (`parse_buffer_signed_by_header` in git's
/// commit.c): the signature in `header` (its continuation lines joined, without their leading
/// space), and the payload it signs, which is the object without that header and without any
/// other `gpgsig*` header (the other object format's signature, which a commit made during the
/// SHA-1 to SHA-256 transition may carry too). Only headers are read: the message after the
/// first empty line is payload whatever it holds. libgit2's `git_commit_extract_signature` is
/// not used: it keeps other signature headers in the payload, and mangles a `gpgsig-sha256`
/// header when asked for `gpgsig`, so such commits would not verify where git says they do.
pub fn split_signed(object: &[u8], header: &str) -> (Option<Vec<u8>>, Vec<u8>) {
    let mut signature: Option<Vec<u8>> = None;
    let mut payload = Vec::with_capacity(object.len());
    let (mut in_signature, mut other) = (false, false);
    let mut rest = object;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let (line, next) = rest.split_at(end);
        let mut sig = None;
        if in_signature && line.starts_with(b" ") {
            sig = Some(&line[1..]);
        } else if line.starts_with(header.as_bytes()) && line.get(header.len()) == Some(&b' ') {
            sig = Some(&line[header.len() + 1..]);
            other = false;
        } else if line.starts_with(b"gpgsig") {
            other = true;
        } else if other && !line.starts_with(b" ") {
            other = false;
        }
        match sig {
            Some(sig) => {
                signature
                    .get_or_insert_with(Vec::new)
                    .extend_from_slice(sig);
                in_signature = true;
            }
            None => {
                if line == b"\n" {
                    payload.extend_from_slice(rest);
                    break;
                }
                if !other {
                    payload.extend_from_slice(line);
                }
                in_signature = false;
            }
        }
        rest = next;
    }
    (signature, payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_split_into_signature_and_payload_as_git_splits_them() {
        let object = b"tree t\nparent p\nauthor a\ncommitter c\ngpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n BBBB\n -----END SSH SIGNATURE-----\nmergetag object o\n type commit\n\nmessage\ngpgsig-sha256 in the message\n continued\n";
        let payload = b"tree t\nparent p\nauthor a\ncommitter c\nmergetag object o\n type commit\n\nmessage\ngpgsig-sha256 in the message\n continued\n".to_vec();
        assert_eq!(
            split_signed(object, "gpgsig"),
            (
                Some(
                    b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n".to_vec()
                ),
                payload.clone()
            )
        );
        assert_eq!(
            split_signed(object, "gpgsig-sha256"),
            (
                Some(
                    b"-----BEGIN SSH SIGNATURE-----\nBBBB\n-----END SSH SIGNATURE-----\n".to_vec()
                ),
                payload
            )
        );
        // No header of the repository's format: unsigned, whatever else is there.
        let plain = b"tree t\nauthor a\ncommitter c\ngpgsig x\n y\n\nm";
        assert_eq!(
            split_signed(plain, "gpgsig-sha256"),
            (None, b"tree t\nauthor a\ncommitter c\n\nm".to_vec())
        );
        assert_eq!(
            split_signed(b"tree t", "gpgsig"),
            (None, b"tree t".to_vec())
        );
        // A header that merely starts like the signature header is not it.
        assert_eq!(split_signed(b"tree t\ngpgsigx y\n\nm", "gpgsig").0, None);
    }
}
