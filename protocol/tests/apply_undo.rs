//! Applying delta ops: exact undo, failure atomicity, and the semantics of every op on every kind.

mod common;

use std::collections::{BTreeMap, VecDeque};

use common::*;
use kiln_protocol::{
    ArrayData, DeltaOp, Field, IndexMap, IndexSet, ObjectData, ObjectState, ProtocolError, Value,
};
use proptest::collection::vec;
use proptest::prelude::*;

// ------------------------------------------------------------------ strategies

/// A small pool of values so that removes, re-puts and duplicate adds actually hit.
fn small_value() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (0i32..4).prop_map(Value::I32),
        2 => "[ab]".prop_map(Value::Str),
        1 => Just(Value::Null),
        1 => Just(Value::F64(f64::NAN)),
        1 => arb_value(),
    ]
    .boxed()
}

fn small_index() -> BoxedStrategy<u32> {
    prop_oneof![4 => 0u32..6, 1 => any::<u32>()].boxed()
}

/// A value of the element type of `a` (sometimes of another type, to exercise the type check).
fn element_for(a: &ArrayData) -> BoxedStrategy<Value> {
    let typed: BoxedStrategy<Value> = match a {
        ArrayData::Bool(_) => any::<bool>().prop_map(Value::Bool).boxed(),
        ArrayData::I8(_) => any::<i8>().prop_map(Value::I8).boxed(),
        ArrayData::I16(_) => any::<i16>().prop_map(Value::I16).boxed(),
        ArrayData::I32(_) => any::<i32>().prop_map(Value::I32).boxed(),
        ArrayData::I64(_) => any::<i64>().prop_map(Value::I64).boxed(),
        ArrayData::F32(_) => arb_f32().prop_map(Value::F32).boxed(),
        ArrayData::F64(_) => arb_f64().prop_map(Value::F64).boxed(),
        ArrayData::Char(_) => any::<u16>().prop_map(Value::Char).boxed(),
        ArrayData::Values(_) => arb_value(),
    };
    prop_oneof![5 => typed, 1 => arb_value()].boxed()
}

/// Ops likely to fit `st`, mixed with arbitrary ones (which mostly fail).
fn ops_for(st: &ObjectState) -> BoxedStrategy<DeltaOp> {
    let specific: BoxedStrategy<DeltaOp> = match &st.data {
        ObjectData::Physical(_) => (prop::sample::select(vec!["A", "B"]), prop::sample::select(vec!["x", "y", "z"]), small_value())
            .prop_map(|(c, n, value)| DeltaOp::SetField { class: c.into(), name: n.into(), value })
            .boxed(),
        ObjectData::Array(a) => {
            let same_type = {
                let a = a.clone();
                arb_array().prop_filter("same element type", move |b| {
                    std::mem::discriminant(b) == std::mem::discriminant(&a)
                })
            };
            prop_oneof![
                6 => (0u32..(a.len() as u32 + 2), element_for(a))
                    .prop_map(|(index, value)| DeltaOp::SetElement { index, value }),
                1 => same_type.prop_map(DeltaOp::SetArray),
                1 => arb_array().prop_map(DeltaOp::SetArray),
            ]
            .boxed()
        }
        ObjectData::Map(_) | ObjectData::SortedMap(_) => prop_oneof![
            4 => (small_value(), small_value()).prop_map(|(key, value)| DeltaOp::Put { key, value }),
            3 => small_value().prop_map(|key| DeltaOp::Remove { key }),
            1 => Just(DeltaOp::Clear),
        ]
        .boxed(),
        ObjectData::List(_) => prop_oneof![
            3 => small_value().prop_map(|value| DeltaOp::Add { value }),
            2 => (small_index(), small_value()).prop_map(|(index, value)| DeltaOp::AddAt { index, value }),
            2 => (small_index(), small_value()).prop_map(|(index, value)| DeltaOp::Set { index, value }),
            2 => small_index().prop_map(|index| DeltaOp::RemoveAt { index }),
            2 => small_value().prop_map(|value| DeltaOp::RemoveValue { value }),
            1 => Just(DeltaOp::Clear),
        ]
        .boxed(),
        ObjectData::Set(_) => prop_oneof![
            4 => small_value().prop_map(|value| DeltaOp::Add { value }),
            3 => small_value().prop_map(|value| DeltaOp::RemoveValue { value }),
            1 => Just(DeltaOp::Clear),
        ]
        .boxed(),
        ObjectData::Queue(_) => prop_oneof![
            2 => small_value().prop_map(|value| DeltaOp::Offer { value }),
            2 => small_value().prop_map(|value| DeltaOp::Add { value }),
            3 => Just(DeltaOp::Poll),
            2 => small_value().prop_map(|value| DeltaOp::RemoveValue { value }),
            1 => Just(DeltaOp::Clear),
        ]
        .boxed(),
    };
    prop_oneof![6 => specific, 1 => arb_delta_op()].boxed()
}

/// A state seeded with small values (so ops hit existing entries) or an arbitrary one.
fn state_for_ops() -> BoxedStrategy<ObjectState> {
    let small = prop_oneof![
        vec(
            (
                prop::sample::select(vec!["A", "B"]),
                prop::sample::select(vec!["x", "y"]),
                small_value()
            ),
            0..4
        )
        .prop_map(|v| ObjectData::Physical(
            v.into_iter()
                .map(|(c, n, value)| Field {
                    class: c.into(),
                    name: n.into(),
                    value
                })
                .collect()
        )),
        vec((small_value(), small_value()), 0..5)
            .prop_map(|v| ObjectData::Map(v.into_iter().collect())),
        vec((small_value(), small_value()), 0..5)
            .prop_map(|v| ObjectData::SortedMap(v.into_iter().collect())),
        vec(small_value(), 0..5).prop_map(ObjectData::List),
        vec(small_value(), 0..5).prop_map(|v| ObjectData::Set(v.into_iter().collect())),
        vec(small_value(), 0..5).prop_map(|v| ObjectData::Queue(v.into_iter().collect())),
    ]
    .prop_map(|data| ObjectState {
        class: "C".into(),
        data,
    });
    prop_oneof![3 => small, 2 => arb_object_state()].boxed()
}

fn state_and_ops() -> BoxedStrategy<(ObjectState, Vec<DeltaOp>)> {
    state_for_ops()
        .prop_flat_map(|st| {
            let ops = vec(ops_for(&st), 0..24);
            (Just(st), ops)
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Apply a random sequence, then undo everything in reverse: the original comes back exactly
    /// (including iteration order of maps and sets, and float bit patterns). A failing op leaves
    /// the state unchanged.
    #[test]
    fn apply_then_undo_all_restores(input in state_and_ops()) {
        let (original, ops) = input;
        let mut st = original.clone();
        let mut undos = Vec::new();
        let mut snapshots = Vec::new();
        for op in &ops {
            let before = st.clone();
            let before_bytes = state_bytes(&st);
            match st.apply(op) {
                Ok(u) => {
                    undos.push(u);
                    snapshots.push(before_bytes);
                }
                Err(e) => {
                    let is_bad_op = matches!(e, ProtocolError::BadOperation { .. });
                    prop_assert!(is_bad_op, "unexpected error {:?}", e);
                    prop_assert_eq!(&st, &before, "failed op {:?} changed the state", op);
                    prop_assert_eq!(state_bytes(&st), before_bytes);
                }
            }
        }
        // Undo step by step, checking each intermediate state too.
        while let Some(u) = undos.pop() {
            st.undo(u);
            let expected = snapshots.pop().expect("snapshot");
            prop_assert_eq!(state_bytes(&st), expected);
        }
        prop_assert_eq!(&st, &original);
        prop_assert_eq!(state_bytes(&st), state_bytes(&original));
    }

    /// Any op on any state either applies (and undoes exactly) or fails without change.
    #[test]
    fn arbitrary_op_on_arbitrary_state(st in arb_object_state(), op in arb_delta_op()) {
        let original = st.clone();
        let mut st = st;
        match st.apply(&op) {
            Ok(u) => {
                st.undo(u);
                prop_assert_eq!(state_bytes(&st), state_bytes(&original));
            }
            Err(_) => prop_assert_eq!(state_bytes(&st), state_bytes(&original)),
        }
        prop_assert_eq!(&st, &original);
    }
}

// ------------------------------------------------------------------ unit tests per op

fn i(v: i32) -> Value {
    Value::I32(v)
}
fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn assert_bad(st: &mut ObjectState, op: DeltaOp) -> String {
    let before = st.clone();
    match st.apply(&op) {
        Err(ProtocolError::BadOperation {
            op: name,
            kind,
            reason,
        }) => {
            assert_eq!(name, op.name());
            assert_eq!(kind, st.data.kind_name());
            assert_eq!(*st, before, "state changed by failing {op:?}");
            reason
        }
        other => panic!("expected BadOperation for {op:?}, got {other:?}"),
    }
}

fn apply_ok(st: &mut ObjectState, op: DeltaOp) {
    st.apply(&op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
}

fn map_entries(st: &ObjectState) -> Vec<(Value, Value)> {
    match &st.data {
        ObjectData::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ObjectData::SortedMap(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        other => panic!("not a map: {other:?}"),
    }
}

fn elements(st: &ObjectState) -> Vec<Value> {
    match &st.data {
        ObjectData::List(l) => l.clone(),
        ObjectData::Set(x) => x.iter().cloned().collect(),
        ObjectData::Queue(q) => q.iter().cloned().collect(),
        other => panic!("not a collection: {other:?}"),
    }
}

#[test]
fn physical_set_field_adds_then_replaces() {
    let mut st = ObjectState::physical("com.acme.Order");
    apply_ok(
        &mut st,
        DeltaOp::SetField {
            class: "A".into(),
            name: "x".into(),
            value: i(1),
        },
    );
    apply_ok(
        &mut st,
        DeltaOp::SetField {
            class: "B".into(),
            name: "x".into(),
            value: i(2),
        },
    );
    let u = st
        .apply(&DeltaOp::SetField {
            class: "A".into(),
            name: "x".into(),
            value: i(3),
        })
        .expect("apply");
    assert_eq!(st.field("A", "x"), Some(&i(3)));
    assert_eq!(st.field("B", "x"), Some(&i(2)));
    // Empty class matches any declaring class (first in order).
    assert_eq!(st.field("", "x"), Some(&i(3)));
    assert_eq!(
        st.data.len(),
        2,
        "same (class, name) replaces, another class adds"
    );
    st.undo(u);
    assert_eq!(st.field("A", "x"), Some(&i(1)));
    // Field order is insertion order.
    match &st.data {
        ObjectData::Physical(fs) => {
            assert_eq!(
                fs.iter().map(|f| f.class.as_str()).collect::<Vec<_>>(),
                ["A", "B"]
            )
        }
        _ => unreachable!(),
    }
    for op in [
        DeltaOp::Put {
            key: i(1),
            value: i(1),
        },
        DeltaOp::Add { value: i(1) },
        DeltaOp::Clear,
        DeltaOp::Poll,
    ] {
        assert_bad(&mut st, op);
    }
}

#[test]
fn map_put_remove_keep_insertion_order() {
    let mut st = ObjectState::map();
    for k in ["c", "a", "b"] {
        apply_ok(
            &mut st,
            DeltaOp::Put {
                key: s(k),
                value: i(1),
            },
        );
    }
    // Re-put keeps the position.
    apply_ok(
        &mut st,
        DeltaOp::Put {
            key: s("a"),
            value: i(9),
        },
    );
    assert_eq!(
        map_entries(&st),
        vec![(s("c"), i(1)), (s("a"), i(9)), (s("b"), i(1))]
    );
    // Remove shifts (order of the rest kept); removing an absent key is a no-op.
    let u = st.apply(&DeltaOp::Remove { key: s("c") }).expect("remove");
    assert_eq!(map_entries(&st), vec![(s("a"), i(9)), (s("b"), i(1))]);
    let before = st.clone();
    let nothing = st
        .apply(&DeltaOp::Remove { key: s("zz") })
        .expect("absent remove");
    assert_eq!(st, before);
    st.undo(nothing);
    st.undo(u);
    assert_eq!(
        map_entries(&st),
        vec![(s("c"), i(1)), (s("a"), i(9)), (s("b"), i(1))]
    );
    // Keys of different types are different keys: I32(1) != I64(1).
    apply_ok(
        &mut st,
        DeltaOp::Put {
            key: i(1),
            value: s("int"),
        },
    );
    apply_ok(
        &mut st,
        DeltaOp::Put {
            key: Value::I64(1),
            value: s("long"),
        },
    );
    assert_eq!(st.data.len(), 5);
    // NaN is a usable key (bitwise equality).
    apply_ok(
        &mut st,
        DeltaOp::Put {
            key: Value::F64(f64::NAN),
            value: i(1),
        },
    );
    apply_ok(
        &mut st,
        DeltaOp::Put {
            key: Value::F64(f64::NAN),
            value: i(2),
        },
    );
    assert_eq!(st.data.len(), 6);
    for op in [
        DeltaOp::Add { value: i(1) },
        DeltaOp::Set {
            index: 0,
            value: i(1),
        },
        DeltaOp::SetField {
            class: "A".into(),
            name: "x".into(),
            value: i(1),
        },
        DeltaOp::Poll,
    ] {
        assert_bad(&mut st, op);
    }
}

#[test]
fn sorted_map_orders_by_value_total_order() {
    let mut st = ObjectState::sorted_map();
    let keys = [
        s("b"),
        i(10),
        s("a"),
        i(-3),
        Value::Null,
        Value::I64(0),
        Value::F64(-0.0),
        Value::F64(0.0),
        Value::Bool(true),
    ];
    for k in &keys {
        apply_ok(
            &mut st,
            DeltaOp::Put {
                key: k.clone(),
                value: Value::Null,
            },
        );
    }
    let got: Vec<Value> = map_entries(&st).into_iter().map(|(k, _)| k).collect();
    // By tag first (null 0, bool 1, i32 4, i64 5, f64 7, string 9), then by payload.
    assert_eq!(
        got,
        vec![
            Value::Null,
            Value::Bool(true),
            i(-3),
            i(10),
            Value::I64(0),
            Value::F64(-0.0),
            Value::F64(0.0),
            s("a"),
            s("b")
        ]
    );
    let u = st.apply(&DeltaOp::Remove { key: i(10) }).expect("remove");
    assert_eq!(st.data.len(), keys.len() - 1);
    st.undo(u);
    assert_eq!(st.data.len(), keys.len());
    let u = st
        .apply(&DeltaOp::Put {
            key: s("a"),
            value: i(5),
        })
        .expect("put");
    st.undo(u);
    assert_eq!(map_entries(&st)[7], (s("a"), Value::Null));
    assert_bad(&mut st, DeltaOp::Offer { value: i(1) });
}

#[test]
fn list_ops_and_bounds() {
    let mut st = ObjectState::list();
    apply_ok(&mut st, DeltaOp::Add { value: i(1) });
    apply_ok(&mut st, DeltaOp::Add { value: i(3) });
    apply_ok(
        &mut st,
        DeltaOp::AddAt {
            index: 1,
            value: i(2),
        },
    );
    apply_ok(
        &mut st,
        DeltaOp::AddAt {
            index: 3,
            value: i(4),
        },
    ); // index == size: append
    apply_ok(
        &mut st,
        DeltaOp::AddAt {
            index: 0,
            value: i(0),
        },
    );
    assert_eq!(elements(&st), vec![i(0), i(1), i(2), i(3), i(4)]);
    apply_ok(
        &mut st,
        DeltaOp::Set {
            index: 4,
            value: s("four"),
        },
    );
    apply_ok(&mut st, DeltaOp::RemoveAt { index: 0 });
    assert_eq!(elements(&st), vec![i(1), i(2), i(3), s("four")]);
    // Duplicates allowed; RemoveValue removes the first equal element only.
    apply_ok(&mut st, DeltaOp::Add { value: i(2) });
    apply_ok(&mut st, DeltaOp::RemoveValue { value: i(2) });
    assert_eq!(elements(&st), vec![i(1), i(3), s("four"), i(2)]);
    let before = st.clone();
    apply_ok(&mut st, DeltaOp::RemoveValue { value: i(99) });
    assert_eq!(st, before);
    // Bounds.
    let r = assert_bad(
        &mut st,
        DeltaOp::AddAt {
            index: 5,
            value: i(0),
        },
    );
    assert!(r.contains("out of bounds"), "{r}");
    assert_bad(
        &mut st,
        DeltaOp::Set {
            index: 4,
            value: i(0),
        },
    );
    assert_bad(&mut st, DeltaOp::RemoveAt { index: 4 });
    assert_bad(&mut st, DeltaOp::RemoveAt { index: u32::MAX });
    assert_bad(
        &mut st,
        DeltaOp::Set {
            index: u32::MAX,
            value: i(0),
        },
    );
    assert_bad(
        &mut st,
        DeltaOp::AddAt {
            index: u32::MAX,
            value: i(0),
        },
    );
    assert_bad(
        &mut st,
        DeltaOp::Put {
            key: i(0),
            value: i(0),
        },
    );
    assert_bad(&mut st, DeltaOp::Poll);
    assert_bad(&mut st, DeltaOp::Offer { value: i(0) });
    let mut empty = ObjectState::list();
    assert_bad(&mut empty, DeltaOp::RemoveAt { index: 0 });
    assert_bad(
        &mut empty,
        DeltaOp::Set {
            index: 0,
            value: i(0),
        },
    );
    apply_ok(
        &mut empty,
        DeltaOp::AddAt {
            index: 0,
            value: i(0),
        },
    );
}

#[test]
fn set_add_and_remove() {
    let mut st = ObjectState::set();
    for v in [s("x"), s("y"), s("x"), s("z")] {
        apply_ok(&mut st, DeltaOp::Add { value: v });
    }
    assert_eq!(
        elements(&st),
        vec![s("x"), s("y"), s("z")],
        "duplicate add is a no-op"
    );
    let u = st
        .apply(&DeltaOp::RemoveValue { value: s("x") })
        .expect("remove");
    assert_eq!(elements(&st), vec![s("y"), s("z")]);
    st.undo(u);
    assert_eq!(
        elements(&st),
        vec![s("x"), s("y"), s("z")],
        "undo restores position"
    );
    let before = st.clone();
    apply_ok(&mut st, DeltaOp::RemoveValue { value: s("nope") });
    assert_eq!(st, before);
    assert_bad(
        &mut st,
        DeltaOp::AddAt {
            index: 0,
            value: i(1),
        },
    );
    assert_bad(&mut st, DeltaOp::Remove { key: s("x") });
    assert_bad(&mut st, DeltaOp::Offer { value: i(1) });
}

#[test]
fn queue_offer_poll() {
    let mut st = ObjectState::queue();
    apply_ok(&mut st, DeltaOp::Offer { value: i(1) });
    apply_ok(&mut st, DeltaOp::Add { value: i(2) }); // Add = Offer on a queue
    apply_ok(&mut st, DeltaOp::Offer { value: i(3) });
    apply_ok(&mut st, DeltaOp::Offer { value: i(2) });
    let u = st.apply(&DeltaOp::Poll).expect("poll");
    assert_eq!(elements(&st), vec![i(2), i(3), i(2)]);
    st.undo(u);
    assert_eq!(elements(&st), vec![i(1), i(2), i(3), i(2)]);
    apply_ok(&mut st, DeltaOp::RemoveValue { value: i(2) });
    assert_eq!(elements(&st), vec![i(1), i(3), i(2)]);
    let mut empty = ObjectState::queue();
    let u = empty
        .apply(&DeltaOp::Poll)
        .expect("poll on empty is a no-op");
    empty.undo(u);
    assert_eq!(empty, ObjectState::queue());
    assert_bad(
        &mut st,
        DeltaOp::AddAt {
            index: 0,
            value: i(1),
        },
    );
    assert_bad(&mut st, DeltaOp::RemoveAt { index: 0 });
    assert_bad(
        &mut st,
        DeltaOp::Put {
            key: i(1),
            value: i(1),
        },
    );
}

#[test]
fn clear_every_collection_and_undo() {
    let mut states = vec![
        ObjectState::map(),
        ObjectState::sorted_map(),
        ObjectState::list(),
        ObjectState::set(),
        ObjectState::queue(),
    ];
    for st in &mut states {
        let op = match st.data {
            ObjectData::Map(_) | ObjectData::SortedMap(_) => DeltaOp::Put {
                key: i(1),
                value: i(2),
            },
            _ => DeltaOp::Add { value: i(1) },
        };
        apply_ok(st, op);
        let before = st.clone();
        let u = st.apply(&DeltaOp::Clear).expect("clear");
        assert!(st.data.is_empty());
        assert_eq!(st.class, before.class, "clear keeps the class");
        assert_eq!(
            st.data.kind_name(),
            before.data.kind_name(),
            "clear keeps the kind"
        );
        st.undo(u);
        assert_eq!(*st, before);
    }
    assert_bad(&mut ObjectState::physical("P"), DeltaOp::Clear);
    assert_bad(
        &mut ObjectState::array("[I", ArrayData::I32(vec![1])),
        DeltaOp::Clear,
    );
}

#[test]
fn array_set_element_bounds_and_type() {
    let mut st = ObjectState::array("[I", ArrayData::I32(vec![1, 2, 3]));
    let u = st
        .apply(&DeltaOp::SetElement {
            index: 2,
            value: i(30),
        })
        .expect("set");
    assert_eq!(st.data, ObjectData::Array(ArrayData::I32(vec![1, 2, 30])));
    st.undo(u);
    assert_eq!(st.data, ObjectData::Array(ArrayData::I32(vec![1, 2, 3])));
    let r = assert_bad(
        &mut st,
        DeltaOp::SetElement {
            index: 0,
            value: Value::I64(1),
        },
    );
    assert!(r.contains("does not match"), "{r}");
    assert_bad(
        &mut st,
        DeltaOp::SetElement {
            index: 0,
            value: Value::Null,
        },
    );
    let r = assert_bad(
        &mut st,
        DeltaOp::SetElement {
            index: 3,
            value: i(0),
        },
    );
    assert!(r.contains("out of bounds"), "{r}");
    assert_bad(
        &mut st,
        DeltaOp::SetElement {
            index: u32::MAX,
            value: i(0),
        },
    );
    // Every primitive array checks its own element type.
    let cases: Vec<(ArrayData, Value, Value)> = vec![
        (
            ArrayData::Bool(vec![false]),
            Value::Bool(true),
            Value::I8(1),
        ),
        (ArrayData::I8(vec![0]), Value::I8(-1), Value::I16(1)),
        (ArrayData::I16(vec![0]), Value::I16(-1), Value::I32(1)),
        (ArrayData::I32(vec![0]), Value::I32(-1), Value::I64(1)),
        (ArrayData::I64(vec![0]), Value::I64(-1), Value::Date(1)),
        (
            ArrayData::F32(vec![0.0]),
            Value::F32(f32::NAN),
            Value::F64(1.0),
        ),
        (ArrayData::F64(vec![0.0]), Value::F64(-0.0), Value::F32(1.0)),
        (
            ArrayData::Char(vec![0]),
            Value::Char(65),
            Value::Str("A".into()),
        ),
    ];
    for (data, ok, wrong) in cases {
        let mut st = ObjectState::array("[?", data.clone());
        let u = st
            .apply(&DeltaOp::SetElement {
                index: 0,
                value: ok.clone(),
            })
            .expect("typed set");
        match &st.data {
            ObjectData::Array(a) => assert_eq!(a.get(0), Some(ok)),
            _ => unreachable!(),
        }
        st.undo(u);
        assert_eq!(st.data, ObjectData::Array(data.clone()));
        assert_bad(
            &mut st,
            DeltaOp::SetElement {
                index: 0,
                value: wrong,
            },
        );
    }
    // Object[] takes any value, including references.
    let mut st = ObjectState::array(
        "[Ljava.lang.Object;",
        ArrayData::Values(vec![Value::Null; 2]),
    );
    apply_ok(
        &mut st,
        DeltaOp::SetElement {
            index: 1,
            value: Value::Ref(kiln_protocol::ObjectId(7)),
        },
    );
    let mut refs = Vec::new();
    st.for_each_ref(&mut |id| refs.push(id));
    assert_eq!(refs, vec![kiln_protocol::ObjectId(7)]);
    assert_bad(&mut st, DeltaOp::Add { value: i(1) });
}

#[test]
fn array_set_array_type_check() {
    let mut st = ObjectState::array("[J", ArrayData::I64(vec![1, 2]));
    // Same element type, any length.
    let u = st
        .apply(&DeltaOp::SetArray(ArrayData::I64(vec![7, 8, 9])))
        .expect("set-array");
    assert_eq!(st.data, ObjectData::Array(ArrayData::I64(vec![7, 8, 9])));
    st.undo(u);
    assert_eq!(st.data, ObjectData::Array(ArrayData::I64(vec![1, 2])));
    let r = assert_bad(&mut st, DeltaOp::SetArray(ArrayData::I32(vec![1, 2])));
    assert!(r.contains("element type"), "{r}");
    assert_bad(&mut st, DeltaOp::SetArray(ArrayData::Values(vec![])));
    assert_bad(
        &mut ObjectState::list(),
        DeltaOp::SetArray(ArrayData::I64(vec![])),
    );
    assert_bad(
        &mut ObjectState::physical("P"),
        DeltaOp::SetElement {
            index: 0,
            value: i(1),
        },
    );
}

#[test]
fn float_arrays_compare_by_bits() {
    let a = ArrayData::F64(vec![f64::NAN, -0.0]);
    assert_eq!(a, a.clone(), "NaN array equals itself");
    assert_ne!(ArrayData::F64(vec![0.0]), ArrayData::F64(vec![-0.0]));
    assert_ne!(ArrayData::F32(vec![0.0]), ArrayData::F32(vec![-0.0]));
    assert_eq!(
        ArrayData::F32(vec![f32::NAN]),
        ArrayData::F32(vec![f32::NAN])
    );
    assert_ne!(ArrayData::I32(vec![]), ArrayData::I64(vec![]));
}

#[test]
fn undo_states_helpers_kinds() {
    // Constructors produce the documented kinds.
    let kinds: Vec<&str> = [
        ObjectState::physical("P"),
        ObjectState::array("[Z", ArrayData::Bool(vec![])),
        ObjectState::map(),
        ObjectState::sorted_map(),
        ObjectState::list(),
        ObjectState::set(),
        ObjectState::queue(),
    ]
    .iter()
    .map(|s| s.data.kind_name())
    .collect();
    assert_eq!(
        kinds,
        [
            "physical",
            "array",
            "map",
            "sorted-map",
            "list",
            "set",
            "queue"
        ]
    );
    let _ = (
        IndexMap::<Value, Value>::new(),
        IndexSet::<Value>::new(),
        BTreeMap::<Value, Value>::new(),
        VecDeque::<Value>::new(),
    );
}
