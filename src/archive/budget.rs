//! The unpack budget: every byte read from disk and every byte a decompressor yields, counted
//! against the limits in one place, so that a bomb stops at the limit whatever the container.

use std::cell::{Cell, RefCell};
use std::io::{self, Read};
use std::rc::Rc;

use super::Stop;
use crate::limits::{COMPRESSION_RATIO_FLOOR, MAX_ARCHIVE_UNPACKED, MAX_COMPRESSION_RATIO};

/// The bytes read from disk and unpacked so far, shared by every reader of one archive, and the
/// limit that tripped, if any.
#[derive(Default)]
pub(super) struct UnpackBudget {
    pub compressed: Cell<u64>,
    pub unpacked: Cell<u64>,
    pub tripped: RefCell<Option<Stop>>,
}

impl UnpackBudget {
    fn charge(&self, n: usize) -> io::Result<()> {
        let unpacked = self.unpacked.get() + n as u64;
        self.unpacked.set(unpacked);
        let compressed = self.compressed.get().max(1);
        let over = if unpacked > MAX_ARCHIVE_UNPACKED {
            Some(format!(
                "unpacks to more than {MAX_ARCHIVE_UNPACKED} bytes; reading stopped there"
            ))
        } else if unpacked > COMPRESSION_RATIO_FLOOR
            && unpacked / compressed > MAX_COMPRESSION_RATIO
        {
            Some(format!(
                "{unpacked} bytes unpacked from {compressed} read: compression ratio over \
                 {MAX_COMPRESSION_RATIO}; reading stopped there"
            ))
        } else {
            None
        };
        match over {
            Some(why) => {
                self.tripped.borrow_mut().get_or_insert(Stop::Bomb(why));
                Err(io::Error::other("archive unpack limit reached"))
            }
            None => Ok(()),
        }
    }
}

/// Counts the bytes read from the archive file.
pub(super) struct Compressed<R> {
    pub inner: R,
    pub budget: Rc<UnpackBudget>,
}

impl<R: Read> Read for Compressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let b = &self.budget.compressed;
        b.set(b.get() + n as u64);
        Ok(n)
    }
}

/// Charges every unpacked byte to the budget, failing the read once a limit is passed.
pub(super) struct Unpacked<R> {
    pub inner: R,
    pub budget: Rc<UnpackBudget>,
}

impl<R: Read> Read for Unpacked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.tripped.borrow().is_some() {
            return Err(io::Error::other("archive unpack limit reached"));
        }
        let n = self.inner.read(buf)?;
        self.budget.charge(n)?;
        Ok(n)
    }
}
