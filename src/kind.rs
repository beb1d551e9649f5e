//! What kind of build output or binary a file is, from its first bytes (and, for assembly and
//! minified code, its name and lines).
//!
//! An object file slipped into a source release is the shape of a backdoor whatever it is
//! called, so the kind comes from magic numbers, never from the extension alone.

/// Bytes of an entry's head kept to recognise its kind.
pub(crate) const HEAD_LEN: usize = 8;

/// The kind of build output a file is, or `None` for anything else (source, text, data).
pub(crate) fn build_output_kind(head: &[u8], name: &str) -> Option<&'static str> {
    const MACHO: [[u8; 4]; 4] = [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xcf, 0xfa, 0xed, 0xfe],
    ];
    if head.starts_with(b"\x7fELF") {
        return Some("ELF object or executable");
    }
    if head.len() >= 4 && MACHO.iter().any(|m| head[..4] == m[..]) {
        return Some("Mach-O object or executable");
    }
    if head.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) {
        // Fat Mach-O binaries and Java class files share this magic; both are build outputs.
        return Some("Mach-O universal binary or Java class");
    }
    if head.starts_with(b"MZ") {
        return Some("PE/COFF executable or DLL");
    }
    if head.starts_with(b"!<arch>\n") || head.starts_with(b"!<thin>\n") {
        return Some("static library (ar archive)");
    }
    if head.starts_with(b"\0asm") {
        return Some("WebAssembly module");
    }
    if head.starts_with(&[0x4c, 0x01]) || head.starts_with(&[0x64, 0x86]) {
        return Some("COFF object file");
    }
    let lower = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    if [".s", ".asm"].iter().any(|ext| lower.ends_with(ext)) {
        return Some("assembly source");
    }
    None
}

/// Bytes of a file read to judge whether it is binary or minified.
pub const SNIFF_LEN: usize = 8192;

/// What a file entering a repository is, when it is not source a reviewer can read: object code
/// and executables, archives and compressed data, minified code, other binary data. `head` is
/// the file's first bytes (up to [`SNIFF_LEN`]), `size` its whole size.
pub fn entering_kind(head: &[u8], name: &str, size: u64) -> Option<&'static str> {
    let lower = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    if let Some(kind) = build_output_kind(head, name)
        && kind != "assembly source"
    {
        return Some(kind);
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (&[0x1f, 0x8b], "gzip-compressed data"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz-compressed data"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed data"),
        (b"BZh", "bzip2-compressed data"),
        (&[0x5d, 0x00, 0x00], "lzma-compressed data"),
        (b"PK\x03\x04", "zip archive"),
        (b"PK\x05\x06", "zip archive (empty)"),
        (&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c], "7-zip archive"),
        (b"Rar!", "RAR archive"),
        (b"\x89PNG", "PNG image"),
        (&[0xff, 0xd8, 0xff], "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF", "PDF document"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(kind);
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Some("tar archive");
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => Some(t),
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    let Some(text) = text.filter(|t| !t.contains('\0')) else {
        return Some("binary data");
    };
    let code = [".js", ".mjs", ".cjs", ".css"]
        .iter()
        .any(|e| lower.ends_with(e));
    if code
        && (lower.ends_with(".min.js")
            || lower.ends_with(".min.css")
            || (size > 2048 && text.lines().any(|l| l.len() > 1000)))
    {
        return Some("minified code");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entering_kinds_name_what_a_reviewer_cannot_read() {
        assert_eq!(
            entering_kind(b"\x7fELF\x02", "tests/files/good-1.lzma", 100),
            Some("ELF object or executable")
        );
        assert_eq!(
            entering_kind(
                &[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4],
                "tests/files/bad-3-corrupt_lzma2.xz",
                500
            ),
            Some("xz-compressed data")
        );
        assert_eq!(
            entering_kind(b"int main(void) { return 0; }\n", "src/main.c", 29),
            None
        );
        assert_eq!(
            entering_kind(b"\tmovq %rax, %rbx\n", "src/crc64_x86.S", 17),
            None
        );
        assert_eq!(
            entering_kind(b"\x00\x01\x02\x03", "data.bin", 4),
            Some("binary data")
        );
        let long = format!("var a={};", "x".repeat(3000));
        assert_eq!(
            entering_kind(long.as_bytes(), "dist/app.js", 3009),
            Some("minified code")
        );
        assert_eq!(entering_kind(long.as_bytes(), "notes.txt", 3009), None);
        assert_eq!(
            entering_kind(b"a", "vendor/jquery.min.js", 1),
            Some("minified code")
        );
    }

    #[test]
    fn recognises_objects_by_magic_whatever_the_name() {
        assert_eq!(
            build_output_kind(b"\x7fELF\x02\x01\x01\0", "tests/data/good.txt"),
            Some("ELF object or executable")
        );
        assert!(build_output_kind(b"!<arch>\n", "libx.a").is_some());
        assert!(build_output_kind(b"\xcf\xfa\xed\xfe", "x").is_some());
        assert!(build_output_kind(b"MZ\x90\0", "x.dll").is_some());
        assert!(build_output_kind(b"\tmovq", "crc64_x86.S").is_some());
        assert_eq!(build_output_kind(b"# m4 ma", "m4/build-to-host.m4"), None);
        assert_eq!(build_output_kind(b"fn main", "src/main.rs"), None);
    }
}
