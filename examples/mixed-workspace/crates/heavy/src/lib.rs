//! `heavy`: the deliberately slow-to-compile crate of the example workspace.
//!
//! Nothing here is computationally interesting at run time. The point is
//! compile time: a `macro_rules!` template (`workload!`) is stamped out
//! into many independent modules, each with its own types, trait impls and
//! generic, inference-heavy function bodies (long iterator/closure chains,
//! nested generic pipelines, type-level lists). That makes `cargo check -p
//! heavy` spend several seconds in rustc's front-end (type checking, trait
//! solving, borrow checking) spread over many small bodies, which is what
//! rustc's parallel front-end (`-Zthreads=N`) can speed up.
//!
//! Only a few modules' generic functions are instantiated (by [`checksum`]),
//! so a debug `cargo build` costs little more than `cargo check`.
//!
//! Note that with incremental compilation (cargo's default for the dev
//! profile) re-checking after a mere `touch` of this file reuses cached
//! results and is much faster; use `CARGO_INCREMENTAL=0` or a real edit to
//! see the full front-end cost.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::marker::PhantomData;

use basis::{Measure, Named};

/// A typed processing step that can be composed with [`Then`].
pub trait Stage {
    /// Input type of the step.
    type In;
    /// Output type of the step.
    type Out;
    /// Runs the step.
    fn run(&self, input: Self::In) -> Self::Out;
}

/// A [`Stage`] made from a closure; see [`map`].
pub struct Map<F, I, O>(F, PhantomData<fn(I) -> O>);

/// Wraps a closure into a [`Stage`].
pub fn map<I, O, F: Fn(I) -> O>(f: F) -> Map<F, I, O> {
    Map(f, PhantomData)
}

impl<I, O, F: Fn(I) -> O> Stage for Map<F, I, O> {
    type In = I;
    type Out = O;
    fn run(&self, input: I) -> O {
        (self.0)(input)
    }
}

/// Runs `A` and feeds its output into `B`.
pub struct Then<A, B>(pub A, pub B);

impl<A: Stage, B: Stage<In = A::Out>> Stage for Then<A, B> {
    type In = A::In;
    type Out = B::Out;
    fn run(&self, input: A::In) -> B::Out {
        self.1.run(self.0.run(input))
    }
}

/// Right-nests stages: `pipe!(a, b, c)` is `Then(a, Then(b, c))`.
macro_rules! pipe {
    ($s:expr $(,)?) => { $s };
    ($s:expr, $($rest:expr),+ $(,)?) => { Then($s, pipe!($($rest),+)) };
}

/// The empty type-level list.
pub struct HNil;

/// A type-level list cell.
pub struct HCons<H, T>(pub H, pub T);

/// Sums the [`Measure`] of every element of a type-level list.
pub trait Total {
    /// Number of elements.
    const LEN: usize;
    /// Sum of the measures of all elements.
    fn total(&self) -> u64;
}

impl Total for HNil {
    const LEN: usize = 0;
    fn total(&self) -> u64 {
        0
    }
}

impl<H: Measure, T: Total> Total for HCons<H, T> {
    const LEN: usize = 1 + T::LEN;
    fn total(&self) -> u64 {
        self.0.measure().wrapping_add(self.1.total())
    }
}

/// Builds a type-level list: `hlist![a, b]` is `HCons(a, HCons(b, HNil))`.
macro_rules! hlist {
    () => { HNil };
    ($h:expr $(, $t:expr)* $(,)?) => { HCons($h, hlist!($($t),*)) };
}

/// FNV-1a over a string, usable in constants (gives every module its own salt).
pub const fn salt_of(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The template stamped into every generated module.
macro_rules! workload {
    () => {
        use super::super::*;

        /// Per-module salt, derived from the module path.
        pub const SALT: u64 = salt_of(module_path!());

        /// This module's own item type (distinct in every module, so trait
        /// obligations are not shared between modules).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct Item {
            /// Key of the item.
            pub key: u64,
            /// Weight of the item.
            pub weight: u32,
        }

        /// A wrapper adding one more layer of generic impls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct Wrapped<T>(pub T);

        impl Measure for Item {
            fn measure(&self) -> u64 {
                self.key ^ u64::from(self.weight) ^ SALT
            }
        }

        impl Named for Item {
            fn name(&self) -> String {
                format!("{}#{}", module_path!(), self.key)
            }
        }

        impl<T: Measure> Measure for Wrapped<T> {
            fn measure(&self) -> u64 {
                self.0.measure().rotate_left(7)
            }
        }

        impl<T: Named> Named for Wrapped<T> {
            fn name(&self) -> String {
                format!("[{}]", self.0.name())
            }
        }

        /// Deterministic input data (lazy, so nothing is instantiated here).
        pub fn items(n: u64) -> impl Iterator<Item = Item> + Clone {
            (0..n).map(|i| Item {
                key: util::mix(i, SALT),
                weight: (i % 7) as u32,
            })
        }

        /// Buckets items by measure, keeping names.
        pub fn group<T: Measure + Named + Clone>(xs: &[T]) -> BTreeMap<u64, Vec<(String, u64)>> {
            xs.iter()
                .cloned()
                .enumerate()
                .filter_map(|(i, x)| {
                    let m = x.measure();
                    (m % 5 != i as u64 % 5).then(|| (m % 11, (x.name(), m)))
                })
                .fold(BTreeMap::new(), |mut acc: BTreeMap<_, Vec<_>>, (k, v)| {
                    acc.entry(k).or_default().push(v);
                    acc
                })
        }

        /// A long adapter chain over sorted and reversed views of the input.
        pub fn score<T: Measure + Ord + Clone>(xs: &[T]) -> u64 {
            let mut sorted: Vec<_> = xs.to_vec();
            sorted.sort_unstable();
            sorted
                .windows(2)
                .map(|w| (w[0].measure(), w[1].measure()))
                .zip(xs.iter().rev().map(Measure::measure))
                .flat_map(|((a, b), c)| [a, b, c].into_iter().map(move |v| util::mix(v, SALT)))
                .scan(0u64, |st, v| {
                    *st = st.wrapping_add(v);
                    Some(*st)
                })
                .step_by(2)
                .take_while(|&v| v != 0)
                .fold(SALT, |acc, v| acc.rotate_left(5) ^ v)
        }

        /// Pairs every element with its neighbours and reduces through maps and sets.
        pub fn neighbours<T: Measure + Named>(xs: &[T]) -> (usize, u64) {
            let names: BTreeSet<String> = xs
                .iter()
                .map(Named::name)
                .filter(|n| n.len() % 2 == 0)
                .collect();
            let by_len: HashMap<usize, Vec<&T>> = xs.iter().fold(HashMap::new(), |mut m, x| {
                m.entry(x.name().len()).or_insert_with(Vec::new).push(x);
                m
            });
            let mut queue: VecDeque<(usize, u64)> = by_len
                .iter()
                .map(|(len, group)| {
                    (
                        *len,
                        group.iter().map(|x| x.measure()).max().unwrap_or_default(),
                    )
                })
                .collect();
            queue
                .make_contiguous()
                .sort_by_key(|&(len, m)| (std::cmp::Reverse(m), len));
            let folded = queue
                .iter()
                .zip(queue.iter().skip(1))
                .map(|(&(la, ma), &(lb, mb))| util::mix(ma ^ (la as u64), mb ^ (lb as u64)))
                .chain(names.iter().map(|n| n.bytes().map(u64::from).sum::<u64>()))
                .reduce(|a, b| a.wrapping_mul(31).wrapping_add(b))
                .unwrap_or(SALT);
            (names.len(), folded)
        }

        /// A statically typed multi-stage pipeline (deeply nested `Then` types).
        pub fn pipeline() -> impl Stage<In = Vec<Item>, Out = u64> {
            pipe!(
                map(|v: Vec<Item>| v.into_iter().map(Wrapped).collect::<Vec<_>>()),
                map(|v: Vec<Wrapped<Item>>| v
                    .iter()
                    .map(|w| (w.measure(), w.0))
                    .collect::<Vec<_>>()),
                map(|v: Vec<(u64, Item)>| {
                    v.into_iter()
                        .filter(|(m, _)| m % 3 != 0)
                        .map(|(m, it)| (it.weight, m))
                        .collect::<HashMap<u32, u64>>()
                }),
                map(|m: HashMap<u32, u64>| {
                    let mut v: Vec<_> = m.into_iter().collect();
                    v.sort();
                    v
                }),
                map(|v: Vec<(u32, u64)>| {
                    v.iter()
                        .map(|&(w, m)| Wrapped(Wrapped(m.rotate_right(w))))
                        .map(|w| w.measure())
                        .collect::<Vec<_>>()
                }),
                map(|v: Vec<u64>| v.into_iter().fold(SALT, util::mix)),
            )
        }

        /// Sums a heterogeneous type-level list (trait resolution per element).
        pub fn hlist_total<const WEIGHT: u32>() -> u64 {
            let it = Item {
                key: util::mix(SALT, 1),
                weight: WEIGHT,
            };
            let list = hlist![
                it,
                Wrapped(it),
                Wrapped(Wrapped(it)),
                Some(it),
                vec![Wrapped(it); 2],
                (it, Wrapped(it)),
                (Some(Wrapped(it)), vec![Some(it)]),
                Wrapped((it, Some(vec![it]))),
                Some(Wrapped(Wrapped(Some(it)))),
            ];
            list.total()
                .wrapping_add(<HCons<Item, HNil> as Total>::LEN as u64)
        }

        /// Checksum of everything in this module over the first `N` items.
        ///
        /// Being generic (over `N`), it and everything it instantiates are
        /// only code-generated where it is actually called, which keeps
        /// `cargo build` close to `cargo check` for this crate.
        pub fn checksum<const N: u64>() -> u64 {
            let xs: Vec<Item> = items(N).collect();
            let wrapped: Vec<Wrapped<Item>> = xs.iter().copied().map(Wrapped).collect();
            let (n, folded) = neighbours(&wrapped);
            score(&xs)
                ^ score(&wrapped)
                ^ pipeline().run(xs.clone())
                ^ group(&xs).len() as u64
                ^ (n as u64).wrapping_add(folded)
                ^ hlist_total::<3>()
        }
    };
}

/// Stamps [`workload!`] into `outer::inner` modules for every pair and
/// defines `checksum()` over all of them (the full, generic checksum of the
/// first module of each group, and the salt of every module).
macro_rules! grid {
    ([$($outer:ident)*] x $inner:tt) => {
        $( grid!(@outer $outer $inner); )*

        /// Checksum over every generated module.
        pub fn checksum() -> u64 {
            let mut acc = 0u64;
            $( acc ^= $outer::checksum(); )*
            acc
        }
    };
    (@outer $outer:ident [$first:ident $($inner:ident)*]) => {
        /// Generated workload modules.
        pub mod $outer {
            $(
                /// One generated workload module.
                pub mod $inner {
                    workload!();
                }
            )*

            /// The first generated workload module of this group.
            pub mod $first {
                workload!();
            }

            /// Checksum over this group of modules.
            pub fn checksum() -> u64 {
                let mut acc = $first::checksum::<24>();
                $( acc = util::mix(acc, $inner::SALT); )*
                acc
            }
        }
    };
}

grid! {
    [alpha beta gamma delta epsilon zeta eta theta]
    x
    [m00 m01 m02 m03 m04 m05 m06 m07 m08 m09 m10 m11 m12 m13 m14 m15]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_deterministic() {
        testkit::assert_deterministic((), |()| checksum());
    }

    #[test]
    fn modules_differ() {
        assert_ne!(alpha::m00::SALT, beta::m00::SALT);
        assert_ne!(
            alpha::m00::hlist_total::<3>(),
            alpha::m01::hlist_total::<3>()
        );
    }

    #[test]
    fn score_handles_random_input() {
        let mut rng = testkit::Rng::new(7);
        let xs: Vec<gamma::m03::Item> = rng
            .vec(40, 1000)
            .into_iter()
            .map(|key| gamma::m03::Item { key, weight: 1 })
            .collect();
        testkit::assert_deterministic(xs, |xs| gamma::m03::score(&xs));
        assert_ne!(gamma::m03::checksum::<8>(), gamma::m04::checksum::<8>());
    }
}
