//! Any bytes as a stat cache file: decoding must give a cache or a reason, never panic; and a
//! cache that decodes encodes back to bytes that decode to the same cache (round trip).
#![no_main]

use custody::hash::StatCache;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cache) = StatCache::decode(data) {
        let again = StatCache::decode(&cache.encode()).expect("an encoded cache decodes");
        assert!(cache.same_as(&again));
        assert_eq!(cache.len(), again.len());
    }
});
