//! Measures the greedy-lock hot path: uncontended re-acquire + release of an empty transaction.
//!
//! `cargo run --release -p kiln --example hot_path -- 127.0.0.1:9510`
use std::time::Instant;

use kiln::{Client, LockId, LockLevel};

#[tokio::main(flavor = "current_thread")]
async fn main() -> kiln::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9510".into());
    let client = Client::connect(&addr).await?;
    let lock = LockId::Named("hot-path".into());
    client
        .lock(lock.clone(), LockLevel::Write)
        .await?
        .commit()
        .await?;
    const N: u32 = 2_000_000;
    let frames = client.stats().frames_sent;

    let t = Instant::now();
    for _ in 0..N {
        client
            .lock(lock.clone(), LockLevel::Write)
            .await?
            .commit()
            .await?;
    }
    println!(
        "lock(LockId clone) + commit: {:.1} ns/op",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );

    let h = client.lock_handle(lock.clone());
    let t = Instant::now();
    for _ in 0..N {
        h.lock(LockLevel::Write).await?.commit().await?;
    }
    println!(
        "LockHandle::lock + commit: {:.1} ns/op",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );

    let t = Instant::now();
    for _ in 0..N {
        if let Some(tx) = h.try_lock_local(LockLevel::Write) {
            drop(tx);
        }
    }
    println!(
        "LockHandle::try_lock_local + drop (sync): {:.1} ns/op",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );

    let obj = LockId::Object(kiln::ObjectId(42));
    client
        .lock(obj.clone(), LockLevel::Write)
        .await?
        .commit()
        .await?;
    let t = Instant::now();
    for _ in 0..N {
        client
            .lock(obj.clone(), LockLevel::Write)
            .await?
            .commit()
            .await?;
    }
    println!(
        "lock(Object id) + commit: {:.1} ns/op",
        t.elapsed().as_nanos() as f64 / f64::from(N)
    );
    println!(
        "frames sent during the loops: {}",
        client.stats().frames_sent - frames
    );
    client.close().await
}
