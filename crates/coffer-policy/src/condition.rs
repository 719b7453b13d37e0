//! Condition operators of the three dialects and their evaluation.
//!
//! Owns: the operator table of each dialect (names, families, negation, `...IfExists`,
//! `ForAllValues:`/`ForAnyValue:`), the typed policy values compiled when a policy is
//! parsed, and the evaluation of one condition against the request context, including the
//! missing-key rules. Never: look at anything but the condition and the context.

use std::net::IpAddr;

use base64::Engine as _;
use ipnet::IpNet;

use crate::Dialect;
use crate::context::{Context, ContextValue, key_hash};
use crate::matching::{ArnPattern, Case, Pattern, VarSource};

/// The base operator, without qualifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// Exact, case-sensitive.
    StringEquals,
    /// Differs from every value, case-sensitive.
    StringNotEquals,
    /// Exact, case-insensitive.
    StringEqualsIgnoreCase,
    /// Differs from every value, case-insensitive.
    StringNotEqualsIgnoreCase,
    /// Case-sensitive glob (`*`, `?`); Huawei's `StringMatch`.
    StringLike,
    /// Negated glob; Huawei's `StringNotMatch`.
    StringNotLike,
    /// Huawei's `StringLike`: the request value contains the policy value.
    StringContains,
    /// Huawei: the request value starts with the policy value.
    StringStartWith,
    /// Huawei: the request value ends with the policy value.
    StringEndWith,
    /// Numbers equal.
    NumericEquals,
    /// Numbers differ.
    NumericNotEquals,
    /// Request number below the policy number.
    NumericLessThan,
    /// Request number at most the policy number.
    NumericLessThanEquals,
    /// Request number above the policy number.
    NumericGreaterThan,
    /// Request number at least the policy number.
    NumericGreaterThanEquals,
    /// Instants equal.
    DateEquals,
    /// Instants differ.
    DateNotEquals,
    /// Request instant before the policy instant.
    DateLessThan,
    /// Request instant at or before the policy instant.
    DateLessThanEquals,
    /// Request instant after the policy instant.
    DateGreaterThan,
    /// Request instant at or after the policy instant.
    DateGreaterThanEquals,
    /// `true`/`false`.
    Bool,
    /// Base64-decoded bytes equal.
    BinaryEquals,
    /// Address inside a CIDR block.
    IpAddress,
    /// Address outside every CIDR block.
    NotIpAddress,
    /// ARN matched per segment (wildcards allowed; same as `ArnLike`).
    ArnEquals,
    /// ARN matched per segment.
    ArnLike,
    /// Negated `ArnEquals`.
    ArnNotEquals,
    /// Negated `ArnLike`.
    ArnNotLike,
    /// Key presence test.
    Null,
}

/// The kind of value an operator compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Strings.
    String,
    /// Numbers.
    Numeric,
    /// Date-times.
    Date,
    /// Booleans.
    Bool,
    /// Base64 bytes.
    Binary,
    /// IP addresses.
    Ip,
    /// ARNs.
    Arn,
    /// Key presence.
    Null,
}

impl OpKind {
    /// The value family the operator compares.
    pub fn family(self) -> Family {
        use OpKind::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike
            | StringContains
            | StringStartWith
            | StringEndWith => Family::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
        }
    }

    /// True for the operators that hold when the request value differs from every policy
    /// value (and, without `IfExists`, when the key is missing).
    pub fn is_negated(self) -> bool {
        use OpKind::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive operator a negated one negates (itself for positive ones).
    fn positive(self) -> OpKind {
        use OpKind::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals => ArnEquals,
            ArnNotLike => ArnLike,
            other => other,
        }
    }

    /// True when policy variables may appear in this operator's values (AWS: string and
    /// ARN operators only).
    pub fn takes_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Arn)
    }
}

/// The operator names each dialect documents, with their meaning.
fn operator_table(dialect: Dialect) -> &'static [(&'static str, OpKind)] {
    use OpKind::*;
    const AWS: &[(&str, OpKind)] = &[
        ("StringEquals", StringEquals),
        ("StringNotEquals", StringNotEquals),
        ("StringEqualsIgnoreCase", StringEqualsIgnoreCase),
        ("StringNotEqualsIgnoreCase", StringNotEqualsIgnoreCase),
        ("StringLike", StringLike),
        ("StringNotLike", StringNotLike),
        ("NumericEquals", NumericEquals),
        ("NumericNotEquals", NumericNotEquals),
        ("NumericLessThan", NumericLessThan),
        ("NumericLessThanEquals", NumericLessThanEquals),
        ("NumericGreaterThan", NumericGreaterThan),
        ("NumericGreaterThanEquals", NumericGreaterThanEquals),
        ("DateEquals", DateEquals),
        ("DateNotEquals", DateNotEquals),
        ("DateLessThan", DateLessThan),
        ("DateLessThanEquals", DateLessThanEquals),
        ("DateGreaterThan", DateGreaterThan),
        ("DateGreaterThanEquals", DateGreaterThanEquals),
        ("Bool", Bool),
        ("BinaryEquals", BinaryEquals),
        ("IpAddress", IpAddress),
        ("NotIpAddress", NotIpAddress),
        ("ArnEquals", ArnEquals),
        ("ArnLike", ArnLike),
        ("ArnNotEquals", ArnNotEquals),
        ("ArnNotLike", ArnNotLike),
        ("Null", Null),
    ];
    // Huawei IAM 5.0 (identity policies and SCPs). `StringLike` is reported to be a
    // substring test on this platform, so it is not mapped onto the AWS glob.
    const HUAWEI: &[(&str, OpKind)] = &[
        ("StringEquals", StringEquals),
        ("StringNotEquals", StringNotEquals),
        ("StringEqualsIgnoreCase", StringEqualsIgnoreCase),
        ("StringNotEqualsIgnoreCase", StringNotEqualsIgnoreCase),
        ("StringMatch", StringLike),
        ("StringNotMatch", StringNotLike),
        ("StringLike", StringContains),
        ("StringStartWith", StringStartWith),
        ("StringEndWith", StringEndWith),
        ("NumberEquals", NumericEquals),
        ("NumberNotEquals", NumericNotEquals),
        ("NumberLessThan", NumericLessThan),
        ("NumberLessThanEquals", NumericLessThanEquals),
        ("NumberGreaterThan", NumericGreaterThan),
        ("NumberGreaterThanEquals", NumericGreaterThanEquals),
        ("DateLessThan", DateLessThan),
        ("DateLessThanEquals", DateLessThanEquals),
        ("DateGreaterThan", DateGreaterThan),
        ("DateGreaterThanEquals", DateGreaterThanEquals),
        ("Bool", Bool),
        ("Null", Null),
        ("IpAddress", IpAddress),
        ("NotIpAddress", NotIpAddress),
    ];
    const ALIBABA: &[(&str, OpKind)] = &[
        ("StringEquals", StringEquals),
        ("StringNotEquals", StringNotEquals),
        ("StringEqualsIgnoreCase", StringEqualsIgnoreCase),
        ("StringNotEqualsIgnoreCase", StringNotEqualsIgnoreCase),
        ("StringLike", StringLike),
        ("StringNotLike", StringNotLike),
        ("NumericEquals", NumericEquals),
        ("NumericNotEquals", NumericNotEquals),
        ("NumericLessThan", NumericLessThan),
        ("NumericLessThanEquals", NumericLessThanEquals),
        ("NumericGreaterThan", NumericGreaterThan),
        ("NumericGreaterThanEquals", NumericGreaterThanEquals),
        ("DateEquals", DateEquals),
        ("DateNotEquals", DateNotEquals),
        ("DateLessThan", DateLessThan),
        ("DateLessThanEquals", DateLessThanEquals),
        ("DateGreaterThan", DateGreaterThan),
        ("DateGreaterThanEquals", DateGreaterThanEquals),
        ("Bool", Bool),
        ("IpAddress", IpAddress),
        ("NotIpAddress", NotIpAddress),
    ];
    match dialect {
        Dialect::Aws => AWS,
        Dialect::Huawei => HUAWEI,
        Dialect::Alibaba => ALIBABA,
    }
}

/// The operator names a dialect documents (without qualifiers).
pub fn operator_names(dialect: Dialect) -> impl Iterator<Item = &'static str> {
    operator_table(dialect).iter().map(|(name, _)| *name)
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    /// Every request value must satisfy the operator (true when there are none).
    ForAllValues,
    /// At least one request value must satisfy the operator.
    ForAnyValue,
}

/// An operator as written: base kind plus qualifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The name as written in the policy.
    pub name: String,
    /// The base operator.
    pub kind: OpKind,
    /// `...IfExists`: true when the key is missing.
    pub if_exists: bool,
    /// `ForAllValues:` / `ForAnyValue:`.
    pub set: Option<SetOp>,
}

/// Why an operator name was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorError {
    /// No dialect knows the name.
    Unknown,
    /// Another dialect has it, this one does not.
    NotInDialect,
    /// A qualifier the dialect (or operator) does not allow.
    BadQualifier(&'static str),
}

impl Operator {
    /// Parses an operator name (`StringLike`, `ForAnyValue:StringEqualsIfExists`, ...)
    /// against the dialect's table. Names are matched exactly, as the clouds do.
    pub fn parse(dialect: Dialect, name: &str) -> Result<Operator, OperatorError> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetOp::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetOp::ForAnyValue), r)
        } else {
            (None, name)
        };
        let lookup = |n: &str, d: Dialect| {
            operator_table(d).iter().find(|(known, _)| *known == n).map(|(_, k)| *k)
        };
        let (base, if_exists) = match lookup(rest, dialect) {
            Some(k) => (Some(k), false),
            None => match rest.strip_suffix("IfExists") {
                Some(b) => (lookup(b, dialect), true),
                None => (None, false),
            },
        };
        let Some(kind) = base else {
            let elsewhere = Dialect::ALL.iter().any(|d| {
                lookup(rest, *d).is_some()
                    || rest.strip_suffix("IfExists").is_some_and(|b| lookup(b, *d).is_some())
            });
            return Err(if elsewhere {
                OperatorError::NotInDialect
            } else {
                OperatorError::Unknown
            });
        };
        if dialect == Dialect::Alibaba && (set.is_some() || if_exists) {
            return Err(OperatorError::BadQualifier(
                "Alibaba Cloud RAM has no `IfExists` suffix or `ForAllValues:`/`ForAnyValue:` prefix",
            ));
        }
        if kind == OpKind::Null && (if_exists || set.is_some()) {
            return Err(OperatorError::BadQualifier("`Null` takes no qualifier"));
        }
        Ok(Operator { name: name.to_owned(), kind, if_exists, set })
    }
}

/// The policy values of one condition, compiled for the operator's family.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// String operators: patterns (glob only for `StringLike`).
    String(Vec<Pattern>),
    /// ARN operators.
    Arn(Vec<ArnPattern>),
    /// Numbers (`None`: not a number; never matches).
    Numeric(Vec<Option<f64>>),
    /// Instants in nanoseconds since the epoch (`None`: not a date).
    Date(Vec<Option<i128>>),
    /// Booleans (`None`: neither `true` nor `false`).
    Bool(Vec<Option<bool>>),
    /// Bytes (`None`: not base64).
    Binary(Vec<Option<Vec<u8>>>),
    /// CIDR blocks (`None`: not an address or block).
    Ip(Vec<Option<IpNet>>),
    /// `Null` expectations: `true` = key must be absent.
    Null(Vec<Option<bool>>),
}

/// One `operator: {key: values}` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The condition key as written.
    pub key: String,
    /// The condition key lowercased, for lookups.
    pub key_lower: String,
    /// The values as written (booleans and numbers in their JSON text).
    pub raw_values: Vec<String>,
    /// The values compiled for the operator.
    pub values: Values,
    /// The context's hash of `key_lower`, computed once so that a decision hashes nothing.
    key_hash: u64,
}

impl Condition {
    /// Compiles a condition. `variables` enables `${...}` in string and ARN values.
    pub fn new(
        operator: Operator,
        key: &str,
        raw_values: Vec<String>,
        variables: bool,
    ) -> Condition {
        let vars = variables && operator.kind.takes_variables();
        let values = match operator.kind.family() {
            Family::String => {
                let glob = operator.kind.positive() == OpKind::StringLike;
                Values::String(raw_values.iter().map(|v| Pattern::compile(v, glob, vars)).collect())
            }
            Family::Arn => {
                Values::Arn(raw_values.iter().map(|v| ArnPattern::compile(v, vars)).collect())
            }
            Family::Numeric => {
                Values::Numeric(raw_values.iter().map(|v| parse_number(v)).collect())
            }
            Family::Date => Values::Date(raw_values.iter().map(|v| parse_date(v)).collect()),
            Family::Bool => Values::Bool(raw_values.iter().map(|v| parse_bool(v)).collect()),
            Family::Binary => Values::Binary(
                raw_values
                    .iter()
                    .map(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
                    .collect(),
            ),
            Family::Ip => Values::Ip(raw_values.iter().map(|v| parse_cidr(v)).collect()),
            Family::Null => Values::Null(raw_values.iter().map(|v| parse_bool(v)).collect()),
        };
        let key_lower = lowercase(key);
        Condition {
            operator,
            key: key.to_owned(),
            key_hash: key_hash(&key_lower),
            key_lower,
            raw_values,
            values,
        }
    }

    /// The values that failed to compile for the operator's type, for validation.
    pub fn ill_typed_values(&self) -> Vec<&str> {
        let bad: Vec<bool> = match &self.values {
            Values::String(_) | Values::Arn(_) => vec![],
            Values::Numeric(v) => v.iter().map(Option::is_none).collect(),
            Values::Date(v) => v.iter().map(Option::is_none).collect(),
            Values::Bool(v) | Values::Null(v) => v.iter().map(Option::is_none).collect(),
            Values::Binary(v) => v.iter().map(Option::is_none).collect(),
            Values::Ip(v) => v.iter().map(Option::is_none).collect(),
        };
        self.raw_values.iter().zip(bad).filter(|(_, b)| *b).map(|(v, _)| v.as_str()).collect()
    }

    /// Evaluates the condition against the request context.
    pub fn evaluate(&self, ctx: &Context) -> bool {
        let op = &self.operator;
        let present = ctx.get_hashed(self.key_hash, &self.key_lower);
        if op.kind == OpKind::Null {
            // Absent, or present with no value, is "null".
            let is_null = present.is_none_or(|v| v.values().is_empty());
            let Values::Null(expect) = &self.values else { return false };
            return expect.contains(&Some(is_null));
        }
        let Some(value) = present else {
            // The missing-key rule: `IfExists` and `ForAllValues` hold, negated operators
            // hold, every other operator fails.
            return op.if_exists
                || op.set == Some(SetOp::ForAllValues)
                || (op.set.is_none() && op.kind.is_negated());
        };
        let negated = op.kind.is_negated();
        // Per request value: does it satisfy the operator? For a negated operator this is
        // "differs from every policy value".
        let test = |v: &str| -> bool {
            let hit = self.any_value_matches(v, ctx);
            if negated { !hit } else { hit }
        };
        let values = value.values();
        match op.set {
            Some(SetOp::ForAllValues) => values.iter().all(|v| test(v)),
            Some(SetOp::ForAnyValue) => values.iter().any(|v| test(v)),
            None => match value {
                ContextValue::Single(v) => test(v),
                // A multivalued key under a plain operator: the positive operator holds
                // when some value matches; the negated one when no value matches.
                ContextValue::Multi(vs) => {
                    let hit = vs.iter().any(|v| self.any_value_matches(v, ctx));
                    if negated { !hit } else { hit }
                }
            },
        }
    }

    /// True when the request value matches at least one policy value under the positive
    /// form of the operator. A policy variable without a value never matches.
    fn any_value_matches(&self, v: &str, vars: &dyn VarSource) -> bool {
        use OpKind::*;
        let kind = self.operator.kind.positive();
        match &self.values {
            Values::String(ps) => ps.iter().any(|p| match kind {
                StringEquals => p.matches(v, Case::Sensitive, vars) == Some(true),
                StringEqualsIgnoreCase => p.matches(v, Case::Insensitive, vars) == Some(true),
                StringLike => p.matches(v, Case::Sensitive, vars) == Some(true),
                StringContains => v.contains(p.as_str()),
                StringStartWith => v.starts_with(p.as_str()),
                StringEndWith => v.ends_with(p.as_str()),
                _ => false,
            }),
            Values::Arn(ps) => ps.iter().any(|p| p.matches(v, vars) == Some(true)),
            Values::Numeric(ns) => {
                let Some(x) = parse_number(v) else { return false };
                ns.iter().flatten().any(|n| match kind {
                    NumericEquals => x == *n,
                    NumericLessThan => x < *n,
                    NumericLessThanEquals => x <= *n,
                    NumericGreaterThan => x > *n,
                    NumericGreaterThanEquals => x >= *n,
                    _ => false,
                })
            }
            Values::Date(ds) => {
                let Some(x) = parse_date(v) else { return false };
                ds.iter().flatten().any(|d| match kind {
                    DateEquals => x == *d,
                    DateLessThan => x < *d,
                    DateLessThanEquals => x <= *d,
                    DateGreaterThan => x > *d,
                    DateGreaterThanEquals => x >= *d,
                    _ => false,
                })
            }
            Values::Bool(bs) => {
                let Some(x) = parse_bool(v) else { return false };
                bs.iter().flatten().any(|b| *b == x)
            }
            Values::Binary(bs) => {
                let Ok(x) = base64::engine::general_purpose::STANDARD.decode(v) else {
                    return false;
                };
                bs.iter().flatten().any(|b| *b == x)
            }
            Values::Ip(nets) => {
                let Ok(addr) = v.trim().parse::<IpAddr>() else { return false };
                nets.iter().flatten().any(|n| n.contains(&addr))
            }
            Values::Null(_) => false,
        }
    }
}

/// `s.to_lowercase()`, with less work when `s` is ASCII (as condition keys are).
pub(crate) fn lowercase(s: &str) -> String {
    if s.is_ascii() { s.to_ascii_lowercase() } else { s.to_lowercase() }
}

/// A decimal number (integers and decimals; no exponent forms are needed by any cloud).
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// `true` / `false`, case-insensitive as the clouds accept them.
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A CIDR block; a bare address is a /32 (IPv4) or /128 (IPv6).
pub fn parse_cidr(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>().ok().or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A W3C ISO-8601 date or date-time (`2024-01-31`, `2024-01-31T12:00:00Z`, with an
/// offset or fractional seconds) or epoch seconds, as nanoseconds since the epoch.
pub fn parse_date(s: &str) -> Option<i128> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i128 = s.parse().ok()?;
        return Some(secs * 1_000_000_000);
    }
    if let Some(t) = parse_utc_seconds(s) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    // A date-time without an offset is UTC.
    if let Ok(t) = PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc().unix_timestamp_nanos());
    }
    if let Ok(d) = Date::parse(s, &Iso8601::DEFAULT) {
        return Some(PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc().unix_timestamp_nanos());
    }
    None
}

/// The form request times take (`aws:CurrentTime`: `2024-01-31T12:00:00Z`), read without
/// the general parser; `None` for anything else, which the general parser then reads.
/// Only values that are certainly valid are accepted here (no leap second, no lowercase
/// `t`/`z`), so the result is always the general parser's.
fn parse_utc_seconds(s: &str) -> Option<i128> {
    let b: &[u8; 20] = s.as_bytes().try_into().ok()?;
    if [b[4], b[7], b[10], b[13], b[16], b[19]] != *b"--T::Z" {
        return None;
    }
    let num = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .try_fold(0_i64, |n, &d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days from 1970-01-01 to the date, in the proleptic Gregorian calendar (the
    // days-from-civil algorithm: years start in March, so the leap day comes last).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(i128::from(secs) * 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(d: Dialect, op: &str, key: &str, values: &[&str]) -> Condition {
        let op = Operator::parse(d, op).unwrap();
        Condition::new(op, key, values.iter().map(|s| s.to_string()).collect(), true)
    }

    fn ctx(v: serde_json::Value) -> Context {
        Context::from_json(&v).unwrap()
    }

    /// The general parser alone, to check the fast path against.
    fn parse_date_slowly(s: &str) -> Option<i128> {
        use time::OffsetDateTime;
        use time::format_description::well_known::Rfc3339;
        OffsetDateTime::parse(s, &Rfc3339).ok().map(OffsetDateTime::unix_timestamp_nanos)
    }

    #[test]
    fn request_times_read_fast_as_the_general_parser_does() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2000-02-29T12:00:00Z",
            "2026-06-01T12:00:00Z",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "1600-03-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc_seconds(s), parse_date_slowly(s), "{s}");
            assert!(parse_utc_seconds(s).is_some(), "{s}");
        }
        // Left to the general parser.
        for s in [
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2016-12-31T23:59:60Z",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00+00:00",
            "2024-01-01T00:00:0aZ",
        ] {
            assert_eq!(parse_utc_seconds(s), None, "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_request_times_agree_with_the_general_parser(
            y in 0_u32..10_000, mo in 0_u32..14, d in 0_u32..33, h in 0_u32..25, mi in 0_u32..61, se in 0_u32..61
        ) {
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z");
            if let Some(fast) = parse_utc_seconds(&s) {
                proptest::prop_assert_eq!(Some(fast), parse_date_slowly(&s), "{}", s);
            } else {
                proptest::prop_assert!(parse_date_slowly(&s).is_none() || se == 60, "{}", s);
            }
        }
    }

    #[test]
    fn operator_names_per_dialect() {
        assert!(Operator::parse(Dialect::Aws, "ForAnyValue:StringLikeIfExists").is_ok());
        assert_eq!(Operator::parse(Dialect::Aws, "StringMatch"), Err(OperatorError::NotInDialect));
        assert_eq!(Operator::parse(Dialect::Aws, "StringFoo"), Err(OperatorError::Unknown));
        assert_eq!(
            Operator::parse(Dialect::Huawei, "NumberEquals").unwrap().kind,
            OpKind::NumericEquals
        );
        assert!(Operator::parse(Dialect::Huawei, "StringEndWithIfExists").unwrap().if_exists);
        assert!(matches!(
            Operator::parse(Dialect::Alibaba, "StringEqualsIfExists"),
            Err(OperatorError::BadQualifier(_))
        ));
        assert!(Operator::parse(Dialect::Aws, "NullIfExists").is_err());
        // Operator names are case-sensitive.
        assert!(Operator::parse(Dialect::Aws, "stringequals").is_err());
    }

    #[test]
    fn missing_key_rules() {
        let c = ctx(json!({}));
        assert!(!cond(Dialect::Aws, "StringEquals", "aws:username", &["a"]).evaluate(&c));
        assert!(cond(Dialect::Aws, "StringNotEquals", "aws:username", &["a"]).evaluate(&c));
        assert!(cond(Dialect::Aws, "NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]).evaluate(&c));
        assert!(cond(Dialect::Aws, "StringEqualsIfExists", "aws:username", &["a"]).evaluate(&c));
        assert!(
            cond(Dialect::Aws, "ForAllValues:StringEquals", "aws:TagKeys", &["a"]).evaluate(&c)
        );
        assert!(
            !cond(Dialect::Aws, "ForAnyValue:StringEquals", "aws:TagKeys", &["a"]).evaluate(&c)
        );
        assert!(cond(Dialect::Aws, "Null", "aws:TagKeys", &["true"]).evaluate(&c));
        assert!(!cond(Dialect::Aws, "Null", "aws:TagKeys", &["false"]).evaluate(&c));
    }

    #[test]
    fn string_operators() {
        let c = ctx(json!({"aws:username": "Alice", "kms:EncryptionContext:Dept": "IT"}));
        assert!(cond(Dialect::Aws, "StringEquals", "AWS:UserName", &["Alice"]).evaluate(&c));
        assert!(!cond(Dialect::Aws, "StringEquals", "aws:username", &["alice"]).evaluate(&c));
        assert!(
            cond(Dialect::Aws, "StringEqualsIgnoreCase", "aws:username", &["alice"]).evaluate(&c)
        );
        assert!(cond(Dialect::Aws, "StringLike", "aws:username", &["A*"]).evaluate(&c));
        assert!(
            cond(Dialect::Aws, "StringNotEquals", "aws:username", &["bob", "carol"]).evaluate(&c)
        );
        assert!(
            !cond(Dialect::Aws, "StringNotEquals", "aws:username", &["bob", "Alice"]).evaluate(&c)
        );
        // The key part after `kms:EncryptionContext:` is case-insensitive.
        assert!(
            cond(Dialect::Aws, "StringEquals", "kms:encryptioncontext:dept", &["IT"]).evaluate(&c)
        );
        // StringEquals does not glob.
        assert!(!cond(Dialect::Aws, "StringEquals", "aws:username", &["A*"]).evaluate(&c));
        assert!(!cond(Dialect::Huawei, "StringStartWith", "g:UserName", &["Al"]).evaluate(&c));
        let h = ctx(json!({"g:UserName": "specialCharacter-x"}));
        assert!(cond(Dialect::Huawei, "StringStartWith", "g:UserName", &["special"]).evaluate(&h));
        assert!(cond(Dialect::Huawei, "StringEndWith", "g:username", &["-x"]).evaluate(&h));
        assert!(cond(Dialect::Huawei, "StringMatch", "g:UserName", &["spec*"]).evaluate(&h));
    }

    #[test]
    fn variables_in_values() {
        let c = ctx(json!({"aws:username": "alice", "kms:EncryptionContext:user": "alice"}));
        assert!(
            cond(Dialect::Aws, "StringEquals", "kms:EncryptionContext:user", &["${aws:username}"])
                .evaluate(&c)
        );
        // An unresolved variable: positive fails, negated holds.
        let c2 = ctx(json!({"kms:EncryptionContext:user": "alice"}));
        assert!(
            !cond(Dialect::Aws, "StringEquals", "kms:EncryptionContext:user", &["${aws:username}"])
                .evaluate(&c2)
        );
        assert!(
            cond(
                Dialect::Aws,
                "StringNotEquals",
                "kms:EncryptionContext:user",
                &["${aws:username}"]
            )
            .evaluate(&c2)
        );
    }

    #[test]
    fn set_operators() {
        let c = ctx(json!({"aws:TagKeys": ["key2", "audit"], "e": []}));
        assert!(
            cond(Dialect::Aws, "ForAllValues:StringNotLike", "aws:TagKeys", &["key1*"])
                .evaluate(&c)
        );
        let c1 = ctx(json!({"aws:TagKeys": ["key1", "legal"]}));
        assert!(
            !cond(Dialect::Aws, "ForAllValues:StringNotLike", "aws:TagKeys", &["key1*"])
                .evaluate(&c1)
        );
        assert!(
            cond(Dialect::Aws, "ForAllValues:StringEquals", "aws:TagKeys", &["key2", "audit", "x"])
                .evaluate(&c)
        );
        assert!(
            !cond(Dialect::Aws, "ForAllValues:StringEquals", "aws:TagKeys", &["key2"]).evaluate(&c)
        );
        assert!(
            cond(Dialect::Aws, "ForAnyValue:StringEquals", "aws:TagKeys", &["audit"]).evaluate(&c)
        );
        // Present but empty: ForAllValues holds, ForAnyValue fails.
        assert!(cond(Dialect::Aws, "ForAllValues:StringEquals", "e", &["x"]).evaluate(&c));
        assert!(!cond(Dialect::Aws, "ForAnyValue:StringEquals", "e", &["x"]).evaluate(&c));
        assert!(cond(Dialect::Aws, "Null", "e", &["true"]).evaluate(&c));
    }

    #[test]
    fn typed_operators() {
        let c = ctx(json!({
            "aws:SourceIp": "203.0.113.7", "aws:CurrentTime": "2024-06-01T12:00:00Z",
            "aws:EpochTime": "1717243200", "aws:SecureTransport": true, "kms:ValidTo": 1700000000,
            "aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin", "b": "aGVsbG8="
        }));
        assert!(cond(Dialect::Aws, "IpAddress", "aws:SourceIp", &["203.0.113.0/24"]).evaluate(&c));
        assert!(cond(Dialect::Aws, "IpAddress", "aws:SourceIp", &["203.0.113.7"]).evaluate(&c));
        assert!(
            !cond(Dialect::Aws, "NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"]).evaluate(&c)
        );
        assert!(
            cond(Dialect::Aws, "DateGreaterThan", "aws:CurrentTime", &["2024-01-01T00:00:00Z"])
                .evaluate(&c)
        );
        assert!(
            cond(Dialect::Aws, "DateLessThan", "aws:CurrentTime", &["2024-06-02"]).evaluate(&c)
        );
        assert!(
            cond(Dialect::Aws, "DateEquals", "aws:EpochTime", &["2024-06-01T12:00:00Z"])
                .evaluate(&c)
        );
        assert!(
            !cond(Dialect::Aws, "DateLessThan", "aws:CurrentTime", &["2024-06-01T13:00:00+01:00"])
                .evaluate(&c)
        );
        assert!(cond(Dialect::Aws, "Bool", "aws:SecureTransport", &["true"]).evaluate(&c));
        assert!(
            cond(Dialect::Aws, "NumericLessThanEquals", "kms:ValidTo", &["1700000000"])
                .evaluate(&c)
        );
        assert!(
            !cond(Dialect::Aws, "NumericLessThan", "kms:ValidTo", &["1700000000"]).evaluate(&c)
        );
        assert!(
            cond(Dialect::Aws, "ArnLike", "aws:PrincipalArn", &["arn:aws:iam::*:role/Admin"])
                .evaluate(&c)
        );
        assert!(
            cond(Dialect::Aws, "ArnNotEquals", "aws:PrincipalArn", &["arn:aws:iam::*:role/Other"])
                .evaluate(&c)
        );
        assert!(cond(Dialect::Aws, "BinaryEquals", "b", &["aGVsbG8="]).evaluate(&c));
        // A type mismatch never matches.
        assert!(!cond(Dialect::Aws, "NumericEquals", "aws:SourceIp", &["1"]).evaluate(&c));
        assert_eq!(cond(Dialect::Aws, "NumericEquals", "k", &["x"]).ill_typed_values(), ["x"]);
    }
}
