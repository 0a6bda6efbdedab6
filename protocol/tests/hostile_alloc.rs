//! Hostile element counts must be rejected before anything is allocated for them. This binary
//! installs a counting global allocator and records the largest single allocation request.
//! (Its own test binary so other tests' allocations cannot interfere.)
#![allow(unsafe_code)] // a GlobalAlloc impl is necessarily `unsafe impl`; it only delegates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kiln_protocol::wire::Reader;
use kiln_protocol::{frame, msg_type, ArrayData, Message, ObjectState, ProtocolError, Value};

struct Tracking;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

#[test]
fn hostile_counts_allocate_nothing_big() {
    let counts = [u32::MAX, 0x7fff_ffff, 0x0100_0000, 100_000];
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for n in counts {
        let n = n.to_be_bytes();
        let tail = [0u8; 40];
        for t in [msg_type::EVICT, msg_type::TXN_BATCH] {
            inputs.push([&[t][..], &n, &tail].concat());
        }
        for t in [
            msg_type::MEMBERSHIP,
            msg_type::ROOT_LIST,
            msg_type::FAULT_REPLY,
        ] {
            inputs.push([&[t][..], &[0; 8], &n, &tail].concat());
        }
        inputs.push([&[msg_type::DELTAS][..], &[0; 16], &n, &tail].concat());
        inputs.push([&[msg_type::ERROR][..], &[0, 1], &n, &tail].concat());
        for kind in 1u8..=7 {
            let mut b = vec![0, 0, 0, 0, kind];
            if kind == 2 {
                b.push(9);
            }
            inputs.push([&b[..], &n, &tail].concat());
        }
        for elem in 1u8..=9 {
            inputs.push([&[elem][..], &n, &tail].concat());
        }
        for t in [9u8, 10, 11] {
            inputs.push([&[t][..], &n, &tail].concat());
        }
    }
    LARGEST.store(0, Ordering::Relaxed);
    let mut errors = 0;
    for b in &inputs {
        // Not every decoder fits every input; the point is that none allocates for the count.
        errors += usize::from(Message::decode(b).is_err());
        errors += usize::from(ObjectState::decode(&mut Reader::new(b)).is_err());
        errors += usize::from(ArrayData::decode(&mut Reader::new(b)).is_err());
        errors += usize::from(Value::decode(&mut Reader::new(b)).is_err());
        let _ = frame::check(b, frame::DEFAULT_MAX_FRAME);
    }
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(errors > 0);
    assert!(
        largest < 64 * 1024,
        "largest allocation during hostile decoding: {largest} bytes"
    );
    // And the specific error is Truncated for the count-carrying inputs.
    let b = [&[msg_type::EVICT][..], &u32::MAX.to_be_bytes(), &[0; 40]].concat();
    assert!(matches!(
        Message::decode(&b),
        Err(ProtocolError::Truncated {
            what: "object ids",
            ..
        })
    ));
}
