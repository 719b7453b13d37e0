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

/// A compiled pattern: the source text plus its tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct Pattern {
    source: Box<str>,
    toks: Box<[Tok]>,
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
        Pattern { source: source.into(), toks: toks.into_boxed_slice() }
    }

    /// The text the pattern was compiled from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern is exactly `*` (matches everything, no work to do).
    pub fn is_match_all(&self) -> bool {
        matches!(&*self.toks, [Tok::Star])
    }

    /// True when the pattern contains a policy variable.
    pub fn has_variables(&self) -> bool {
        self.toks.iter().any(|t| matches!(t, Tok::Var(_)))
    }

    /// True when the pattern contains `*` or `?` wildcards.
    pub fn has_wildcards(&self) -> bool {
        self.toks.iter().any(|t| matches!(t, Tok::Star | Tok::One))
    }

    /// The variables the pattern refers to.
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.toks.iter().filter_map(|t| match t {
            Tok::Var(v) => Some(v),
            _ => None,
        })
    }

    /// Matches `input`. `None` when a variable has no value and no default: the
    /// comparison is against null, which the caller turns into "no match" (positive
    /// operators) or "match" (negated operators).
    pub fn matches(&self, input: &str, case: Case, vars: &dyn VarSource) -> Option<bool> {
        // Resolve every variable first: an unresolved one makes the whole value null,
        // whether or not matching would have reached it.
        for tok in self.toks.iter() {
            if let Tok::Var(v) = tok {
                if v.default.is_none() && vars.var(&v.key).is_none() {
                    return None;
                }
            }
        }
        Some(glob(&self.toks, input, case, vars))
    }

    /// Matches without variables (for actions and other variable-free patterns).
    pub fn matches_plain(&self, input: &str, case: Case) -> bool {
        glob(&self.toks, input, case, &NoVars)
    }
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

/// If `input` starts with `lit` (under `case`), the number of input bytes it covers.
fn prefix_len(input: &str, lit: &str, case: Case) -> Option<usize> {
    match case {
        Case::Sensitive => input.starts_with(lit).then_some(lit.len()),
        Case::Insensitive => {
            if lit.is_ascii() {
                let head = input.as_bytes().get(..lit.len())?;
                return head.eq_ignore_ascii_case(lit.as_bytes()).then_some(lit.len());
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

/// The classic single-backtrack wildcard matcher over literal runs: on a mismatch, the
/// most recent `*` takes one more character. Linear in practice, never exponential.
fn glob(toks: &[Tok], input: &str, case: Case, vars: &dyn VarSource) -> bool {
    let mut ti = 0;
    let mut si = 0;
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(tok) = toks.get(ti) {
            let step = match tok {
                Tok::Star => {
                    star = Some((ti + 1, si));
                    ti += 1;
                    continue;
                }
                Tok::One => input[si..].chars().next().map(char::len_utf8),
                Tok::Lit(l) => prefix_len(&input[si..], l, case),
                Tok::Var(v) => prefix_len(&input[si..], resolve(v, vars), case),
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
                star = Some((after, next));
                ti = after;
                si = next;
            }
            _ => return false,
        }
    }
}

/// An ARN pattern for `ArnEquals`/`ArnLike`: six colon-separated parts matched one by one,
/// so a `*` never crosses a `:` of the first five.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnPattern {
    parts: Option<Box<[Pattern]>>,
    whole: Pattern,
}

impl ArnPattern {
    /// Compiles an ARN pattern (wildcards always on; variables as given).
    pub fn compile(source: &str, vars: bool) -> ArnPattern {
        let parts = split_arn(source)
            .map(|parts| parts.iter().map(|p| Pattern::compile(p, true, vars)).collect());
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
                let mut all = true;
                for (p, i) in parts.iter().zip(inputs.iter()) {
                    all &= p.matches(i, Case::Sensitive, vars)?;
                }
                Some(all)
            }
        }
    }
}

/// Splits `a:b:c:d:e:rest` into six parts (the last may contain colons).
fn split_arn(s: &str) -> Option<[&str; 6]> {
    let mut it = s.splitn(6, ':');
    let parts = [it.next()?, it.next()?, it.next()?, it.next()?, it.next()?, it.next()?];
    Some(parts)
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
        fn glob_agrees_with_oracle_on_unicode(p in "[aé*?ß]{0,6}", s in "[aéß]{0,8}") {
            let pc: Vec<char> = p.chars().collect();
            let sc: Vec<char> = s.chars().collect();
            prop_assert_eq!(m(&p, &s), oracle(&pc, &sc));
        }
    }
}
