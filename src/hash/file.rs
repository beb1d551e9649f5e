//! Reading one tree entry exactly once, safely, through a bounded buffer.
//!
//! A regular file is opened by name from its open directory with `O_NOFOLLOW | O_NONBLOCK`, so
//! a path swapped for a symlink or a FIFO after the walk can neither redirect nor block the
//! read, and `fstat` before and after reading proves the bytes seen are the file's whole,
//! unchanging content. A symlink is read as its target, never followed.

use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rustix::fs::{self, Mode, OFlags, ResolveFlags};

use crate::limits::{MAX_SYMLINK_TARGET, READ_BUFFER};

/// Page size the read buffer is aligned to: copying from the page cache into a page-aligned
/// buffer was measured 1.4–2.5× cheaper than into an unaligned one.
const ALIGN: usize = 4096;

thread_local! {
    /// One read buffer per thread, reused for every file that thread reads.
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0u8; READ_BUFFER + ALIGN]);
}

/// Why one entry could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The operating system refused an operation on the entry.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The entry's size, modification or change time, or kind differed between the start and
    /// the end of reading it: the bytes seen are not one consistent version of the file.
    #[error("changed while being hashed ({0})")]
    Changed(&'static str),
    /// A directory, FIFO, socket or device where a regular file was expected; it was opened
    /// without blocking and not read.
    #[error("not a regular file")]
    NotRegular,
    /// A symlink's target is longer than [`MAX_SYMLINK_TARGET`].
    #[error("symlink target longer than {MAX_SYMLINK_TARGET} bytes")]
    TargetTooLong,
}

/// What reading a regular file learned besides its content.
#[derive(Clone, Copy, Debug)]
pub struct FileInfo {
    pub size: u64,
    /// The owner's execute bit, the one bit of mode that git and Nix record.
    pub executable: bool,
}

/// Where the content of a file goes as it is read.
pub trait ContentSink {
    /// Called once, before any content, with the file's size and mode.
    fn start(&mut self, info: FileInfo);
    /// Called with each piece of content, in order.
    fn chunk(&mut self, bytes: &[u8]);
}

/// An open directory of the tree, from which entries are opened by name.
///
/// Opening `name` relative to its directory costs the kernel one path component instead of the
/// whole path (path lookup was the largest system-call cost on trees of small files), and a
/// subdirectory is reached with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, so a directory
/// swapped for a symlink after the walk cannot lead a read out of the tree.
pub struct Dir(OwnedFd);

impl Dir {
    /// Open the tree's root.
    pub fn open(path: &Path) -> std::io::Result<Dir> {
        let fd = fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Dir(fd))
    }

    /// `lstat` of the entry `name` of this directory (`fstatat` with `AT_SYMLINK_NOFOLLOW`): one
    /// system call, nothing opened.
    pub fn stat_at(&self, name: &[u8]) -> std::io::Result<StatData> {
        let st = fs::statat(&self.0, name, fs::AtFlags::SYMLINK_NOFOLLOW)?;
        Ok(StatData::from(&st))
    }

    /// Open the subdirectory at relative path `rel` (bytes, `/`-separated) beneath this one.
    pub fn open_beneath(&self, rel: &[u8]) -> std::io::Result<Dir> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS;
        match fs::openat2(&self.0, rel, flags, Mode::empty(), resolve) {
            Ok(fd) => Ok(Dir(fd)),
            // Kernels before 5.6 lack openat2: fall back to openat, which still refuses a
            // symlink as the last component.
            Err(rustix::io::Errno::NOSYS) => {
                Ok(Dir(fs::openat(&self.0, rel, flags, Mode::empty())?))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Read the regular file `name` in `dir` into `sink`.
///
/// `O_NOFOLLOW` refuses a file swapped for a symlink after the walk, and `O_NONBLOCK` keeps a
/// file swapped for a FIFO from blocking the open; `fstat` then refuses anything not regular.
pub fn read_file_at(
    dir: &Dir,
    name: &[u8],
    sink: &mut dyn ContentSink,
) -> Result<FileInfo, ReadError> {
    read_file_at_stat(dir, name, sink).map(|(info, _)| info)
}

/// [`read_file_at`], also returning the `fstat` data of the file read, identical before and
/// after the read.
pub fn read_file_at_stat(
    dir: &Dir,
    name: &[u8],
    sink: &mut dyn ContentSink,
) -> Result<(FileInfo, StatData), ReadError> {
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = fs::openat(&dir.0, name, flags, Mode::empty()).map_err(|e| {
        // ELOOP from O_NOFOLLOW: the walk saw a file here, now it is a symlink.
        if e == rustix::io::Errno::LOOP {
            ReadError::Changed("became a symlink")
        } else {
            ReadError::Io(e.into())
        }
    })?;
    read_open(File::from(fd), sink)
}

/// Read the file a person named at `path` (an artifact, an archive) into `sink`. A symlink
/// there is followed, since the name was chosen, but a FIFO, socket or device is refused
/// without ever blocking on it.
pub fn read_named_file(path: &Path, sink: &mut dyn ContentSink) -> Result<FileInfo, ReadError> {
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    read_open(file, sink).map(|(info, _)| info)
}

/// Read an open file whole, proving with `fstat` before and after that it is a regular file
/// that did not change while it was read.
fn read_open(
    mut file: File,
    sink: &mut dyn ContentSink,
) -> Result<(FileInfo, StatData), ReadError> {
    let before = StatData::of(&file)?;
    if !before.is_regular() {
        return Err(ReadError::NotRegular);
    }
    let size = before.size;
    let info = FileInfo {
        size,
        executable: before.is_executable(),
    };
    sink.start(info);
    let mut total: u64 = 0;
    BUFFER.with(|cell| -> Result<(), ReadError> {
        let mut vec = cell.borrow_mut();
        let offset = vec.as_ptr().align_offset(ALIGN).min(ALIGN);
        let buf = &mut vec[offset..offset + READ_BUFFER];
        // Read until `size` bytes are in: the second fstat then shows whether the file grew,
        // which saves the extra read() that waiting for end-of-file would cost per file.
        while total < size {
            let want = (size - total).min(READ_BUFFER as u64) as usize;
            let n = match file.read(&mut buf[..want]) {
                Ok(0) => return Err(ReadError::Changed("shrank")),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            sink.chunk(&buf[..n]);
            total += n as u64;
        }
        Ok(())
    })?;
    let after = StatData::of(&file)?;
    if let Some(what) = before.difference(&after) {
        return Err(ReadError::Changed(what));
    }
    Ok((info, after))
}

/// What `lstat` says of an entry that a stat cache compares: where it lives (device, inode),
/// its size, modification and change times in nanoseconds, and its mode (file type and
/// permission bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatData {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_sec: i64,
    pub mtime_nsec: u32,
    pub ctime_sec: i64,
    pub ctime_nsec: u32,
    pub mode: u32,
}

impl StatData {
    /// `fstat` of an open file. Plain `fstat` costs less than the `statx` behind
    /// `File::metadata`, and a read runs it twice per file.
    fn of(file: &File) -> std::io::Result<StatData> {
        Ok(StatData::from(&fs::fstat(file)?))
    }

    /// Whether this is a regular file.
    pub fn is_regular(&self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFREG
    }

    /// Whether git records the file as executable: the owner may execute it.
    pub fn is_executable(&self) -> bool {
        self.mode & 0o100 != 0
    }

    /// The first way in which two `fstat`s of the same open file differ, if any: what changes
    /// when its content does.
    fn difference(&self, after: &StatData) -> Option<&'static str> {
        if self.size != after.size {
            Some("size")
        } else if (self.mtime_sec, self.mtime_nsec) != (after.mtime_sec, after.mtime_nsec) {
            Some("modification time")
        } else if (self.ctime_sec, self.ctime_nsec) != (after.ctime_sec, after.ctime_nsec) {
            Some("change time")
        } else if self.mode != after.mode {
            Some("mode")
        } else {
            None
        }
    }
}

impl From<&fs::Stat> for StatData {
    #[allow(clippy::unnecessary_cast)] // the field types differ between architectures
    fn from(st: &fs::Stat) -> StatData {
        StatData {
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime_sec: st.st_mtime as i64,
            mtime_nsec: st.st_mtime_nsec as u32,
            ctime_sec: st.st_ctime as i64,
            ctime_nsec: st.st_ctime_nsec as u32,
            mode: st.st_mode as u32,
        }
    }
}

/// Write `path` through a new temporary file beside it, synced and renamed into place only when
/// whole: a reader never sees half a file, and a failure leaves `path` as it was. The temporary
/// file is created new (a file or symlink already at its name is never written through) with
/// permissions `mode` before the umask, and removed on failure.
pub fn write_atomically(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let _ = std::fs::remove_file(&tmp);
    let written = (|| {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Read the target of symlink `name` in `dir` without following it.
pub fn read_symlink_at(dir: &Dir, name: &[u8]) -> Result<Vec<u8>, ReadError> {
    let target = fs::readlinkat(&dir.0, name, Vec::new()).map_err(|e| {
        if e == rustix::io::Errno::INVAL {
            ReadError::Changed("no longer a symlink")
        } else {
            ReadError::Io(e.into())
        }
    })?;
    checked_target(target.into_bytes())
}

fn checked_target(bytes: Vec<u8>) -> Result<Vec<u8>, ReadError> {
    if bytes.len() > MAX_SYMLINK_TARGET {
        return Err(ReadError::TargetTooLong);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        size: u64,
        bytes: Vec<u8>,
    }

    impl ContentSink for Collect {
        fn start(&mut self, info: FileInfo) {
            self.size = info.size;
        }
        fn chunk(&mut self, bytes: &[u8]) {
            self.bytes.extend_from_slice(bytes);
        }
    }

    #[test]
    fn reads_whole_file_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let data: Vec<u8> = (0..(READ_BUFFER * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&p, &data).unwrap();
        let mut seen = Collect::default();
        let info = read_named_file(&p, &mut seen).unwrap();
        assert_eq!(seen.size, data.len() as u64);
        let seen = seen.bytes;
        assert_eq!(info.size, data.len() as u64);
        assert_eq!(seen, data);
        assert!(!info.executable);
    }

    #[test]
    fn reads_by_name_from_an_open_directory_and_never_leaves_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/f"), b"inside").unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("escape")).unwrap();
        let root = Dir::open(dir.path()).unwrap();
        let sub = root.open_beneath(b"sub").unwrap();
        let mut seen = Collect::default();
        read_file_at(&sub, b"f", &mut seen).unwrap();
        assert_eq!(seen.bytes, b"inside");
        assert!(
            root.open_beneath(b"escape").is_err(),
            "a symlinked directory is not entered"
        );
        assert!(
            root.open_beneath(b"../").is_err(),
            "nothing above the root is reached"
        );
        assert_eq!(read_symlink_at(&root, b"escape").unwrap(), b"/etc");
        assert!(matches!(
            read_symlink_at(&root, b"sub"),
            Err(ReadError::Changed(_))
        ));
    }

    #[test]
    fn refuses_to_follow_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t"), b"x").unwrap();
        std::os::unix::fs::symlink("t", dir.path().join("l")).unwrap();
        let top = Dir::open(dir.path()).unwrap();
        let err = read_file_at(&top, b"l", &mut Collect::default()).unwrap_err();
        assert!(
            matches!(err, ReadError::Changed("became a symlink")),
            "{err:?}"
        );
        assert_eq!(read_symlink_at(&top, b"l").unwrap(), b"t");
    }
}
