//! Helpers shared by the language bridges over this crate (`jni-agent`, `c-api`): how an error
//! and a caught panic become the one-line message a Java or C caller sees.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// `e`'s message followed by each `source()` in its chain that the text before does not already
/// spell out, joined with `": "`.
pub fn error_chain_message(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !text.is_empty() && !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        cur = s.source();
    }
    msg
}

/// The text of a caught panic's payload (`&str` or `String`), else "non-text panic payload".
/// Dropping a payload of another type cannot unwind out of here.
pub fn panic_message(payload: Box<dyn Any + Send + 'static>) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        return (*s).to_string();
    }
    if let Some(s) = payload.downcast_ref::<String>() {
        return s.clone();
    }
    if let Err(p) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(p);
    }
    "non-text panic payload".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages() {
        let p = catch_unwind(|| panic!("static text")).expect_err("panics");
        assert_eq!(panic_message(p), "static text");
        let n = 7;
        let p = catch_unwind(|| panic!("formatted {n}")).expect_err("panics");
        assert_eq!(panic_message(p), "formatted 7");
        let p = catch_unwind(|| std::panic::panic_any(42u32)).expect_err("panics");
        assert_eq!(panic_message(p), "non-text panic payload");
    }

    #[test]
    fn error_chains_skip_causes_already_spelled_out() {
        let e = crate::Error::Io(std::io::Error::other("boom"));
        let m = error_chain_message(&e);
        assert!(m.contains("boom"), "{m}");
        assert_eq!(m.matches("boom").count(), 1, "{m}");
    }
}
