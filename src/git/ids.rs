//! Object ids that know what they name and in which object format.

use std::fmt;

use git2::Oid;

/// The hash a repository names its objects with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectFormat {
    Sha1,
    Sha256,
}

impl ObjectFormat {
    pub(super) fn of(f: git2::ObjectFormat) -> ObjectFormat {
        match f {
            git2::ObjectFormat::Sha1 => ObjectFormat::Sha1,
            git2::ObjectFormat::Sha256 => ObjectFormat::Sha256,
        }
    }

    fn raw(self) -> git2::ObjectFormat {
        match self {
            ObjectFormat::Sha1 => git2::ObjectFormat::Sha1,
            ObjectFormat::Sha256 => git2::ObjectFormat::Sha256,
        }
    }

    /// As git's `extensions.objectformat` spells it.
    pub fn name(self) -> &'static str {
        match self {
            ObjectFormat::Sha1 => "sha1",
            ObjectFormat::Sha256 => "sha256",
        }
    }

    /// Hex digits in a full object id.
    pub fn hex_len(self) -> usize {
        match self {
            ObjectFormat::Sha1 => 40,
            ObjectFormat::Sha256 => 64,
        }
    }

    /// The commit header git signs in: `gpgsig` in a SHA-1 repository, `gpgsig-sha256` in a
    /// SHA-256 one.
    pub fn signature_header(self) -> &'static str {
        match self {
            ObjectFormat::Sha1 => "gpgsig",
            ObjectFormat::Sha256 => "gpgsig-sha256",
        }
    }

    /// The format whose full ids have `len` hex digits.
    pub fn of_hex_len(len: usize) -> Option<ObjectFormat> {
        match len {
            40 => Some(ObjectFormat::Sha1),
            64 => Some(ObjectFormat::Sha256),
            _ => None,
        }
    }

    /// How reports name the format.
    pub fn title(self) -> &'static str {
        match self {
            ObjectFormat::Sha1 => "SHA-1",
            ObjectFormat::Sha256 => "SHA-256",
        }
    }
}

impl fmt::Display for ObjectFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A full id in `format` from its hex digits; `None` unless it has exactly the format's length.
fn parse(hex: &str, format: ObjectFormat) -> Option<Oid> {
    if hex.len() != format.hex_len() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Oid::from_str_ext(hex, format.raw()).ok()
}

macro_rules! object_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(super) Oid);

        impl $name {
            /// A full id of this format from hex; `None` unless it has the format's length.
            pub fn parse(hex: &str, format: ObjectFormat) -> Option<$name> {
                parse(hex, format).map($name)
            }

            /// The lowercase hex id.
            pub fn hex(&self) -> String {
                self.0.to_string()
            }

            /// The object format the id is in.
            pub fn format(&self) -> ObjectFormat {
                if self.0.as_bytes().len() == 32 {
                    ObjectFormat::Sha256
                } else {
                    ObjectFormat::Sha1
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

object_id!(
    /// A commit.
    CommitId
);
object_id!(
    /// A tree.
    TreeId
);
object_id!(
    /// A blob: a file's content (or a symlink's target) as git stores it.
    BlobId
);

impl BlobId {
    /// A blob id custody computed itself (20 bytes SHA-1, 32 bytes SHA-256).
    pub fn from_digest(bytes: &[u8]) -> BlobId {
        BlobId(Oid::from_bytes(bytes).expect("a SHA-1 or SHA-256 digest"))
    }

    /// The id no blob has, as a placeholder before hashing.
    pub const ZERO: BlobId = BlobId(Oid::ZERO_SHA1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_at_their_format_length() {
        let sha1 = "a".repeat(40);
        let sha256 = "b".repeat(64);
        assert!(CommitId::parse(&sha1, ObjectFormat::Sha1).is_some());
        assert!(CommitId::parse(&sha1, ObjectFormat::Sha256).is_none());
        assert!(CommitId::parse(&sha256, ObjectFormat::Sha1).is_none());
        let id = CommitId::parse(&sha256, ObjectFormat::Sha256).unwrap();
        assert_eq!((id.hex(), id.format()), (sha256, ObjectFormat::Sha256));
        assert!(CommitId::parse("xyz", ObjectFormat::Sha1).is_none());
        assert_eq!(
            BlobId::from_digest(&[0u8; 32]).format(),
            ObjectFormat::Sha256
        );
    }
}
