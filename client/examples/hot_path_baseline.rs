//! Baselines for `hot_path`: the cost of the primitives the hot path is built from, on this machine.
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    const N: u32 = 10_000_000;
    let m = parking_lot::Mutex::new(0u64);
    let t = Instant::now();
    for _ in 0..N {
        *black_box(&m).lock() += 1;
    }
    println!(
        "parking_lot lock+unlock: {:.1} ns",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );
    let a = Arc::new(5u64);
    let t = Instant::now();
    for _ in 0..N {
        drop(black_box(a.clone()));
    }
    println!(
        "Arc clone+drop: {:.1} ns",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );
    let t = Instant::now();
    for _ in 0..N {
        black_box(std::collections::HashMap::<u64, u64>::new());
    }
    println!(
        "HashMap::new: {:.1} ns",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );
}
