//! What kind of build output a file is, from its first bytes (and, for assembly, its name).
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

#[cfg(test)]
mod tests {
    use super::*;

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
