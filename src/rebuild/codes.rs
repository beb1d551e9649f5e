//! The check codes `custody rebuild` reports, each with what `custody explain` says about it.

use crate::check::Code;

/// Every check code `rebuild` reports, for `custody explain`.
pub const CODES: &[Code] = &[
    Code {
        code: "rebuild-source",
        summary: "Which commit was rebuilt, and from where",
        description: "The reviewed commit (--source-rev, default HEAD) is exported from git's \
            objects into a fresh scratch directory, never from the working tree, so \
            uncommitted edits can neither enter the build nor hide from it. The build gets \
            SOURCE_DATE_EPOCH set to the commit's committer time.",
    },
    Code {
        code: "rebuild-network-isolated",
        summary: "The build ran without network",
        description: "The build runs in a new network namespace (util-linux unshare, as root \
            or with --map-root-user), where only a downed loopback exists. Where the machine \
            does not allow namespaces this is not performed, and the verdict cannot pass: a \
            build that downloads can reproduce something other than the reviewed source. Run \
            custody where unprivileged user namespaces are enabled, or as root.",
    },
    Code {
        code: "rebuild-filesystem-confined",
        summary: "The build could write only its scratch directory",
        description: "In its own mount namespace, every mount except the scratch directory \
            (and a fixed build path) is remounted read-only before the build starts, so a \
            build cannot change the user's files or plant something for the next build. The \
            build starts with no capabilities (util-linux setpriv, no-new-privs), so root inside \
            the namespace can neither remount nor join another network namespace. A mount that \
            could not be remounted, or a missing setpriv, is named, and the check is not \
            performed.",
    },
    Code {
        code: "rebuild-build",
        summary: "The build command succeeded",
        description: "The build's exit status, or that it was killed at its timeout (the \
            whole process group is killed). Its standard output and error are in the log file \
            the message names, which is kept.",
    },
    Code {
        code: "rebuild-output",
        summary: "The rebuilt artifact was found",
        description: "The rebuilt artifact is --built PATH (relative to the checkout), or the \
            one file the build left with the artifact's file name (among the policy's \
            outputs when given; a single output of another name is also taken). None, or \
            several, fails: name it with --built or outputs.",
    },
    Code {
        code: "rebuild-reproduced",
        summary: "The rebuilt artifact equals the published one",
        description: "Passes when both have the same SHA-256. Otherwise the archives are \
            compared member by member; each difference is metadata (mtime, uid/gid, owner, \
            permissions, member order, compression) or content (bytes, members added or \
            removed, link targets, setuid/setgid). With accept = \"content\" a rebuild whose \
            differences are all metadata passes, and the report says that contents, not \
            bytes, were compared. Content differences always fail: the published artifact \
            holds something the reviewed source does not build.",
    },
];

#[cfg(test)]
mod tests {
    use super::CODES;

    /// Every code literal in the module's sources has an entry, and every entry is used.
    #[test]
    fn every_code_reported_is_registered_once() {
        let text = [include_str!("mod.rs"), include_str!("comparison.rs")].concat();
        let mut used = std::collections::BTreeSet::new();
        for piece in text.split('"').skip(1).step_by(2) {
            if piece.starts_with("rebuild-")
                && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            {
                used.insert(piece);
            }
        }
        let registered: std::collections::BTreeSet<&str> = CODES.iter().map(|c| c.code).collect();
        assert_eq!(registered.len(), CODES.len());
        assert_eq!(used, registered);
    }
}
