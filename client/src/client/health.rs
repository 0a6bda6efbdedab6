//! The health-check task (`l1.healthcheck.l2.*`): probes a silent server, declares the
//! connection lost after the configured unanswered probes.

use std::sync::atomic::Ordering;
use std::sync::Weak;

use kiln_protocol::Message;

use crate::Error;

use super::builder::HealthCheck;
use super::inner::Inner;

pub(super) async fn health_loop(weak: Weak<Inner>, hc: HealthCheck, gen: u64) {
    let mut probes = 0u32;
    let mut probe_sent_us = 0u64;
    let mut nonce = 1u64 << 63;
    loop {
        let sleep_for = {
            let Some(inner) = weak.upgrade() else { return };
            if inner.failed.load(Ordering::Acquire)
                || inner.closed.load(Ordering::Acquire)
                || inner.out.gen() != gen
            {
                return;
            }
            if probes > 0 && inner.last_rx_us.load(Ordering::Relaxed) >= probe_sent_us {
                probes = 0; // the last probe (or anything else) was answered
            }
            let since = inner.since_last_rx();
            if since < hc.idle {
                probes = 0;
                hc.idle - since
            } else if probes >= hc.probes {
                inner.connection_lost(
                    gen,
                    Error::lost(format!(
                        "health check: no answer from the server for {:.1?} ({} probes)",
                        since, hc.probes
                    )),
                );
                return;
            } else {
                nonce += 1;
                probes += 1;
                probe_sent_us = inner.epoch.elapsed().as_micros() as u64;
                tracing::debug!(probes, ?since, "health check probe");
                inner.stats.pings_sent.fetch_add(1, Ordering::Relaxed);
                inner.out.push(Message::Ping { nonce });
                hc.interval
            }
        };
        tokio::time::sleep(sleep_for).await;
    }
}
