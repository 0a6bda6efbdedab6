//! `kiln-lock-holder ADDR LOCK`: connects to the Kiln server at `ADDR`, takes the named cluster
//! lock `LOCK` at write level, prints `LOCKED <client id>` on stdout and then sleeps holding it
//! until killed. Used by the end-to-end tests that kill (-9) or stop (SIGSTOP) a lock holder.
#![deny(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use kiln::{ClientBuilder, LockId, LockLevel};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(lock)) = (args.next(), args.next()) else {
        eprintln!("usage: kiln-lock-holder ADDR LOCK");
        return ExitCode::from(2);
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kiln-lock-holder: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let client = match ClientBuilder::new([addr.clone()])
            .name("kiln-lock-holder")
            .connect_deadline(Duration::from_secs(10))
            .connect()
            .await
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("kiln-lock-holder: cannot connect to {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let tx = match client
            .lock(LockId::Named(lock.clone()), LockLevel::Write)
            .await
        {
            Ok(tx) => tx,
            Err(e) => {
                eprintln!("kiln-lock-holder: cannot lock {lock}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        if writeln!(out, "LOCKED {}", client.client_id())
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
        drop(out);
        // Hold the lock until killed (the test kills this process; an hour is a safety net).
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(tx);
        ExitCode::SUCCESS
    })
}
