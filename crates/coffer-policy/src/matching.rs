//! Wildcard, policy-variable and ARN matching, compiled once per policy.
//!
//! Owns: the `Pattern` type (a string compiled into literal runs, `*`, `?` and policy
//! variables), the glob matcher used for actions, resources and `StringLike`, and the
//! per-segment ARN matcher of `ArnLike`. Matching never allocates: variables are resolved
//! from the request context while matching. Never: decide which strings to match; that is
//! the caller's business.

use std::fmt;

/// Whether literal parts compare with or without regard to case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Byte-for-byte (ARNs, most condition values).
    Sensitive,
    /// Unicode simple case folding (action names, `...IgnoreCase` operators).
    Insensitive,
}

/// A policy variable: `${aws:username}` or `${aws:PrincipalTag/team, 'default'}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The condition key it names, lowercased (key names are case-insensitive).
    pub key: Box<str>,
    /// The value used when the key is absent from the request.
    pub default: Option<Box<str>>,
}

/// Where variables get their values: the request context.
pub trait VarSource {
    /// The single value of the condition key `key` (lowercase), if the request has one.
    fn var(&self, key: &str) -> Option<&str>;
}

/// A source with no values: every variable is unresolved.
pub struct NoVars;

impl VarSource for NoVars {
    fn var(&self, _key: &str) -> Option<&str> {
        None
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Lit(Box<str>),
    Star,
    One,
    Var(Variable),
}

/// How a pattern matches, decided once when it is compiled. Nearly every pattern in real
/// policies is `*`, a literal (`kms:Decrypt`, a condition value) or a literal followed by
/// `*` (`kms:Describe*`, `arn:...:key/*`); those never run the general matcher, and their
/// literal is the source text itself, not a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// `*` (or several): matches everything.
    Any,
    /// No wildcard and no variable: the whole source text, literally.
    Exact {
        /// The text is ASCII (case folding is then a byte comparison).
        ascii: bool,
    },
    /// A literal then `*`: the first `len` bytes of the source text, then anything.
    Prefix {
        /// The length of the literal, in bytes.
        len: usize,
        /// The literal is ASCII.
        ascii: bool,
    },
    /// Anything else: literal runs, `*`, `?` and variables.
    Glob {
        /// The tokens.
        toks: Box<[Tok]>,
        /// Every literal token is ASCII.
        ascii: bool,
    },
}

impl Shape {
    /// Compiles `source` (see [`Pattern::compile`] for what `glob` and `vars` mean).
    fn compile(source: &str, glob: bool, vars: bool) -> Shape {
        let special = |b: u8| (glob && (b == b'*' || b == b'?')) || (vars && b == b'$');
        match source.bytes().position(special) {
            None => return Shape::Exact { ascii: source.is_ascii() },
            Some(i) if source.as_bytes()[i..].iter().all(|&b| glob && b == b'*') => {
                return if i == 0 {
                    Shape::Any
                } else {
                    Shape::Prefix { len: i, ascii: source[..i].is_ascii() }
                };
            }
            Some(_) => {}
        }
        let toks = tokenize(source, glob, vars);
        match toks.as_slice() {
            [] if source.is_empty() => Shape::Exact { ascii: true },
            [Tok::Star] => Shape::Any,
            [Tok::Lit(l)] if **l == *source => Shape::Exact { ascii: source.is_ascii() },
            [Tok::Lit(l), Tok::Star] if source.starts_with(&**l) => {
                Shape::Prefix { len: l.len(), ascii: l.is_ascii() }
            }
            _ => {
                let ascii = toks.iter().all(|t| match t {
                    Tok::Lit(l) => l.is_ascii(),
                    _ => true,
                });
                Shape::Glob { toks: toks.into_boxed_slice(), ascii }
            }
        }
    }

    /// Matches `input`; `text` is the source text the shape was compiled from. `None` when
    /// a variable has no value and no default.
    #[inline]
    fn matches(&self, text: &str, input: &str, case: Case, vars: &dyn VarSource) -> Option<bool> {
        match self {
            Shape::Any => Some(true),
            Shape::Exact { ascii } => Some(equals(input, text, case, *ascii)),
            Shape::Prefix { len, ascii } => {
                Some(prefix_len(input, &text[..*len], case, *ascii).is_some())
            }
            Shape::Glob { toks, ascii } => glob_with_variables(toks, *ascii, input, case, vars),
        }
    }

    fn toks(&self) -> &[Tok] {
        match self {
            Shape::Glob { toks, .. } => toks,
            _ => &[],
        }
    }

    fn has_wildcards(&self) -> bool {
        match self {
            Shape::Any | Shape::Prefix { .. } => true,
            Shape::Exact { .. } => false,
            Shape::Glob { toks, .. } => toks.iter().any(|t| matches!(t, Tok::Star | Tok::One)),
        }
    }
}

/// A compiled pattern: the source text plus how it matches.
#[derive(Clone, PartialEq, Eq)]
pub struct Pattern {
    source: Box<str>,
    shape: Shape,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

impl Pattern {
    /// Compiles `source`. With `glob`, `*` matches any run (including none) and `?` exactly
    /// one character; without, they are literal. With `vars`, `${key}` and
    /// `${key, 'default'}` are variables and `${*}`, `${?}`, `${$}` are the literal
    /// characters (never wildcards); without, `${...}` is literal text.
    pub fn compile(source: &str, glob: bool, vars: bool) -> Pattern {
        Pattern { shape: Shape::compile(source, glob, vars), source: source.into() }
    }

    /// The text the pattern was compiled from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern is exactly `*` (matches everything, no work to do).
    pub fn is_match_all(&self) -> bool {
        self.shape == Shape::Any
    }

    /// True when the pattern contains a policy variable.
    pub fn has_variables(&self) -> bool {
        self.shape.toks().iter().any(|t| matches!(t, Tok::Var(_)))
    }

    /// True when the pattern contains `*` or `?` wildcards.
    pub fn has_wildcards(&self) -> bool {
        self.shape.has_wildcards()
    }

    /// The variables the pattern refers to.
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.shape.toks().iter().filter_map(|t| match t {
            Tok::Var(v) => Some(v),
            _ => None,
        })
    }

    /// Matches `input`. `None` when a variable has no value and no default: the
    /// comparison is against null, which the caller turns into "no match" (positive
    /// operators) or "match" (negated operators).
    #[inline]
    pub fn matches(&self, input: &str, case: Case, vars: &dyn VarSource) -> Option<bool> {
        self.shape.matches(&self.source, input, case, vars)
    }

    /// Matches without variables (for actions and other variable-free patterns); a
    /// variable, if there is one, stands for its default or else for nothing.
    #[inline]
    pub fn matches_plain(&self, input: &str, case: Case) -> bool {
        match &self.shape {
            Shape::Glob { toks, ascii } => glob(toks, *ascii, input, case, &NoVars),
            shape => shape.matches(&self.source, input, case, &NoVars) == Some(true),
        }
    }
}

/// The general compiler: literal runs, `*`, `?` and variables.
fn tokenize(source: &str, glob: bool, vars: bool) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut lit = String::new();
    let mut rest = source;
    while let Some(c) = rest.chars().next() {
        if vars && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                match inner {
                    "*" | "?" | "$" => lit.push_str(inner),
                    _ => match parse_variable(inner) {
                        Some(var) => {
                            flush(&mut toks, &mut lit);
                            toks.push(Tok::Var(var));
                        }
                        None => lit.push_str(&rest[..=end]),
                    },
                }
                rest = &rest[end + 1..];
                continue;
            }
        }
        match c {
            '*' if glob => {
                flush(&mut toks, &mut lit);
                // Consecutive stars are one star; keeping one keeps matching linear.
                if toks.last() != Some(&Tok::Star) {
                    toks.push(Tok::Star);
                }
            }
            '?' if glob => {
                flush(&mut toks, &mut lit);
                toks.push(Tok::One);
            }
            _ => lit.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut toks, &mut lit);
    toks
}

fn flush(toks: &mut Vec<Tok>, lit: &mut String) {
    if !lit.is_empty() {
        toks.push(Tok::Lit(std::mem::take(lit).into_boxed_str()));
    }
}

fn parse_variable(inner: &str) -> Option<Variable> {
    let (name, default) = match inner.split_once(',') {
        Some((name, default)) => {
            let d = default.trim();
            let d = d.strip_prefix('\'')?.strip_suffix('\'')?;
            (name.trim(), Some(d.into()))
        }
        None => (inner.trim(), None),
    };
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '$' || c == '{') {
        return None;
    }
    Some(Variable { key: name.to_lowercase().into_boxed_str(), default })
}

fn resolve<'a>(var: &'a Variable, vars: &'a dyn VarSource) -> &'a str {
    vars.var(&var.key).or(var.default.as_deref()).unwrap_or("")
}

/// True when all of `input` is `lit` (under `case`); `ascii` says `lit` is ASCII.
#[inline]
fn equals(input: &str, lit: &str, case: Case, ascii: bool) -> bool {
    match case {
        Case::Sensitive => input == lit,
        Case::Insensitive if ascii => {
            input.len() == lit.len() && eq_ignore_ascii_case(input.as_bytes(), lit.as_bytes())
        }
        Case::Insensitive => prefix_len(input, lit, case, false) == Some(input.len()),
    }
}

/// If `input` starts with `lit` (under `case`), the number of input bytes it covers.
/// `ascii` says `lit` is ASCII.
#[inline]
fn prefix_len(input: &str, lit: &str, case: Case, ascii: bool) -> Option<usize> {
    match case {
        Case::Sensitive => input.starts_with(lit).then_some(lit.len()),
        Case::Insensitive => {
            if ascii {
                let head = input.as_bytes().get(..lit.len())?;
                return eq_ignore_ascii_case(head, lit.as_bytes()).then_some(lit.len());
            }
            let mut consumed = 0;
            let mut chars = input.chars();
            for l in lit.chars() {
                let c = chars.next()?;
                if c != l && !c.to_lowercase().eq(l.to_lowercase()) {
                    return None;
                }
                consumed += c.len_utf8();
            }
            Some(consumed)
        }
    }
}

#[inline(never)]
fn glob_with_variables(
    toks: &[Tok],
    ascii: bool,
    input: &str,
    case: Case,
    vars: &dyn VarSource,
) -> Option<bool> {
    // Resolve every variable first: an unresolved one makes the whole value null, whether
    // or not matching would have reached it.
    for tok in toks {
        if let Tok::Var(v) = tok {
            if v.default.is_none() && vars.var(&v.key).is_none() {
                return None;
            }
        }
    }
    Some(glob(toks, ascii, input, case, vars))
}

/// `a.eq_ignore_ascii_case(b)` for slices of equal length, eight bytes at a time: equal
/// words are skipped, unequal ones compared with their ASCII capitals lowered.
#[inline]
fn eq_ignore_ascii_case(a: &[u8], b: &[u8]) -> bool {
    /// Lowers the ASCII capitals of eight bytes at once, leaving every other byte as is.
    fn lower(x: u64) -> u64 {
        const ONES: u64 = u64::from_ne_bytes([1; 8]);
        const HIGH: u64 = ONES * 0x80;
        // Per byte below 0x80: the high bit of `x + 0x80 - c` is set when `x >= c`, and
        // no lane carries into the next.
        let low7 = x & !HIGH;
        let at_least_a = low7 + ONES * u64::from(0x80 - b'A');
        let beyond_z = low7 + ONES * u64::from(0x80 - b'Z' - 1);
        let capital = at_least_a & !beyond_z & !x & HIGH;
        x | (capital >> 2)
    }
    if a.len() != b.len() {
        return false;
    }
    let mut xs = a.chunks_exact(8);
    let mut ys = b.chunks_exact(8);
    for (x, y) in (&mut xs).zip(&mut ys) {
        let (x, y) = (word(x), word(y));
        if x != y && lower(x) != lower(y) {
            return false;
        }
    }
    xs.remainder().eq_ignore_ascii_case(ys.remainder())
}

/// Eight bytes as a word (`chunk` has exactly eight).
#[inline]
fn word(chunk: &[u8]) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(chunk);
    u64::from_ne_bytes(w)
}

/// The classic single-backtrack wildcard matcher over literal runs: on a mismatch, the
/// most recent `*` takes one more character. Linear in practice, never exponential.
/// `ascii` says every literal token is ASCII.
fn glob(toks: &[Tok], ascii: bool, input: &str, case: Case, vars: &dyn VarSource) -> bool {
    let mut ti = 0;
    let mut si = 0;
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(tok) = toks.get(ti) {
            let step = match tok {
                Tok::Star => {
                    ti += 1;
                    let Some(at) = next_start(toks.get(ti), input, si, case) else {
                        return false;
                    };
                    si = at;
                    star = Some((ti, si));
                    continue;
                }
                Tok::One => input[si..].chars().next().map(char::len_utf8),
                Tok::Lit(l) => prefix_len(&input[si..], l, case, ascii),
                Tok::Var(v) => {
                    let value = resolve(v, vars);
                    prefix_len(&input[si..], value, case, value.is_ascii())
                }
            };
            if let Some(n) = step {
                si += n;
                ti += 1;
                continue;
            }
        } else if si == input.len() {
            return true;
        }
        match star {
            Some((after, at)) if at < input.len() => {
                let next = at + input[at..].chars().next().map_or(1, char::len_utf8);
                let Some(next) = next_start(toks.get(after), input, next, case) else {
                    return false;
                };
                star = Some((after, next));
                ti = after;
                si = next;
            }
            _ => return false,
        }
    }
}

/// Where the token after a `*` can first match, at or after `from`. A case-sensitive
/// literal is searched for at once instead of being tried at every position; `None` when
/// it occurs nowhere, so no position can match.
fn next_start(after_star: Option<&Tok>, input: &str, from: usize, case: Case) -> Option<usize> {
    match (after_star, case) {
        (Some(Tok::Lit(l)), Case::Sensitive) => find(input, from, l),
        _ => Some(from),
    }
}

/// The first occurrence of `lit` in `input` at or after byte `from`. Literals are short,
/// so this scans for the first byte and compares the rest there, which costs less than
/// setting up a general substring search. A match starts on a character boundary: the
/// first byte of `lit` is never a continuation byte.
pub(crate) fn find(input: &str, from: usize, lit: &str) -> Option<usize> {
    let Some((first, rest)) = lit.as_bytes().split_first() else { return Some(from) };
    let bytes = input.as_bytes();
    let mut from = from;
    while let Some(i) = bytes.get(from..)?.iter().position(|b| b == first) {
        let at = from + i;
        if bytes[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// One of the six parts of an ARN pattern: its byte range in the source, and its shape.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ArnPart {
    start: usize,
    end: usize,
    shape: Shape,
}

/// An ARN pattern for `ArnEquals`/`ArnLike`: six colon-separated parts matched one by one,
/// so a `*` never crosses a `:` of the first five.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnPattern {
    parts: Option<Box<[ArnPart]>>,
    whole: Pattern,
}

impl ArnPattern {
    /// Compiles an ARN pattern (wildcards always on; variables as given).
    pub fn compile(source: &str, vars: bool) -> ArnPattern {
        let parts = split_arn(source).map(|parts| {
            let mut start = 0;
            parts
                .iter()
                .map(|p| {
                    let part = ArnPart {
                        start,
                        end: start + p.len(),
                        shape: Shape::compile(p, true, vars),
                    };
                    // The next part begins after this one's colon.
                    start = part.end + 1;
                    part
                })
                .collect()
        });
        ArnPattern { parts, whole: Pattern::compile(source, true, vars) }
    }

    /// The source text.
    pub fn as_str(&self) -> &str {
        self.whole.as_str()
    }

    /// Matches an ARN; `None` when a variable is unresolved.
    pub fn matches(&self, input: &str, vars: &dyn VarSource) -> Option<bool> {
        match &self.parts {
            // A pattern without colons (`*`) is matched as a whole; one with fewer than six
            // parts can never match an ARN part by part.
            None if !self.whole.as_str().contains(':') => {
                self.whole.matches(input, Case::Sensitive, vars)
            }
            None => Some(false),
            Some(parts) => {
                let Some(inputs) = split_arn(input) else { return Some(false) };
                let source = self.whole.as_str();
                let mut all = true;
                for (p, i) in parts.iter().zip(inputs.iter()) {
                    let text = &source[p.start..p.end];
                    all &= p.shape.matches(text, i, Case::Sensitive, vars)?;
                }
                Some(all)
            }
        }
    }
}

/// Splits `a:b:c:d:e:rest` into six parts (the last may contain colons).
fn split_arn(s: &str) -> Option<[&str; 6]> {
    fields(s)
}

/// Splits `s` at its first `N - 1` colons into exactly `N` fields (the last keeps any
/// further colons); `None` when it has fewer. `s.splitn(N, ':')`, without the general
/// searcher's setup cost on these short strings.
pub(crate) fn fields<const N: usize>(s: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut rest = s;
    for field in out.iter_mut().take(N.saturating_sub(1)) {
        let colon = rest.bytes().position(|b| b == b':')?;
        *field = &rest[..colon];
        rest = &rest[colon + 1..];
    }
    if let Some(last) = out.last_mut() {
        *last = rest;
    }
    Some(out)
}

/// Field `n` of the colon-separated `s`: `s.split(':').nth(n)`.
pub(crate) fn nth_field(s: &str, n: usize) -> Option<&str> {
    let mut rest = s;
    for _ in 0..n {
        rest = &rest[rest.bytes().position(|b| b == b':')? + 1..];
    }
    Some(rest.bytes().position(|b| b == b':').map_or(rest, |end| &rest[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);
    impl VarSource for Map {
        fn var(&self, key: &str) -> Option<&str> {
            self.0.get(key).copied()
        }
    }

    fn m(p: &str, s: &str) -> bool {
        Pattern::compile(p, true, false).matches_plain(s, Case::Sensitive)
    }

    #[test]
    fn wildcards() {
        assert!(m("*", ""));
        assert!(m("*", "anything:at/all"));
        assert!(m("kms:List*", "kms:ListKeys"));
        assert!(!m("kms:List*", "kms:Decrypt"));
        assert!(m("kms:?ecrypt", "kms:Decrypt"));
        assert!(!m("kms:?ecrypt", "kms:ecrypt"));
        assert!(m("a*b*c", "abbbc"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:111122223333:key/abc"
        ));
        assert!(!m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:444455556666:key/abc"
        ));
    }

    #[test]
    fn case_rules() {
        let p = Pattern::compile("kms:Decrypt", true, false);
        assert!(p.matches_plain("KMS:decrypt", Case::Insensitive));
        assert!(!p.matches_plain("KMS:decrypt", Case::Sensitive));
        let p = Pattern::compile("Straße*", true, false);
        assert!(!p.matches_plain("STRASSE", Case::Insensitive));
        assert!(p.matches_plain("straße-1", Case::Insensitive));
    }

    #[test]
    fn variables_resolve_while_matching() {
        let vars =
            Map(HashMap::from([("aws:username", "alice"), ("aws:principaltag/team", "blue")]));
        let p = Pattern::compile("arn:aws:s3:::bucket/${aws:username}/*", true, true);
        assert_eq!(p.matches("arn:aws:s3:::bucket/alice/x", Case::Sensitive, &vars), Some(true));
        assert_eq!(p.matches("arn:aws:s3:::bucket/bob/x", Case::Sensitive, &vars), Some(false));
        let p = Pattern::compile("${AWS:PrincipalTag/Team}", false, true);
        assert_eq!(p.matches("blue", Case::Sensitive, &vars), Some(true));
        let p = Pattern::compile("${aws:PrincipalTag/dept, 'company-wide'}", false, true);
        assert_eq!(p.matches("company-wide", Case::Sensitive, &vars), Some(true));
        let p = Pattern::compile("${aws:PrincipalTag/dept}", false, true);
        assert_eq!(p.matches("x", Case::Sensitive, &vars), None);
    }

    #[test]
    fn plain_matching_reads_variables_as_their_default_or_nothing() {
        let p = Pattern::compile("${aws:username}*x", true, true);
        assert!(p.matches_plain("abcx", Case::Sensitive));
        assert_eq!(p.matches("abcx", Case::Sensitive, &NoVars), None);
        let p = Pattern::compile("${aws:PrincipalTag/team, 'blue'}-x", false, true);
        assert!(p.matches_plain("blue-x", Case::Sensitive));
        assert!(!p.matches_plain("-x", Case::Sensitive));
    }

    #[test]
    fn special_literals_are_not_wildcards() {
        let p = Pattern::compile("a${*}b${?}${$}", true, true);
        assert!(p.matches_plain("a*b?$", Case::Sensitive));
        assert!(!p.matches_plain("axxb?$", Case::Sensitive));
        // Without variables (2008-10-17) the text is literal.
        let p = Pattern::compile("${aws:username}", false, false);
        assert!(p.matches_plain("${aws:username}", Case::Sensitive));
    }

    #[test]
    fn arn_like_matches_per_segment() {
        let p = ArnPattern::compile("arn:aws:iam::*:role/admin", false);
        assert_eq!(p.matches("arn:aws:iam::111122223333:role/admin", &NoVars), Some(true));
        // StringLike would let `*` run across the colon; ArnLike does not.
        let p = ArnPattern::compile("arn:aws:iam::*:role/admin", false);
        assert_eq!(p.matches("arn:aws:iam::1:2:role/admin", &NoVars), Some(false));
        let p = ArnPattern::compile("arn:aws:kms:*:*:key/*", false);
        assert_eq!(
            p.matches("arn:aws:kms:eu-west-1:111122223333:key/k:with:colons", &NoVars),
            Some(true)
        );
        assert_eq!(p.matches("not-an-arn", &NoVars), Some(false));
        // Five parts: `*` may not stand for `region:account`.
        let p = ArnPattern::compile("arn:aws:cloudtrail:*:trail/my-trail", false);
        assert_eq!(
            p.matches("arn:aws:cloudtrail:us-west-2:111122223333:trail/my-trail", &NoVars),
            Some(false)
        );
        let p = ArnPattern::compile("*", false);
        assert_eq!(p.matches("not-an-arn", &NoVars), Some(true));
    }

    /// The general matcher alone, for the compiled shapes to agree with.
    fn general(p: &str, s: &str, case: Case) -> bool {
        let toks = tokenize(p, true, false);
        let ascii = toks.iter().all(|t| !matches!(t, Tok::Lit(l) if !l.is_ascii()));
        glob(&toks, ascii, s, case, &NoVars)
    }

    #[test]
    fn common_shapes_skip_the_general_matcher() {
        let shape = |p: &str| Pattern::compile(p, true, false).shape;
        assert_eq!(shape("*"), Shape::Any);
        assert_eq!(shape("**"), Shape::Any);
        assert_eq!(shape("kms:Decrypt"), Shape::Exact { ascii: true });
        assert_eq!(shape(""), Shape::Exact { ascii: true });
        assert_eq!(shape("kms:Describe*"), Shape::Prefix { len: 12, ascii: true });
        assert_eq!(shape("Straße*"), Shape::Prefix { len: 7, ascii: false });
        assert!(matches!(shape("arn:aws:kms:*:111122223333:key/*"), Shape::Glob { .. }));
        assert!(matches!(shape("kms:?ecrypt"), Shape::Glob { .. }));
        // Without wildcards `*` is literal text; `${*}` is always literal.
        assert_eq!(Pattern::compile("a*", false, false).shape, Shape::Exact { ascii: true });
        let p = Pattern::compile("a${*}", true, true);
        assert!(matches!(p.shape, Shape::Glob { .. }));
        assert!(p.matches_plain("a*", Case::Sensitive));
        assert!(!p.matches_plain("ab", Case::Sensitive));
        // A `$` that starts no variable is literal.
        let p = Pattern::compile("a$b*", true, true);
        assert_eq!(p.shape, Shape::Prefix { len: 3, ascii: true });
        assert!(p.matches_plain("a$bc", Case::Sensitive));
        assert!(p.matches_plain("a$b", Case::Sensitive));
        assert!(Pattern::compile("kms:*", true, false).has_wildcards());
        assert!(!Pattern::compile("kms:Decrypt", true, false).has_wildcards());
    }

    #[test]
    fn helpers_split_as_the_standard_library_does() {
        for s in ["", ":", "a", "arn:aws:kms:r:1:key/a:b", "a:b:c:d:e", "::::::::", "é:ß:::x:y"] {
            let std6: Vec<&str> = s.splitn(6, ':').collect();
            assert_eq!(fields::<6>(s).map(Vec::from), (std6.len() == 6).then_some(std6), "{s}");
            for n in 0..8 {
                assert_eq!(nth_field(s, n), s.split(':').nth(n), "{s} {n}");
            }
        }
        assert_eq!(find("ab:iam::x", 0, ":iam::"), Some(2));
        assert_eq!(find("ab:iam::x", 3, ":iam::"), None);
        assert_eq!(find("aéb", 0, "b"), Some(3));
    }

    /// The obviously correct (exponential) matcher the fast one must agree with.
    fn oracle(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| oracle(rest, &s[i..])),
            Some(('?', rest)) => !s.is_empty() && oracle(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && oracle(rest, &s[1..]),
        }
    }

    proptest! {
        #[test]
        fn glob_agrees_with_oracle(p in "[ab*?:]{0,8}", s in "[ab:]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let sc: Vec<char> = s.chars().collect();
            prop_assert_eq!(m(&p, &s), oracle(&pc, &sc));
        }

        #[test]
        fn shapes_agree_with_the_general_matcher(p in "[aAéÉß*?:]{0,6}", s in "[aAéÉßs:]{0,8}") {
            for case in [Case::Sensitive, Case::Insensitive] {
                let compiled = Pattern::compile(&p, true, false).matches_plain(&s, case);
                prop_assert_eq!(compiled, general(&p, &s, case), "{:?} {:?} {:?}", p, s, case);
            }
        }

        #[test]
        fn ascii_case_folding_eight_bytes_at_a_time(
            a in proptest::collection::vec(any::<u8>(), 0..40),
            flips in proptest::collection::vec(any::<bool>(), 40),
            other in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            // `b` differs from `a` only in bit 5 here and there: a change of case for letters,
            // a real difference for other bytes.
            let b: Vec<u8> = a.iter().zip(&flips).map(|(x, f)| if *f { x ^ 0x20 } else { *x }).collect();
            prop_assert_eq!(eq_ignore_ascii_case(&a, &b), a.eq_ignore_ascii_case(&b));
            prop_assert_eq!(eq_ignore_ascii_case(&a, &other), a.eq_ignore_ascii_case(&other));
            prop_assert!(eq_ignore_ascii_case(&a, &a.to_ascii_uppercase()));
        }

        #[test]
        fn glob_agrees_with_oracle_on_unicode(p in "[aé*?ß]{0,6}", s in "[aéß]{0,8}") {
            let pc: Vec<char> = p.chars().collect();
            let sc: Vec<char> = s.chars().collect();
            prop_assert_eq!(m(&p, &s), oracle(&pc, &sc));
        }
    }
}
