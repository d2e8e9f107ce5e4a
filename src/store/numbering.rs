//! attempt_no in the store: each result keeps the numbers of its kept elements, and each
//! student a tally of attempts per item, so that a result completed after all of its
//! student's earlier ones (the usual write) is numbered without reading them. Within a
//! result an item appears at most once, so an element's number is 1 + the attempts at its
//! item in the student's earlier results (as in the view, src/attempt_no.rs).

use std::cmp::Ordering;

/// One stored answer in one int8 (the view unpacks it with shifts and masks, which costs
/// less per row than unnesting an array per field): bit 0 `correct`, bit 1 `hint_used`,
/// bits 2-32 `attempt_no`, bits 33-63 `response_time_ms` (both under 2^31).
pub fn pack(correct: bool, hint_used: bool, attempt_no: i32, response_time_ms: i32) -> i64 {
    let (n, ms) = (attempt_no as u64 & 0x7FFF_FFFF, response_time_ms as u64 & 0x7FFF_FFFF);
    ((ms << 33) | (n << 2) | (u64::from(hint_used) << 1) | u64::from(correct)) as i64
}

/// An answer with another attempt_no.
pub fn renumbered(answer: i64, attempt_no: i32) -> i64 {
    let without = answer as u64 & !(0x7FFF_FFFF_u64 << 2);
    (without | ((attempt_no as u64 & 0x7FFF_FFFF) << 2)) as i64
}

/// The attempt_no of a packed answer.
pub fn attempt_no(answer: i64) -> i32 {
    ((answer as u64 >> 2) & 0x7FFF_FFFF) as i32
}

/// A student's attempts per item: item ids in ascending order, with their counts.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    items: Vec<i64>,
    counts: Vec<i32>,
}

impl Tally {
    #[cfg(test)]
    pub fn arrays(&self) -> (&[i64], &[i32]) {
        (&self.items, &self.counts)
    }

    /// As the student's row keeps it: each item (the first zigzag-encoded, then its
    /// distance from the one before, which is positive) and its count, as LEB128 varints.
    /// Items a student meets are close to each other, so most take a byte or two: a fourth
    /// of two arrays' size, and of the WAL each append writes for the row.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.items.len() * 3);
        let mut previous: Option<i64> = None;
        for (&item, &count) in self.items.iter().zip(&self.counts) {
            let word = match previous {
                None => ((item << 1) ^ (item >> 63)) as u64,
                Some(p) => (item as u64).wrapping_sub(p as u64),
            };
            put_varint(&mut out, word);
            put_varint(&mut out, count as u64);
            previous = Some(item);
        }
        out
    }

    /// From [`Tally::to_bytes`]; `None` when the bytes are not a tally.
    pub fn from_bytes(mut bytes: &[u8]) -> Option<Self> {
        let mut tally = Tally::default();
        let mut previous: Option<i64> = None;
        while !bytes.is_empty() {
            let word = take_varint(&mut bytes)?;
            let count = i32::try_from(take_varint(&mut bytes)?).ok().filter(|&c| c > 0)?;
            let item = match previous {
                None => ((word >> 1) as i64) ^ -((word & 1) as i64),
                Some(p) => {
                    // A distance of 0, or one that passes i64::MAX, is not ascending.
                    let item = (p as u64).wrapping_add(word) as i64;
                    (word != 0 && item > p).then_some(item)?
                }
            };
            tally.items.push(item);
            tally.counts.push(count);
            previous = Some(item);
        }
        Some(tally)
    }

    /// Takes a removed result's items out of the tally.
    pub fn remove(&mut self, result_items: &[i64]) {
        for item in result_items {
            if let Ok(i) = self.items.binary_search(item) {
                self.counts[i] -= 1;
                if self.counts[i] <= 0 {
                    self.items.remove(i);
                    self.counts.remove(i);
                }
            }
        }
    }

    /// The numbers of a result's items, counted after every result tallied so far, which
    /// tallies it too.
    pub fn number(&mut self, result_items: &[i64]) -> Vec<i32> {
        result_items
            .iter()
            .map(|&item| match self.items.binary_search(&item) {
                Ok(i) => {
                    self.counts[i] += 1;
                    self.counts[i]
                }
                Err(i) => {
                    self.items.insert(i, item);
                    self.counts.insert(i, 1);
                    1
                }
            })
            .collect()
    }
}

fn put_varint(out: &mut Vec<u8>, mut word: u64) {
    while word >= 0x80 {
        out.push((word as u8) | 0x80);
        word >>= 7;
    }
    out.push(word as u8);
}

fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut word = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        // The tenth byte holds the top bit only.
        if shift == 63 && byte > 1 {
            return None;
        }
        word |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(word);
        }
    }
    None
}

/// A result's place in its student's order: completed_at, then the exam result id in its
/// type's order (a text id in "C" order: its bytes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdKey {
    Int(i64),
    Uuid([u8; 16]),
    Text(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub completed_at: i64,
    pub id: IdKey,
}

impl PartialOrd for Place {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Place {
    fn cmp(&self, other: &Self) -> Ordering {
        self.completed_at.cmp(&other.completed_at).then_with(|| self.id.cmp(&other.id))
    }
}

/// Numbers a student's whole history: `results` as (place, items), in any order; returns,
/// in the same order as given, each result's numbers, and the tally of them all. The
/// reference [`renumber_after`] is tested against.
#[cfg(test)]
pub fn renumber(results: &[(Place, &[i64])]) -> (Vec<Vec<i32>>, Tally) {
    renumber_after(Tally::default(), results)
}

/// Numbers the end of a student's history, `results`, after the earlier results that
/// `tally` counts (none of `results` comes before any of them); the tally of them all.
pub fn renumber_after(mut tally: Tally, results: &[(Place, &[i64])]) -> (Vec<Vec<i32>>, Tally) {
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| results[a].0.cmp(&results[b].0));
    let mut numbers = vec![Vec::new(); results.len()];
    for i in order {
        numbers[i] = tally.number(results[i].1);
    }
    (numbers, tally)
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn at(t: i64, id: i64) -> Place {
        Place { completed_at: t, id: IdKey::Int(id) }
    }

    #[test]
    fn answers_pack_every_field_at_its_extremes() {
        for (c, h, n, ms) in [(true, false, 1, 0), (false, true, i32::MAX, 2_147_483_000), (true, true, 7, 1_073_741_824)] {
            let a = pack(c, h, n, ms);
            // As the view unpacks it (sql/src/view/query.sql).
            assert_eq!(a & 1 == 1, c);
            assert_eq!(a & 2 == 2, h);
            assert_eq!(((a >> 2) & 2_147_483_647) as i32, n);
            assert_eq!(((a >> 33) & 2_147_483_647) as i32, ms);
            assert_eq!(attempt_no(a), n);
            let b = renumbered(a, 12345);
            assert_eq!((attempt_no(b), b & 3, (b >> 33) & 2_147_483_647), (12345, a & 3, (a >> 33) & 2_147_483_647));
        }
    }

    #[test]
    fn appends_count_per_item() {
        let mut tally = Tally::default();
        assert_eq!(tally.number(&[10, 11]), vec![1, 1]);
        assert_eq!(tally.number(&[11, 12]), vec![2, 1]);
        assert_eq!(tally.number(&[12, 10, 11]), vec![2, 2, 3]);
        assert_eq!(tally.arrays(), (&[10, 11, 12][..], &[2, 3, 2][..]));
        assert_eq!(Tally::from_bytes(&tally.to_bytes()), Some(tally));
    }

    #[test]
    fn tallies_keep_as_bytes() {
        let mut tally = Tally::default();
        tally.number(&[i64::MIN, -1, 0, 1, 1000, 1001, i64::MAX]);
        tally.number(&[1000, 1001]);
        for _ in 0..200 {
            tally.number(&[1001]);
        }
        let bytes = tally.to_bytes();
        assert_eq!(Tally::from_bytes(&bytes), Some(tally.clone()));
        assert_eq!(Tally::from_bytes(&[]), Some(Tally::default()));
        // Items close together take a byte each, and so do small counts.
        let mut near = Tally::default();
        near.number(&[5, 6, 9, 20]);
        assert_eq!(near.to_bytes(), vec![10, 1, 1, 1, 3, 1, 11, 1]);
        // Not a tally: cut short, a count of 0, a distance of 0, an eleven-byte varint,
        // an item past i64::MAX.
        assert_eq!(Tally::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Tally::from_bytes(&[2, 0]), None);
        assert_eq!(Tally::from_bytes(&[2, 1, 0, 1]), None);
        assert_eq!(Tally::from_bytes(&[0xFF; 11]), None);
        let mut top = Tally::default();
        top.number(&[i64::MAX]);
        let mut past = top.to_bytes();
        past.extend([1, 1]);
        assert_eq!(Tally::from_bytes(&past), None);
    }

    #[test]
    fn renumbering_follows_completed_at_then_id() {
        // A result completed earlier than the others, arriving last.
        let (numbers, tally) = renumber(&[(at(20, 1), &[7, 8]), (at(30, 2), &[7]), (at(10, 3), &[7])]);
        assert_eq!(numbers, vec![vec![2, 1], vec![3], vec![1]]);
        assert_eq!(tally.arrays(), (&[7, 8][..], &[3, 1][..]));
        // Ties on completed_at: the id decides, in its type's order.
        let (numbers, _) = renumber(&[(at(5, 9), &[1]), (at(5, -2), &[1])]);
        assert_eq!(numbers, vec![vec![2], vec![1]]);
        let text = |s: &str| Place { completed_at: 0, id: IdKey::Text(s.as_bytes().to_vec()) };
        let (numbers, _) = renumber(&[(text("b"), &[1]), (text("B"), &[1]), (text("a"), &[1])]);
        assert_eq!(numbers, vec![vec![3], vec![1], vec![2]], "\"C\" order: B < a < b");
    }

    #[test]
    fn the_end_of_a_history_numbers_as_the_whole_does() {
        // Histories from a small deterministic generator: remove some results and add
        // others anywhere, then number only what comes after the earliest change, from
        // the tally of what comes before; it must equal numbering the whole again.
        let mut seed = 0x2026_u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let mut result = |k: i64, next: &mut dyn FnMut(u64) -> u64| {
            let mut items: Vec<i64> = (0..1 + next(4)).map(|_| next(5) as i64).collect();
            items.sort_unstable();
            items.dedup();
            (at(next(8) as i64, k), items)
        };
        for _ in 0..500 {
            let history: Vec<(Place, Vec<i64>)> = (0..next(8) as i64).map(|k| result(k, &mut next)).collect();
            let all: Vec<(Place, &[i64])> = history.iter().map(|(p, i)| (p.clone(), i.as_slice())).collect();
            let (_, tally) = renumber(&all);
            let (removed, kept): (Vec<_>, Vec<_>) = history.iter().partition(|_| next(3) == 0);
            let added: Vec<(Place, Vec<i64>)> = (0..next(3) as i64).map(|k| result(100 + k, &mut next)).collect();
            let Some(first) = removed.iter().map(|(p, _)| p).chain(added.iter().map(|(p, _)| p)).min() else { continue };
            let later: Vec<&(Place, Vec<i64>)> = kept.iter().copied().filter(|(p, _)| p >= first).collect();
            let mut base = tally.clone();
            for (_, items) in removed.iter().copied().chain(later.iter().copied()) {
                base.remove(items);
            }
            let end: Vec<(Place, &[i64])> =
                later.iter().map(|(p, i)| (p.clone(), i.as_slice())).chain(added.iter().map(|(p, i)| (p.clone(), i.as_slice()))).collect();
            let (local, local_tally) = renumber_after(base, &end);
            let whole: Vec<(Place, &[i64])> =
                kept.iter().map(|(p, i)| (p.clone(), i.as_slice())).chain(added.iter().map(|(p, i)| (p.clone(), i.as_slice()))).collect();
            let (full, full_tally) = renumber(&whole);
            let full_end: Vec<Vec<i32>> = whole.iter().zip(&full).filter(|((p, _), _)| p >= first).map(|(_, n)| n.clone()).collect();
            assert_eq!(local, full_end);
            assert_eq!(local_tally, full_tally);
        }
    }

    #[test]
    fn infinite_times_sort_at_the_ends() {
        let (numbers, _) = renumber(&[(at(i64::MAX, 1), &[1]), (at(0, 1), &[1]), (at(i64::MIN, 1), &[1])]);
        assert_eq!(numbers, vec![vec![3], vec![2], vec![1]]);
    }
}
