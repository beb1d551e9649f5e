//! The check codes `custody compare` reports, each with what `custody explain` says about it.

use crate::check::Code;

/// Every check code `compare` reports, for `custody explain`.
pub const CODES: &[Code] = &[
    Code {
        code: "archive-unreadable",
        summary: "The artifact is not an archive custody reads, or it is corrupt",
        description: "custody reads tar (plain, gzip, xz, bzip2, zstd) and zip archives, \
            recognised by their magic bytes, and the packages built on them (.crate, sdist, \
            wheel, npm .tgz). A file that is none of these, or whose stream is truncated or \
            corrupt, cannot be compared, so the comparison fails. Rebuild the archive, or check \
            that the right file was given.",
    },
    Code {
        code: "archive-ambiguous",
        summary: "Extractors could read the archive two ways",
        description: "The tools that unpack a release (GNU tar, bsdtar, Python's tarfile, pip, \
            unzip, streaming zip readers) do not always agree on what an archive holds: a pax \
            path beside a GNU long name, two path records, a prefix field under a non-ustar \
            magic, a link that declares content, data after the end-of-archive marker, a zip \
            entry named differently in its local header and the central directory, bytes \
            between zip entries, a file that is both a tar and a zip, or a name that promises \
            another format than the bytes. custody compares what it reads, so where readers \
            disagree it cannot vouch for what any of them unpacks, and refuses the archive. \
            Legitimate packaging tools never write these; rebuild the archive with one.",
    },
    Code {
        code: "archive-bomb",
        summary: "The archive unpacks past the size or compression-ratio limit",
        description: "Unpacked bytes are counted as they stream out of the decompressor; reading \
            stops once they pass 8 GiB, or (past 16 MiB) more than 200 times the bytes read \
            from disk. Real source releases compress 3-10x; a higher ratio is a zip or gzip \
            bomb. Nothing after the limit is compared.",
    },
    Code {
        code: "archive-limit",
        summary: "Too many entries, or an entry path too long or too deep",
        description: "An archive may hold at most 1,000,000 entries; an entry path at most 4096 \
            bytes and 256 components. Past these, the archive is treated as hostile.",
    },
    Code {
        code: "archive-absolute-path",
        summary: "An entry has an absolute path",
        description: "An entry named /etc/... (or C:\\... in a zip) would be written outside \
            the extraction directory by a naive extractor. No release needs one.",
    },
    Code {
        code: "archive-path-traversal",
        summary: "An entry path contains `..`",
        description: "A `..` component lets an entry climb out of the extraction directory \
            (\"zip slip\"). No release needs one.",
    },
    Code {
        code: "archive-link-escape",
        summary: "A symlink or hard link points outside the archive",
        description: "A symlink whose target, resolved from its own directory, leaves the \
            archive root; an absolute or `..` hard link; or an entry written through a symlink \
            the archive itself created. Extractors that follow them write or read outside the \
            extraction directory.",
    },
    Code {
        code: "archive-duplicate-entry",
        summary: "A path is stored twice",
        description: "Tar keeps both copies and extraction keeps the last, so a reviewer who \
            reads the first sees other content than the user who extracts. Each copy is \
            classified; the duplication itself fails.",
    },
    Code {
        code: "archive-special-entry",
        summary: "A device node, FIFO, socket, or hard link to no earlier file",
        description: "Source releases hold files, directories and symlinks. Special files have \
            no place in them, and a hard link to an entry that does not precede it is corrupt \
            or hostile.",
    },
    Code {
        code: "archive-path-invalid",
        summary: "An entry path is not UTF-8 or holds a NUL byte",
        description: "Such a path matches no repository path and is treated differently by \
            different extractors.",
    },
    Code {
        code: "contents-commit",
        summary: "Which commit the archive was compared with",
        description: "The archive is compared with the commit --source-rev names (default \
            HEAD), unless it names its own: a crate's .cargo_vcs_info.json (git.sha1) or npm's \
            gitHead. A named commit must be the reviewed commit or one of its ancestors; \
            otherwise this fails and the reviewed commit is used, so differences show what \
            was not reviewed. A crate packaged from a dirty working tree is noted here.",
    },
    Code {
        code: "contents-modified",
        summary: "A file differs from the commit's file at the same path",
        description: "The report shows a short unified diff for text, and sizes and the first \
            differing byte for binary files. Unless a packaging rule explains the difference, \
            the archive does not hold the reviewed source.",
    },
    Code {
        code: "contents-unexplained",
        summary: "A file is in the archive but not in the commit, and nothing explains it",
        description: "The xz-utils backdoor hid in such a file (m4/build-to-host.m4). Files \
            written by known packaging tools are explained by named rules; others may be \
            permitted with --allow-extra GLOB. Build outputs (ELF, Mach-O, PE, static \
            libraries, assembly) are recognised by their bytes, whatever their names. A file \
            whose SHA-1 shows a collision attack also fails here.",
    },
    Code {
        code: "contents-build-output",
        summary: "Build outputs the policy allows, named so a person looks at them",
        description: "Object files, libraries, executables and assembly that exist only in the \
            archive are named by kind even when allow-extra permits them. This check passes; \
            it is there to be read.",
    },
    Code {
        code: "contents-matches-source",
        summary: "Every archive file is identical to the commit or explained",
        description: "The overall contents verdict. Not performed when the archive could not \
            be read to its end.",
    },
];

#[cfg(test)]
mod tests {
    use super::CODES;

    /// Every code literal in the module's sources has an entry, and every entry is used.
    #[test]
    fn every_code_reported_is_registered_once() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("checks.rs"),
            include_str!("scan.rs"),
            include_str!("classify.rs"),
        ];
        let mut used = std::collections::BTreeSet::new();
        for text in sources {
            for piece in text.split('"').skip(1).step_by(2) {
                let is_code = (piece.starts_with("archive-") || piece.starts_with("contents-"))
                    && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
                if is_code {
                    used.insert(piece);
                }
            }
        }
        let registered: std::collections::BTreeSet<&str> = CODES.iter().map(|c| c.code).collect();
        assert_eq!(registered.len(), CODES.len(), "a code is registered twice");
        assert_eq!(used, registered);
    }
}
