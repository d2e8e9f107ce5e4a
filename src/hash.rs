//! The two V1 hashes: a pure Rust core and thin V1 C functions around it.
//!
//! Both must stay bit-identical to the SQL formulas they replace (docs/SPEC.md §4):
//!
//! ```sql
//! ('x' || substr(md5(a || '-' || b), 1, 16))::bit(64)::bigint           -- attempt_id
//! CASE WHEN u ~* '^[0-9a-fA-F-]{36}$' THEN u::uuid ELSE md5(u)::uuid END -- attempt_student_uuid
//! ```
//!
//! The hashing is in-process (RustCrypto `md-5`), never the server's `md5()`, which
//! FIPS-mode servers disable. The hot path neither copies nor validates its text (md5 is
//! defined over the bytes of the text in the server encoding, and so is this); its only
//! allocation is the 16-byte uuid result.

use md5::{Digest, Md5};
use crate::fmgr::{strict_arg, v1_info};
use pgrx::{pg_sys, varlena};

/// `attempt_id(a, b)`: the first 8 bytes of md5(a || '-' || b), read as a big-endian i64.
pub fn attempt_id(a: &[u8], b: &[u8]) -> i64 {
    let digest = short_md5(&[a, b"-", b])
        .unwrap_or_else(|| Md5::new().chain_update(a).chain_update(b"-").chain_update(b).finalize().into());
    i64::from_be_bytes(digest[..8].try_into().expect("md5 digests are 16 bytes"))
}

/// md5 of a message.
fn md5(message: &[u8]) -> [u8; 16] {
    short_md5(&[message]).unwrap_or_else(|| Md5::digest(message).into())
}

/// md5 of the concatenated parts when they fit one block (at most 55 bytes: every
/// UUID-and-item key and most user ids), padded on the stack and compressed once: at this
/// size the digest's buffering and length bookkeeping cost as much as the compression.
#[cfg(target_arch = "x86_64")]
fn short_md5(parts: &[&[u8]]) -> Option<[u8; 16]> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if len > 55 {
        return None;
    }
    let mut block = [0u8; 64];
    let mut at = 0;
    for part in parts {
        block[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    block[len] = 0x80;
    block[56..].copy_from_slice(&((len as u64) * 8).to_le_bytes());
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    md5_asm::compress(&mut state, std::slice::from_ref(&block));
    let mut digest = [0u8; 16];
    for (out, word) in digest.chunks_exact_mut(4).zip(state) {
        out.copy_from_slice(&word.to_le_bytes());
    }
    Some(digest)
}

/// Without the assembly compression function, every message goes through the digest.
#[cfg(not(target_arch = "x86_64"))]
fn short_md5(_parts: &[&[u8]]) -> Option<[u8; 16]> {
    None
}

/// `attempt_id(a, b::text)` for an item id `b`, formatted on the stack.
pub fn attempt_id_item(a: &[u8], b: i64) -> i64 {
    let mut int_text = [0u8; 20];
    attempt_id(a, format_i64(b, &mut int_text))
}

/// `attempt_id(uuid, bigint)`: the same value as `attempt_id(a::text, b::text)`, formatted
/// on the stack.
pub fn attempt_id_uuid(a: &[u8; 16], b: i64) -> i64 {
    let mut uuid_text = [0u8; 36];
    format_uuid(a, &mut uuid_text);
    attempt_id_item(&uuid_text, b)
}

/// `attempt_student_uuid(u)`: a UUID string is kept, anything else becomes md5(u).
///
/// The reference SQL casts every 36-character hex-and-hyphen string, and raises where
/// PostgreSQL's `uuid_in` rejects it (36 hyphens, say). There the native function
/// returns md5(u) instead, as documented.
pub fn student_uuid(u: &[u8]) -> [u8; 16] {
    // A string uuid_in accepts is 36 hex-and-hyphen characters, so it always matches the
    // reference's regex: parsing alone decides, with no separate regex pass.
    parse_uuid_like_postgres(u).unwrap_or_else(|| md5(u))
}

/// PostgreSQL's `string_to_uuid` for the 36-character strings the reference casts: 32 hex
/// digits, and after every group of four digits except the last an optional single
/// hyphen. So `abcd-abcdabcd-abcd-abcd-abcdabcdabcd` is a valid UUID to PostgreSQL, and
/// so it is here.
fn parse_uuid_like_postgres(s: &[u8]) -> Option<[u8; 16]> {
    if s.len() != 36 {
        return None;
    }
    if let Some(uuid) = parse_canonical_uuid(s) {
        return Some(uuid);
    }
    let mut out = [0u8; 16];
    let mut pos = 0;
    for (i, byte) in out.iter_mut().enumerate() {
        let (hi, lo) = (*s.get(pos)?, *s.get(pos + 1)?);
        let (hi, lo) = (HEX_VALUE[usize::from(hi)], HEX_VALUE[usize::from(lo)]);
        if (hi | lo) > 0x0f {
            return None;
        }
        *byte = (hi << 4) | lo;
        pos += 2;
        if i % 2 == 1 && i < 15 && s.get(pos) == Some(&b'-') {
            pos += 1;
        }
    }
    (pos == s.len()).then_some(out)
}

/// The 8-4-4-4-12 form almost every UUID user id has, read at fixed positions with no
/// branch per digit. `None` for anything else, which the general parser then decides.
fn parse_canonical_uuid(s: &[u8]) -> Option<[u8; 16]> {
    const DIGIT_PAIRS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let s: &[u8; 36] = s.try_into().ok()?;
    if s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return None;
    }
    let mut out = [0u8; 16];
    let mut invalid = 0u8;
    for (byte, &at) in out.iter_mut().zip(DIGIT_PAIRS.iter()) {
        let (hi, lo) = (HEX_VALUE[usize::from(s[at])], HEX_VALUE[usize::from(s[at + 1])]);
        invalid |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (invalid <= 0x0f).then_some(out)
}

/// The value of a hex digit, 0xff for any other byte (one table load per character: this
/// runs for every attempt row).
const HEX_VALUE: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut c = 0;
    while c < 10 {
        table[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        table[b'a' as usize + c] = 10 + c as u8;
        table[b'A' as usize + c] = 10 + c as u8;
        c += 1;
    }
    table
};

/// The canonical text form PostgreSQL's `uuid_out` writes: lower case, 8-4-4-4-12.
pub(crate) fn format_uuid(uuid: &[u8; 16], out: &mut [u8; 36]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pos = 0;
    for (i, byte) in uuid.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[pos] = b'-';
            pos += 1;
        }
        out[pos] = HEX[usize::from(byte >> 4)];
        out[pos + 1] = HEX[usize::from(byte & 0x0f)];
        pos += 2;
    }
}

/// `int8out`'s text form, written right-aligned into `buf`.
fn format_i64(value: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut magnitude = value.unsigned_abs();
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if value < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

// The SQL functions. They are plain V1 C functions rather than `#[pg_extern]` wrappers:
// they run once per attempt row in every scan, and nothing in them raises but the server's
// own allocation and detoasting, so they skip pgrx's per-call panic and longjmp guards,
// read the text bytes in place (no UTF-8 check, no copy) and return through the fast
// paths below. The symbol names are the ones the
// released scripts name (they began as pgrx wrappers): they must stay exported.

// The server's functions themselves, not pgrx's guarded bindings: the guard's setjmp cost
// as much as the allocation, once per row. Should one raise (out of memory, a missing
// TOAST chunk), its longjmp crosses only the frames of the functions below, which own
// nothing that needs dropping; through the guard, the error would come back as a Rust
// panic, which these unguarded functions could not hand back to PostgreSQL.
extern "C-unwind" {
    #[link_name = "palloc"]
    fn palloc_unguarded(size: pg_sys::Size) -> *mut std::ffi::c_void;
    #[link_name = "pg_detoast_datum_packed"]
    fn pg_detoast_datum_packed_unguarded(datum: *mut pg_sys::varlena) -> *mut pg_sys::varlena;
}

/// The bytes of a `text` datum: in place when the value is inline (a short or an
/// uncompressed long header, as every key and user id is), detoasted otherwise.
///
/// # Safety
/// `datum` is a text datum valid for the call.
unsafe fn text_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    let mut ptr = datum.cast_mut_ptr::<pg_sys::varlena>();
    // SAFETY: a text datum: its header says how it is stored; detoasting a TOASTed or
    // compressed value (rare) returns an inline copy in the current memory context.
    unsafe {
        if varlena::varatt_is_1b_e(ptr) || varlena::varatt_is_4b_c(ptr) {
            ptr = pg_detoast_datum_packed_unguarded(ptr);
        }
        std::slice::from_raw_parts(varlena::vardata_any(ptr).cast::<u8>(), varlena::varsize_any_exhdr(ptr))
    }
}

/// A uuid Datum, in the caller's memory context like any by-reference result.
///
/// # Safety
/// Called in a backend, with a current memory context.
unsafe fn uuid_datum(bytes: [u8; 16]) -> pg_sys::Datum {
    // SAFETY: 16 fresh bytes, written once.
    unsafe {
        let out = palloc_unguarded(16).cast::<[u8; 16]>();
        out.write(bytes);
        pg_sys::Datum::from(out)
    }
}

v1_info!(pg_finfo_attempt_id_text_wrapper);
/// `attempt_id(text, text)`.
///
/// # Safety
/// Called by PostgreSQL's function manager with two non-NULL text arguments.
#[no_mangle]
pub unsafe extern "C-unwind" fn attempt_id_text_wrapper(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: two text arguments, never NULL (STRICT).
    let (a, b) = unsafe { (text_bytes(strict_arg(fcinfo, 0)), text_bytes(strict_arg(fcinfo, 1))) };
    pg_sys::Datum::from(attempt_id(a, b))
}

v1_info!(pg_finfo_attempt_id_uuid_bigint_wrapper);
/// `attempt_id(uuid, bigint)`.
///
/// # Safety
/// Called by PostgreSQL's function manager with a non-NULL uuid and a non-NULL bigint.
#[no_mangle]
pub unsafe extern "C-unwind" fn attempt_id_uuid_bigint_wrapper(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: a uuid (16 bytes by reference) and a bigint, never NULL (STRICT).
    let (uuid, item) = unsafe { (&*strict_arg(fcinfo, 0).cast_mut_ptr::<[u8; 16]>(), strict_arg(fcinfo, 1).value() as i64) };
    pg_sys::Datum::from(attempt_id_uuid(uuid, item))
}

v1_info!(pg_finfo_attempt_student_uuid_wrapper);
/// `attempt_student_uuid(text)`.
///
/// # Safety
/// Called by PostgreSQL's function manager with a non-NULL text argument.
#[no_mangle]
pub unsafe extern "C-unwind" fn attempt_student_uuid_wrapper(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: a text argument, never NULL (STRICT); the result in the caller's context.
    unsafe { uuid_datum(student_uuid(text_bytes(strict_arg(fcinfo, 0)))) }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn uuid_text(bytes: [u8; 16]) -> String {
        let mut out = [0u8; 36];
        format_uuid(&bytes, &mut out);
        String::from_utf8(out.to_vec()).unwrap()
    }

    // Expected values computed independently with Python's hashlib, and checked against
    // PostgreSQL's own md5() by the pg_tests below and tests/regress/sql/hash.sql.
    #[test]
    fn attempt_id_known_answers() {
        assert_eq!(attempt_id(b"", b""), 3705722231355495246);
        assert_eq!(
            attempt_id(b"5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10", b"1001"),
            2812140230157524088
        );
        assert_eq!(attempt_id(b"42", b"7"), 4034413907488402035);
        assert_eq!(attempt_id("é日本".as_bytes(), b"-1"), -1255203682607469656);
        assert_eq!(attempt_id(b"a", b"b"), -8312820995447395804);
    }

    #[test]
    fn attempt_id_uuid_matches_text_form() {
        let uuid = parse_uuid_like_postgres(b"5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10").unwrap();
        assert_eq!(attempt_id_uuid(&uuid, 1001), 2812140230157524088);
        assert_eq!(attempt_id_uuid(&uuid, i64::MAX), -3210233162269417895);
        assert_eq!(attempt_id_uuid(&uuid, i64::MIN), -6548342720612503365);
        for b in [0i64, -1, 7, 10, 999_999, -42, i64::MAX - 1] {
            assert_eq!(
                attempt_id_uuid(&uuid, b),
                attempt_id(b"5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10", b.to_string().as_bytes())
            );
        }
    }

    #[test]
    fn student_uuid_known_answers() {
        let md5_cases = [
            ("", "d41d8cd9-8f00-b204-e980-0998ecf8427e"),
            ("student-42", "bbbbc2d5-8bba-cb8b-2836-8760498fd557"),
            ("------------------------------------", "95cfe54e-4b88-9737-ca32-cdfe4f31a0d7"),
            ("é日本", "0e46a0c6-283c-93a2-871f-e3300ae1afb8"),
            (" ", "7215ee9c-7d9d-c229-d292-1a40e899ec5f"),
        ];
        for (input, expected) in md5_cases {
            assert_eq!(uuid_text(student_uuid(input.as_bytes())), expected, "{input:?}");
        }
    }

    #[test]
    fn student_uuid_keeps_what_postgres_accepts() {
        let kept = [
            ("ABCDEF01-2345-6789-ABCD-EF0123456789", "abcdef01-2345-6789-abcd-ef0123456789"),
            ("abcd-abcdabcd-abcd-abcd-abcdabcdabcd", "abcdabcd-abcd-abcd-abcd-abcdabcdabcd"),
            ("0123-4567-89ab-cdef-0123456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"),
            ("01234567-89ab-cdef-0123456789ab-cdef", "01234567-89ab-cdef-0123-456789abcdef"),
        ];
        for (input, expected) in kept {
            assert_eq!(uuid_text(student_uuid(input.as_bytes())), expected, "{input:?}");
        }
    }

    #[test]
    fn student_uuid_hashes_what_postgres_rejects() {
        // 36 hex-and-hyphen characters that uuid_in refuses: a leading hyphen, two
        // hyphens in a row, a hyphen inside a group of four, a trailing hyphen.
        for input in [
            "-abcdef0123456789abcdef0123456789abc",
            "abcd--abcdabcdabcdabcdabcdabcdabcdab",
            "abc-dabcdabcdabcdabcdabcdabcdabcdabc",
            "abcdabcdabcdabcdabcdabcdabcdabcdabc-",
            "abcdabcd-abcd-abcd-abcd-abcdabcdabc-",
        ] {
            assert_eq!(input.len(), 36);
            assert_eq!(student_uuid(input.as_bytes()), <[u8; 16]>::from(Md5::digest(input)));
        }
    }

    #[test]
    fn format_i64_matches_to_string() {
        let mut buf = [0u8; 20];
        for v in [0i64, 1, -1, 9, 10, -10, 123456789, i64::MAX, i64::MIN] {
            assert_eq!(format_i64(v, &mut buf), v.to_string().as_bytes());
        }
    }
}

/// Property tests against a reference written another way: the UUID
/// branch is decided by counting digits and hyphens instead of walking byte pairs,
/// the id is read back from the md5's hex text, the uuid text is built by `format!`.
/// The md5 itself is checked against PostgreSQL's by the pg_tests below.
#[cfg(any(test, feature = "pg_test"))]
pub(crate) mod properties {
    #[cfg(test)]
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    /// What PostgreSQL's `uuid_in` makes of a string the reference regex accepts:
    /// 32 hex digits and 4 hyphens, each hyphen after 4, 8, ..., 28 digits, no two
    /// after the same digit (no `--`), none leading or trailing.
    #[cfg(test)]
    pub(crate) fn reference_uuid(s: &[u8]) -> Option<[u8; 16]> {
        if s.len() != 36 {
            return None;
        }
        let mut digits = String::new();
        let mut hyphens_after = Vec::new();
        for &c in s {
            match c {
                b'-' => hyphens_after.push(digits.len()),
                c if c.is_ascii_hexdigit() => digits.push(char::from(c)),
                _ => return None,
            }
        }
        let placed = hyphens_after
            .iter()
            .all(|&n| n % 4 == 0 && (4..=28).contains(&n));
        let distinct = hyphens_after.windows(2).all(|w| w[0] != w[1]);
        if digits.len() != 32 || !placed || !distinct {
            return None;
        }
        Some(u128::from_str_radix(&digits, 16).ok()?.to_be_bytes())
    }

    #[cfg(test)]
    pub(crate) fn reference_student_uuid(s: &[u8]) -> [u8; 16] {
        reference_uuid(s).unwrap_or_else(|| Md5::digest(s).into())
    }

    /// ('x' || substr(md5(a || '-' || b), 1, 16))::bit(64)::bigint, through the hex text.
    #[cfg(test)]
    pub(crate) fn reference_attempt_id(a: &[u8], b: &[u8]) -> i64 {
        let joined = [a, b"-", b].concat();
        let hex: String = Md5::digest(&joined)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        u64::from_str_radix(&hex[..16], 16).unwrap() as i64
    }

    #[cfg(test)]
    fn reference_uuid_text(u: &[u8; 16]) -> String {
        let hex: String = u.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// Cases per property; PROPTEST_CASES raises it for a long run.
    pub(crate) fn config(default_cases: u32) -> Config {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok());
        Config {
            cases: cases.unwrap_or(default_cases),
            failure_persistence: None,
            ..Config::default()
        }
    }

    /// A UUID spelled the ways PostgreSQL accepts (any case, a hyphen after any group
    /// of four digits, sometimes in braces), then 0..3 edits: a character replaced,
    /// inserted or removed, from an alphabet of hex digits, hyphens and near misses.
    pub(crate) fn near_uuid() -> impl Strategy<Value = String> {
        const NEAR: &[char] = &[
            '0', '9', 'a', 'f', 'A', 'F', '-', '-', 'g', 'G', '{', '}', ' ', 'é', '\u{663}', '\t',
        ];
        let edit = (0usize..64, 0usize..3, prop::sample::select(NEAR));
        (
            any::<[u8; 16]>(),
            any::<[bool; 32]>(),
            any::<[bool; 7]>(),
            any::<u8>(),
            prop::collection::vec(edit, 0..4),
        )
            .prop_map(|(bytes, upper, hyphens, braces, edits)| {
                let mut chars: Vec<char> = Vec::new();
                for (i, b) in bytes.iter().enumerate() {
                    for (j, c) in format!("{b:02x}").chars().enumerate() {
                        chars.push(if upper[2 * i + j] {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        });
                    }
                    if i % 2 == 1 && i < 15 && hyphens[i / 2] {
                        chars.push('-');
                    }
                }
                if braces % 8 == 0 {
                    chars.insert(0, '{');
                    chars.push('}');
                }
                for (pos, kind, c) in edits {
                    let pos = pos % (chars.len() + 1);
                    match kind {
                        0 if pos < chars.len() => chars[pos] = c,
                        1 => chars.insert(pos, c),
                        _ if pos < chars.len() => {
                            chars.remove(pos);
                        }
                        _ => {}
                    }
                }
                chars.into_iter().collect()
            })
    }

    /// Every kind of student id the properties try, as text.
    pub(crate) fn student_text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => near_uuid(),
            2 => "[0-9a-fA-F-]{36}",
            1 => "[0-9a-f-]{30,40}",
            2 => any::<String>(),
            1 => "\\PC{0,12}",
            1 => Just(String::new()),
            1 => "[ \t\n\r]{1,4}",
            1 => prop::collection::vec(any::<char>(), 1000..5000).prop_map(|v| v.into_iter().collect()),
        ]
    }

    #[cfg(test)]
    proptest! {
        #![proptest_config(config(4_000))]

        #[test]
        fn student_uuid_equals_reference(s in student_text()) {
            prop_assert_eq!(student_uuid(s.as_bytes()), reference_student_uuid(s.as_bytes()));
        }

        /// Text in a non-UTF-8 database (SQL_ASCII, LATIN1) is any bytes but NUL.
        #[test]
        fn student_uuid_of_any_bytes(s in prop::collection::vec(1u8.., 0..80)) {
            prop_assert_eq!(student_uuid(&s), reference_student_uuid(&s));
        }

        /// A kept UUID comes back as the canonical text of its 32 digits.
        #[test]
        fn kept_uuid_is_its_digits(s in near_uuid()) {
            if let Some(u) = reference_uuid(s.as_bytes()) {
                let digits: String = s.chars().filter(|c| *c != '-').collect::<String>().to_ascii_lowercase();
                prop_assert_eq!(reference_uuid_text(&student_uuid(s.as_bytes())).replace('-', ""), digits);
                prop_assert_eq!(student_uuid(s.as_bytes()), u);
            }
        }

        /// The canonical 8-4-4-4-12 form, in mixed case, with at most one byte replaced by
        /// anything: the fixed-position fast path agrees with the reference either way.
        #[test]
        fn canonical_uuids_equal_reference(
            u in any::<[u8; 16]>(),
            upper in any::<[bool; 36]>(),
            edit in prop::option::of((0usize..36, any::<u8>().prop_filter("not NUL", |b| *b != 0))),
        ) {
            let mut s: Vec<u8> = reference_uuid_text(&u).bytes().zip(upper)
                .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c }).collect();
            if let Some((at, byte)) = edit {
                s[at] = byte;
            }
            prop_assert_eq!(student_uuid(&s), reference_student_uuid(&s));
            if edit.is_none() {
                prop_assert_eq!(student_uuid(&s), u);
            }
        }

        #[test]
        fn attempt_id_equals_reference(a in student_text(), b in any::<String>()) {
            prop_assert_eq!(attempt_id(a.as_bytes(), b.as_bytes()), reference_attempt_id(a.as_bytes(), b.as_bytes()));
        }

        #[test]
        fn attempt_id_of_any_bytes(a in prop::collection::vec(1u8.., 0..64), b in prop::collection::vec(1u8.., 0..24)) {
            prop_assert_eq!(attempt_id(&a, &b), reference_attempt_id(&a, &b));
        }

        #[test]
        fn attempt_id_uuid_equals_text_form(u in any::<[u8; 16]>(), b in any::<i64>()) {
            prop_assert_eq!(
                attempt_id_uuid(&u, b),
                reference_attempt_id(reference_uuid_text(&u).as_bytes(), b.to_string().as_bytes()));
        }
    }

    /// The generator reaches both branches and every way a near-UUID can fail.
    #[cfg(test)]
    #[test]
    fn near_uuids_reach_both_branches() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut kept, mut hashed, mut hashed_36) = (0, 0, 0);
        for _ in 0..5_000 {
            let s = near_uuid().new_tree(&mut runner).unwrap().current();
            match reference_uuid(s.as_bytes()) {
                Some(_) => kept += 1,
                None if s.len() == 36 && s.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()) => {
                    hashed_36 += 1
                }
                None => hashed += 1,
            }
        }
        assert!(
            kept > 300 && hashed > 500 && hashed_36 > 100,
            "kept {kept}, hashed {hashed}, hex-and-hyphen hashed {hashed_36}"
        );
    }
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use crate::hash::properties::{config, student_text};
    use pgrx::prelude::*;
    use property_helpers::{no_nul, same};
    use proptest::prelude::*;
    use proptest::test_runner::TestRunner;

    /// The reference SQL of SPEC.md §4, except that where it raises it yields md5(u):
    /// exactly what the native function promises.
    const REFERENCE_FUNCTIONS: &str = r#"
        CREATE FUNCTION pg_temp.ref_student_uuid(u text) RETURNS uuid LANGUAGE plpgsql AS $$
        BEGIN
            RETURN CASE WHEN u ~* '^[0-9a-fA-F-]{36}$' THEN u::uuid ELSE md5(u)::uuid END;
        EXCEPTION WHEN invalid_text_representation THEN
            RETURN md5(u)::uuid;
        END $$;
        CREATE FUNCTION pg_temp.ref_attempt_id(a text, b text) RETURNS bigint LANGUAGE sql AS $$
            SELECT ('x' || substr(md5(a || '-' || b), 1, 16))::bit(64)::bigint
        $$;
    "#;

    const INPUTS: &str = r#"
        SELECT setseed(0.4242);
        -- 100,000+ inputs: random strings over an alphabet rich in hex digits and hyphens
        -- (so many hit the 36-character branch), mixed-case UUIDs with hyphens moved
        -- around, 36 hyphens, empty and blank strings, multi-byte text, several-KB strings.
        CREATE TEMP TABLE inputs AS
        WITH alphabet AS (SELECT '0123456789abcdefABCDEF-------xyzé日 {}'::text AS a),
        random_strings AS (
            SELECT (SELECT string_agg(substr(a, 1 + floor(random() * length(a))::int, 1), '' ORDER BY i)
                    FROM generate_series(1, floor(random() * 60)::int + g - g) i) AS u
            FROM alphabet, generate_series(1, 40000) g
        ),
        -- 36 characters from the regex's own class: mostly invalid hyphenation
        hex_and_hyphens AS (
            SELECT (SELECT string_agg(substr(a, 1 + floor(random() * length(a))::int, 1), '' ORDER BY i)
                    FROM generate_series(1, 36 + g - g) i) AS u
            FROM (SELECT '0123456789abcdefABCDEF------'::text AS a) alphabet,
                 generate_series(1, 20000) g
        ),
        uuids AS (
            SELECT CASE WHEN g % 2 = 0 THEN upper(x) ELSE x END AS u
            FROM (SELECT g, replace(gen_random_uuid()::text, '-', '') AS hex
                  FROM generate_series(1, 40000) g) s,
            LATERAL (
                -- four hyphens at random group boundaries (some repeated, giving fewer)
                SELECT string_agg(substr(hex, 4 * (k - 1) + 1, 4)
                                  || CASE WHEN k < 8 AND (random() < 0.55) THEN '-' ELSE '' END,
                                  '' ORDER BY k) AS x
                FROM generate_series(1, 8) k
            ) h
        ),
        fixed AS (
            SELECT unnest(ARRAY[
                '', ' ', '   ', repeat('-', 36), repeat('-', 35), repeat('a', 36), repeat('A', 36),
                'abcd-abcdabcd-abcd-abcd-abcdabcdabcd', '{abcdabcd-abcd-abcd-abcd-abcdabcdabcd}',
                'ABCDEF01-2345-6789-ABCD-EF0123456789', 'student-42', 'é日本', repeat('é', 36),
                repeat('x', 5000), repeat('日本語', 3000), repeat('0123456789abcdef', 512)
            ]) AS u
        )
        SELECT coalesce(u, '') AS u FROM random_strings
        UNION ALL SELECT u FROM hex_and_hyphens
        UNION ALL SELECT u FROM uuids
        UNION ALL SELECT u FROM fixed;
    "#;

    fn setup() {
        Spi::run(REFERENCE_FUNCTIONS).expect("reference functions");
        Spi::run(INPUTS).expect("reference inputs");
    }

    // Property tests against the server's own reference SQL: generated
    // near-UUIDs, 36-character hex-and-hyphen strings, any Unicode, multi-KB strings,
    // empty and blank text, one SPI round trip per case so that proptest can shrink a
    // failure to its smallest input. Text cannot hold NUL, so generated NULs become
    // U+FFFD. PROPTEST_CASES sets the number of cases (default 2,000 per property).
    mod property_helpers {
        use pgrx::prelude::*;

        pub(super) fn no_nul(s: String) -> String {
            s.replace('\0', "\u{fffd}")
        }

        pub(super) fn same(query: &str, args: &[pgrx::datum::DatumWithOid]) -> bool {
            Spi::get_one_with_args::<bool>(query, args)
                .unwrap()
                .unwrap_or(false)
        }
    }

    #[pg_test]
    fn student_uuid_properties_against_sql() {
        Spi::run(REFERENCE_FUNCTIONS).unwrap();
        let mut runner = TestRunner::new(config(2_000));
        runner
            .run(&student_text().prop_map(no_nul), |s| {
                prop_assert!(
                    same("SELECT attempt_student_uuid($1) IS NOT DISTINCT FROM pg_temp.ref_student_uuid($1)",
                         &[s.as_str().into()]),
                    "attempt_student_uuid({:?}) differs from the reference SQL", s);
                Ok(())
            })
            .unwrap();
    }

    #[pg_test]
    fn attempt_id_properties_against_sql() {
        Spi::run(REFERENCE_FUNCTIONS).unwrap();
        let mut runner = TestRunner::new(config(2_000));
        let pair = (
            student_text().prop_map(no_nul),
            any::<String>().prop_map(no_nul),
        );
        runner
            .run(&pair, |(a, b)| {
                prop_assert!(
                    same(
                        "SELECT attempt_id($1, $2) = pg_temp.ref_attempt_id($1, $2)",
                        &[a.as_str().into(), b.as_str().into()]
                    ),
                    "attempt_id({:?}, {:?}) differs from the reference SQL",
                    a,
                    b
                );
                Ok(())
            })
            .unwrap();
        let mut runner = TestRunner::new(config(2_000));
        runner
            .run(&(any::<[u8; 16]>(), any::<i64>()), |(u, b)| {
                let hex: String = u.iter().map(|x| format!("{x:02x}")).collect();
                prop_assert!(
                    same("SELECT attempt_id($1::uuid, $2) = pg_temp.ref_attempt_id($1::uuid::text, $2::text)",
                         &[hex.as_str().into(), b.into()]),
                    "attempt_id({}::uuid, {}) differs from the reference SQL", hex, b);
                Ok(())
            })
            .unwrap();
    }

    #[pg_test]
    fn student_uuid_equals_reference_sql() {
        setup();
        let total = Spi::get_one::<i64>("SELECT count(*) FROM inputs").unwrap().unwrap();
        assert!(total >= 100_000, "only {total} inputs");
        let kept = Spi::get_one::<i64>(
            "SELECT count(*) FROM inputs WHERE u ~* '^[0-9a-fA-F-]{36}$'
               AND attempt_student_uuid(u) <> md5(u)::uuid",
        )
        .unwrap()
        .unwrap();
        assert!(kept > 5_000, "too few inputs exercise the UUID branch: {kept}");
        let mismatches = Spi::get_one::<i64>(
            "SELECT count(*) FROM inputs
              WHERE attempt_student_uuid(u) IS DISTINCT FROM pg_temp.ref_student_uuid(u)",
        )
        .unwrap()
        .unwrap();
        assert_eq!(mismatches, 0);
    }

    #[pg_test]
    fn attempt_id_equals_reference_sql() {
        setup();
        let mismatches = Spi::get_one::<i64>(
            "SELECT count(*)
               FROM (SELECT u AS a, lag(u, 1, '') OVER () AS b FROM inputs) pairs
              WHERE attempt_id(a, b) <> pg_temp.ref_attempt_id(a, b)",
        )
        .unwrap()
        .unwrap();
        assert_eq!(mismatches, 0);
    }

    #[pg_test]
    fn attempt_id_uuid_overload_equals_text_form() {
        Spi::run("SELECT setseed(0.17)").unwrap();
        let mismatches = Spi::get_one::<i64>(
            "SELECT count(*)
               FROM (SELECT gen_random_uuid() AS a,
                            CASE g % 4 WHEN 0 THEN (random() * 1e6)::bigint
                                       WHEN 1 THEN -(random() * 1e18)::bigint
                                       WHEN 2 THEN 9223372036854775807
                                       ELSE -9223372036854775808 END AS b
                       FROM generate_series(1, 100000) g) s
              WHERE attempt_id(a, b) <> attempt_id(a::text, b::text)
                 OR attempt_id(a, b) <> ('x' || substr(md5(a::text || '-' || b::text), 1, 16))::bit(64)::bigint",
        )
        .unwrap()
        .unwrap();
        assert_eq!(mismatches, 0);
    }
}
