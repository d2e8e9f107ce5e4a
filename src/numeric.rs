//! JSON numbers as jsonb stores them: PostgreSQL `numeric` values, read straight from their
//! bytes. The element parser needs three questions answered per number (is it an integer
//! in bigint range, is it a positive integer, what are its seconds in milliseconds) and
//! calling numeric's SQL functions for each would cost more than the rest of the parse.
//!
//! A numeric is a sign, a weight and base-10000 digits: value = Σ digit[i] × 10000^(weight − i).
//! Stored values have no leading or trailing zero digits, but nothing here relies on that.

/// A finite numeric, borrowed from its datum.
#[derive(Clone, Copy, Debug)]
pub struct Decimal<'a> {
    negative: bool,
    weight: i32,
    /// The base-10000 digits, two bytes each in the server's byte order.
    digits: &'a [u8],
}

// The header bits of src/include/utils/numeric.c (NUMERIC_SHORT and friends).
const SIGN_MASK: u16 = 0xC000;
const NEG: u16 = 0x4000;
const SHORT: u16 = 0x8000;
const SPECIAL: u16 = 0xC000;
const SHORT_SIGN_MASK: u16 = 0x2000;
const SHORT_WEIGHT_SIGN_MASK: u16 = 0x0040;
const SHORT_WEIGHT_MASK: u16 = 0x003F;

/// The largest `time_spent_sec` whose milliseconds fit an integer (docs/SPEC.md §5).
pub const MAX_SECONDS: i64 = 2_147_483;

impl<'a> Decimal<'a> {
    /// Reads a numeric's data (the bytes after its varlena header). `None` for NaN and the
    /// infinities, which JSON cannot hold, and for bytes too short to be a numeric.
    pub fn from_numeric_data(data: &'a [u8]) -> Option<Self> {
        let header = u16::from_ne_bytes([*data.first()?, *data.get(1)?]);
        match header & SIGN_MASK {
            SPECIAL => None,
            SHORT => {
                let low = i32::from(header & SHORT_WEIGHT_MASK);
                let weight =
                    if header & SHORT_WEIGHT_SIGN_MASK != 0 { low | !i32::from(SHORT_WEIGHT_MASK) } else { low };
                Some(Self { negative: header & SHORT_SIGN_MASK != 0, weight, digits: &data[2..] })
            }
            sign => {
                let weight = i16::from_ne_bytes([*data.get(2)?, *data.get(3)?]);
                Some(Self { negative: sign == NEG, weight: i32::from(weight), digits: &data[4..] })
            }
        }
    }

    fn ndigits(&self) -> usize {
        self.digits.len() / 2
    }

    /// Digit `i` (0 = most significant); 0 beyond the stored digits.
    fn digit(&self, i: usize) -> i64 {
        match self.digits.get(2 * i..2 * i + 2) {
            Some(d) => i64::from(i16::from_ne_bytes([d[0], d[1]])),
            None => 0,
        }
    }

    /// Index of the first digit of weight −1 (the first fractional one); digits at or after
    /// it are fractional. Saturates at 0 for a weight below −1.
    fn first_fraction_index(&self) -> usize {
        usize::try_from(self.weight.saturating_add(1)).unwrap_or(0)
    }

    fn is_zero(&self) -> bool {
        (0..self.ndigits()).all(|i| self.digit(i) == 0)
    }

    /// No non-zero fractional digit: 12.0 is an integer (`min_scale(x) = 0`).
    pub fn is_integral(&self) -> bool {
        (self.first_fraction_index()..self.ndigits()).all(|i| self.digit(i) == 0)
    }

    /// The integer part's magnitude, or `None` once it passes `limit`.
    fn integer_part_up_to(&self, limit: i128) -> Option<i128> {
        let mut acc: i128 = 0;
        for i in 0..self.first_fraction_index() {
            acc = acc * 10_000 + i128::from(self.digit(i));
            if acc > limit {
                return None;
            }
        }
        Some(acc)
    }

    /// The value as a bigint, if it is an integer in bigint's range.
    pub fn to_i64(self) -> Option<i64> {
        if !self.is_integral() {
            return None;
        }
        let magnitude = self.integer_part_up_to(i128::from(i64::MAX) + 1)?;
        i64::try_from(if self.negative { -magnitude } else { magnitude }).ok()
    }

    /// Below zero (`-0` is zero).
    pub fn is_negative(&self) -> bool {
        self.negative && !self.is_zero()
    }

    /// An integer ≥ 1 (`used_hints` > 0 as the contract reads it).
    pub fn is_positive_integer(&self) -> bool {
        !self.negative && self.is_integral() && !self.is_zero()
    }

    /// `round(x × 1000)`, half away from zero, for 0 ≤ x ≤ 2,147,483; `None` outside.
    pub fn milliseconds(&self) -> Option<i32> {
        if self.negative && !self.is_zero() {
            return None;
        }
        let seconds = self.integer_part_up_to(i128::from(MAX_SECONDS))?;
        let first = self.first_fraction_index();
        let has_fraction = (first..self.ndigits()).any(|i| self.digit(i) != 0);
        if seconds == i128::from(MAX_SECONDS) && has_fraction {
            return None;
        }
        // The first fractional digit (weight −1) holds the tenths of a millisecond and the
        // next decimal; everything after it is below 0.1 ms. Rounding x × 1000 half away
        // from zero therefore only asks whether the 4th decimal is 5 or more.
        let fraction = if self.weight >= -1 { self.digit(first) } else { 0 };
        let ms = seconds * 1000 + i128::from(fraction / 10 + i64::from(fraction % 10 >= 5));
        i32::try_from(ms).ok()
    }
}

/// A `question_id` given as a JSON string: a non-empty run of ASCII digits ("007" is 7), as
/// a bigint if it fits. Compared as text, so a string longer than numeric accepts is fine.
pub fn digit_string_to_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = &s[s.iter().position(|&b| b != b'0').unwrap_or(s.len())..];
    if significant.len() > 19 {
        return None;
    }
    significant.iter().try_fold(0i64, |acc, &b| acc.checked_mul(10)?.checked_add(i64::from(b - b'0')))
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    /// Encodes like PostgreSQL's make_result: long form (n_sign_dscale, n_weight, digits).
    fn long(negative: bool, weight: i16, digits: &[i16]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(if negative { NEG } else { 0 }).to_ne_bytes());
        out.extend_from_slice(&weight.to_ne_bytes());
        for d in digits {
            out.extend_from_slice(&d.to_ne_bytes());
        }
        out
    }

    /// Short form: one header word with sign, dscale 0, and a 7-bit signed weight.
    fn short(negative: bool, weight: i16, digits: &[i16]) -> Vec<u8> {
        let w = (weight as u16) & (SHORT_WEIGHT_MASK | SHORT_WEIGHT_SIGN_MASK);
        let header = SHORT | if negative { SHORT_SIGN_MASK } else { 0 } | w;
        let mut out = header.to_ne_bytes().to_vec();
        for d in digits {
            out.extend_from_slice(&d.to_ne_bytes());
        }
        out
    }

    fn both(negative: bool, weight: i16, digits: &[i16]) -> [Vec<u8>; 2] {
        [long(negative, weight, digits), short(negative, weight, digits)]
    }

    #[test]
    fn integers_and_bigint_range() {
        for bytes in both(false, 0, &[12]) {
            let d = Decimal::from_numeric_data(&bytes).unwrap();
            assert_eq!(d.to_i64(), Some(12));
            assert!(d.is_positive_integer());
        }
        // 9223372036854775807 = 922|3372|0368|5477|5807, weight 4.
        let max = long(false, 4, &[922, 3372, 368, 5477, 5807]);
        assert_eq!(Decimal::from_numeric_data(&max).unwrap().to_i64(), Some(i64::MAX));
        let over = long(false, 4, &[922, 3372, 368, 5477, 5808]);
        assert_eq!(Decimal::from_numeric_data(&over).unwrap().to_i64(), None);
        let min = long(true, 4, &[922, 3372, 368, 5477, 5808]);
        assert_eq!(Decimal::from_numeric_data(&min).unwrap().to_i64(), Some(i64::MIN));
        let under = long(true, 4, &[922, 3372, 368, 5477, 5809]);
        assert_eq!(Decimal::from_numeric_data(&under).unwrap().to_i64(), None);
        // 1e400: weight 100, one digit.
        let huge = long(false, 100, &[1]);
        let d = Decimal::from_numeric_data(&huge).unwrap();
        assert!(d.is_integral() && d.is_positive_integer());
        assert_eq!(d.to_i64(), None);
        // 20000 = digits [2] at weight 1 (trailing zero digit implicit).
        assert_eq!(Decimal::from_numeric_data(&long(false, 1, &[2])).unwrap().to_i64(), Some(20_000));
        // Zero has no digits; -5 is an integer in range.
        let zero = long(false, 0, &[]);
        let d = Decimal::from_numeric_data(&zero).unwrap();
        assert_eq!(d.to_i64(), Some(0));
        assert!(!d.is_positive_integer());
        assert_eq!(Decimal::from_numeric_data(&long(true, 0, &[5])).unwrap().to_i64(), Some(-5));
    }

    #[test]
    fn fractions() {
        // 12.5 = [12, 5000] weight 0; 12.0 is stored as [12]; 0.0001 = [1] weight -1.
        let bytes = long(false, 0, &[12, 5000]);
        let d = Decimal::from_numeric_data(&bytes).unwrap();
        assert!(!d.is_integral());
        assert_eq!(d.to_i64(), None);
        assert!(!d.is_positive_integer());
        let tiny_bytes = long(false, -1, &[1]);
        let tiny = Decimal::from_numeric_data(&tiny_bytes).unwrap();
        assert!(!tiny.is_integral());
        let tinier_bytes = short(false, -3, &[7]);
        let tinier = Decimal::from_numeric_data(&tinier_bytes).unwrap();
        assert!(!tinier.is_integral());
        assert_eq!(tinier.milliseconds(), Some(0));
        // An explicit trailing zero digit is still integral.
        assert_eq!(Decimal::from_numeric_data(&long(false, 0, &[3, 0])).unwrap().to_i64(), Some(3));
    }

    #[test]
    fn milliseconds_round_half_away_from_zero() {
        let ms = |negative, weight, digits: &[i16]| {
            Decimal::from_numeric_data(&long(negative, weight, digits)).unwrap().milliseconds()
        };
        assert_eq!(ms(false, 0, &[12, 5000]), Some(12_500)); // 12.5
        assert_eq!(ms(false, -1, &[5]), Some(1)); // 0.0005 -> 0.5 ms -> 1
        assert_eq!(ms(false, -1, &[4, 9999]), Some(0)); // 0.00049999
        assert_eq!(ms(false, 0, &[1, 9995]), Some(2_000)); // 1.9995
        assert_eq!(ms(false, 0, &[1, 9994, 9999]), Some(1_999)); // 1.99949999
        assert_eq!(ms(false, 1, &[214, 7483]), Some(2_147_483_000)); // the maximum
        assert_eq!(ms(false, 1, &[214, 7483, 1]), None); // 2147483.0001
        assert_eq!(ms(false, 1, &[214, 7484]), None);
        assert_eq!(ms(true, 0, &[1]), None); // -1
        assert_eq!(ms(true, 0, &[]), Some(0)); // -0 is zero
        assert_eq!(ms(false, 100, &[1]), None); // 1e400
        for bytes in both(false, 0, &[7, 2500]) {
            assert_eq!(Decimal::from_numeric_data(&bytes).unwrap().milliseconds(), Some(7_250));
        }
    }

    #[test]
    fn specials_and_garbage_are_not_numbers() {
        assert!(Decimal::from_numeric_data(&0xC000u16.to_ne_bytes()).is_none()); // NaN
        assert!(Decimal::from_numeric_data(&[]).is_none());
        assert!(Decimal::from_numeric_data(&[0]).is_none());
        assert!(Decimal::from_numeric_data(&[0, 0, 1]).is_none()); // long form, no weight
    }

    /// An independent reference: the value as decimal digit strings (integer part without
    /// leading zeros, fraction), from which the three answers follow by plain text rules.
    fn decimal_strings(weight: i16, digits: &[i16]) -> (String, String) {
        let digit_at = |p: i32| -> i16 {
            let index = i32::from(weight) - p;
            if index >= 0 && (index as usize) < digits.len() { digits[index as usize] } else { 0 }
        };
        let lowest = i32::from(weight) - digits.len() as i32 + 1;
        let integer: String = (0..=i32::from(weight).max(0)).rev().map(|p| format!("{:04}", digit_at(p))).collect();
        let fraction: String = (lowest.min(-1)..=-1).rev().map(|p| format!("{:04}", digit_at(p))).collect();
        let integer = integer.trim_start_matches('0').to_string();
        (if integer.is_empty() { "0".to_string() } else { integer }, fraction)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 20_000, ..Default::default() })]
        #[test]
        fn decoding_agrees_with_decimal_text(
            negative in proptest::bool::ANY,
            weight in -8i16..12,
            digits in proptest::collection::vec(0i16..10_000, 0..7),
            short_form in proptest::bool::ANY,
        ) {
            // The short form holds weights -64..63 only; both forms must read alike.
            let bytes = if short_form { short(negative, weight, &digits) } else { long(negative, weight, &digits) };
            let d = Decimal::from_numeric_data(&bytes).unwrap();
            let (integer, fraction) = decimal_strings(weight, &digits);
            let zero = integer == "0" && fraction.bytes().all(|b| b == b'0');
            let integral = fraction.bytes().all(|b| b == b'0');
            let expected_i64 = if integral && integer.len() <= 20 {
                let magnitude: i128 = integer.parse().unwrap();
                i64::try_from(if negative { -magnitude } else { magnitude }).ok()
            } else {
                None
            };
            proptest::prop_assert_eq!(d.to_i64(), expected_i64);
            proptest::prop_assert_eq!(d.is_positive_integer(), integral && !zero && !negative);
            let expected_ms = if negative && !zero {
                None
            } else if integer.len() > 7 {
                None
            } else {
                let seconds: i64 = integer.parse().unwrap();
                let padded = format!("{fraction}0000");
                let over = seconds > MAX_SECONDS || (seconds == MAX_SECONDS && !integral);
                (!over).then(|| {
                    let thousandths: i64 = padded[..3].parse().unwrap();
                    let round_up = padded.as_bytes()[3] >= b'5';
                    (seconds * 1000 + thousandths + i64::from(round_up)) as i32
                })
            };
            proptest::prop_assert_eq!(d.milliseconds(), expected_ms);
        }
    }

    #[test]
    fn digit_strings() {
        assert_eq!(digit_string_to_i64(b"007"), Some(7));
        assert_eq!(digit_string_to_i64(b"0"), Some(0));
        assert_eq!(digit_string_to_i64(b"0000"), Some(0));
        assert_eq!(digit_string_to_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(digit_string_to_i64(b"0009223372036854775807"), Some(i64::MAX));
        assert_eq!(digit_string_to_i64(b"9223372036854775808"), None);
        assert_eq!(digit_string_to_i64(b"99999999999999999999"), None);
        assert_eq!(digit_string_to_i64(b""), None);
        assert_eq!(digit_string_to_i64(b"-5"), None);
        assert_eq!(digit_string_to_i64(b"12 "), None);
        assert_eq!(digit_string_to_i64("١٢".as_bytes()), None); // non-ASCII digits
    }
}
