//! Any bytes as a release archive, under the names that pick a container (`.tar`, `.tar.gz`,
//! `.zip`, or none): the reader must finish or stop with a reason, never panic or hang, and:
//! - reading is deterministic: the same bytes give the same entries and the same stop;
//! - every entry yields exactly the bytes it declares;
//! - compression changes nothing: an archive read as `.tar` reads the same gzipped as
//!   `.tar.gz`.
#![no_main]

use std::io::Write;

use custody::archive::{self, Options, ReadOutcome};
use libfuzzer_sys::fuzz_target;

fn entries(path: &std::path::Path) -> (Vec<(Vec<u8>, u64, Vec<u8>)>, ReadOutcome) {
    let mut seen = Vec::new();
    let outcome = archive::read(path, Options::default(), &mut |e, r| {
        let mut data = Vec::new();
        r.read_to_end(&mut data)?;
        assert_eq!(data.len() as u64, e.size, "an entry yields what it declares");
        seen.push((e.path, e.size, data));
        Ok(())
    });
    match outcome {
        Ok(o) => (seen, o),
        Err(_) => (seen, ReadOutcome::default()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let name = ["x.tar", "x.tar.gz", "x.zip", "x.bin"][pick as usize % 4];
    let dir = std::env::temp_dir().join(format!("custody-fuzz-archive-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    if std::fs::write(&path, rest).is_err() {
        return;
    }
    let (first, a) = entries(&path);
    let (second, b) = entries(&path);
    assert_eq!(first, second);
    assert_eq!(format!("{:?}", a.stop), format!("{:?}", b.stop));
    if name == "x.tar" && a.stop.is_none() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(rest).unwrap();
        let gzipped = dir.join("y.tar.gz");
        if std::fs::write(&gzipped, gz.finish().unwrap()).is_ok() {
            let (third, c) = entries(&gzipped);
            assert_eq!(first, third, "compression changed what was read");
            assert!(c.stop.is_none(), "{:?}", c.stop);
        }
    }
});
