//! zstd streams of several frames, which `ruzstd`'s decoder reads one at a time.

use std::io::{self, Read};

/// A zstd stream of one or more frames (`zstd -T0` and `pzstd` write several).
pub struct ZstdFrames<R: Read> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
    source: Option<R>,
}

impl<R: io::BufRead> ZstdFrames<R> {
    pub fn new(source: R) -> Self {
        ZstdFrames {
            decoder: None,
            source: Some(source),
        }
    }
}

impl<R: io::BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(decoder) = &mut self.decoder {
                let n = decoder.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                let decoder = self.decoder.take().expect("checked above");
                self.source = Some(decoder.into_inner());
            }
            let Some(mut source) = self.source.take() else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match ruzstd::decoding::StreamingDecoder::new(source) {
                Ok(d) => self.decoder = Some(d),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
            }
        }
    }
}
