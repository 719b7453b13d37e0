//! Policy validation: the checks a policy author runs before attaching a document, in the
//! manner of IAM Access Analyzer's policy checks.
//!
//! Owns: `Finding` (severity, a stable kebab-case code, a JSON pointer into the document and a
//! message saying what is wrong and what to do), the checks themselves and their order. A
//! document is checked against its dialect's grammar (a parse error is one finding), against
//! the dialect's `kms` catalog (actions, resource types, condition keys and their types), against
//! the rules of the place it is used (identity policy, key or secret policy, SCP, RCP,
//! permissions boundary, session policy: principals, required elements, size limits) and
//! for grants that are broader than they look.
//!
//! Never: change a document, decide a request, or judge what the catalog does not cover: an
//! action, resource or condition key of another service is at most a suggestion, never an
//! error. Validation is a pure function of the text (or parsed policy) and the options.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

use crate::Dialect;
use crate::catalog::{ActionDef, Catalog, ConditionKeyDef, KeyType};
use crate::condition::{Condition, Family, OpKind, SetOp};
use crate::dialect::json::{Node, Pointer};
use crate::matching::{Case, Pattern};
use crate::model::{Effect, Policy, PolicyError, Statement};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The cloud refuses the document, or a part of it can never work as written.
    Error,
    /// The document is accepted but probably does not do what its author meant.
    Warning,
    /// Worth knowing; nothing is wrong.
    Suggestion,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        })
    }
}

/// What a document is used as; the rules on principals, required elements and size differ.
/// The same kinds as the decision flow's.
pub use crate::decision::PolicyKind as PolicyUse;

impl PolicyUse {
    /// The use as a noun phrase, for messages.
    fn use_phrase(self) -> &'static str {
        match self {
            PolicyUse::Identity => "an identity policy",
            PolicyUse::Resource => "a resource policy",
            PolicyUse::Scp => "a service control policy",
            PolicyUse::Rcp => "a resource control policy",
            PolicyUse::Boundary => "a permissions boundary",
            PolicyUse::Session => "a session policy",
        }
    }
}

/// One problem found in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// A stable identifier of the check (`unknown-action`), for filtering and suppression.
    pub code: &'static str,
    /// A JSON pointer to the offending value (`/Statement/0/Action/1`); `/` for the document.
    pub pointer: String,
    /// What is wrong and, where possible, what to do about it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}: {}", self.severity, self.code, self.pointer, self.message)
    }
}

/// How to validate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The policy language; `None` tells it from `Version`.
    pub dialect: Option<Dialect>,
    /// What the document is used as.
    pub policy_use: PolicyUse,
}

/// Validates policy text. A document that does not parse yields one `syntax` error with the
/// parser's pointer and message; one whose language cannot be told yields `unknown-version`.
pub fn validate_text(text: &str, opts: &Options) -> Vec<Finding> {
    let dialect = match opts.dialect {
        Some(dialect) => dialect,
        None => match Node::parse(text) {
            // The parser words JSON errors the same in every dialect.
            Err(_) => Dialect::Aws,
            Ok(node) => match Dialect::detect(&node) {
                Some(dialect) => dialect,
                None => match unknown_version(&node) {
                    Some(finding) => return vec![finding],
                    // Not an object: the grammar says what is wrong better than a version
                    // would.
                    None => Dialect::Aws,
                },
            },
        },
    };
    let parsed = Policy::parse(dialect, text);
    match parsed {
        Ok(policy) => check(&policy, Sizes::of_text(text), opts),
        Err(e) => vec![syntax(e)],
    }
}

/// Validates a parsed policy (its dialect is the policy's own; `opts.dialect` is not used).
/// `text_len` is the length of its text in bytes; the sizes that do not count whitespace are
/// measured on the document's compact form.
pub fn validate(policy: &Policy, text_len: usize, opts: &Options) -> Vec<Finding> {
    check(policy, Sizes::estimate(policy, text_len), opts)
}

fn syntax(e: PolicyError) -> Finding {
    Finding { severity: Severity::Error, code: "syntax", pointer: e.pointer, message: e.message }
}

fn unknown_version(node: &Node) -> Option<Finding> {
    let Node::Object(members) = node else {
        return None;
    };
    let known = "`2012-10-17` or `2008-10-17` for AWS, `5.0` or `1.1` for Huawei Cloud, `1` for \
                 Alibaba Cloud";
    let (pointer, message) = match members.iter().find(|(k, _)| k == "Version").map(|(_, v)| v) {
        None => (
            "/".to_owned(),
            "the policy language cannot be told without `Version`: add `Version` or name the \
             dialect explicitly"
                .to_owned(),
        ),
        Some(Node::String(v)) => (
            "/Version".to_owned(),
            format!("`Version` `{v}` names no known policy language: expected {known}"),
        ),
        Some(other) => (
            "/Version".to_owned(),
            format!("`Version` must be a string ({known}), not {}", other.type_name()),
        ),
    };
    Some(Finding { severity: Severity::Error, code: "unknown-version", pointer, message })
}

/// The sizes the clouds' limits are stated in.
#[derive(Clone, Copy, Debug)]
struct Sizes {
    bytes: usize,
    chars: usize,
    /// Characters, not counting whitespace outside strings.
    compact_chars: usize,
}

impl Sizes {
    fn of_text(text: &str) -> Sizes {
        let mut compact_chars = 0;
        let (mut in_string, mut escaped) = (false, false);
        for c in text.chars() {
            if in_string {
                compact_chars += 1;
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
            } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
                compact_chars += 1;
                in_string = c == '"';
            }
        }
        Sizes { bytes: text.len(), chars: text.chars().count(), compact_chars }
    }

    fn estimate(policy: &Policy, text_len: usize) -> Sizes {
        match serde_json::to_string(&policy.source.to_value()) {
            Ok(compact) => {
                let compact_chars = compact.chars().count();
                // Characters beyond ASCII sit in strings, which the compact form keeps as is.
                let multibyte_excess = compact.len() - compact_chars;
                Sizes {
                    bytes: text_len,
                    chars: text_len.saturating_sub(multibyte_excess),
                    compact_chars,
                }
            }
            Err(_) => Sizes { bytes: text_len, chars: text_len, compact_chars: text_len },
        }
    }
}

fn check(policy: &Policy, sizes: Sizes, opts: &Options) -> Vec<Finding> {
    let source = policy.source.to_node();
    let mut v = Validator {
        policy,
        source: &source,
        catalog: Catalog::for_dialect(policy.dialect),
        policy_use: opts.policy_use,
        out: Vec::new(),
    };
    v.document(sizes);
    for s in &policy.statements {
        v.statement(s);
    }
    let mut out = v.out;
    out.sort_by(|a, b| compare_pointers(&a.pointer, &b.pointer).then(a.severity.cmp(&b.severity)));
    out.dedup();
    out
}

/// Orders pointers by segment, array indices numerically (`/Statement/2` before `/Statement/10`).
fn compare_pointers(a: &str, b: &str) -> Ordering {
    let mut xs = a.split('/');
    let mut ys = b.split('/');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<usize>(), y.parse::<usize>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// The name of a dialect's cloud, for messages.
fn cloud(d: Dialect) -> &'static str {
    match d {
        Dialect::Aws => "AWS",
        Dialect::Huawei => "Huawei Cloud",
        Dialect::Alibaba => "Alibaba Cloud",
    }
}

/// The first member named `name` of an object node.
fn child<'n>(node: Option<&'n Node>, name: &str) -> Option<&'n Node> {
    match node {
        Some(Node::Object(members)) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        _ => None,
    }
}

/// The pointer to item `i` of a value written as a single item or as an array.
fn item(at: &Pointer, node: Option<&Node>, i: usize) -> Pointer {
    match node {
        Some(Node::Array(_)) => at.index(i),
        _ => at.clone(),
    }
}

/// The catalog's suggestion for a misspelt name, if one is close enough.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
}

/// Whether an action pattern names an action of the catalog (by name or legacy alias).
fn hits(p: &Pattern, a: &ActionDef) -> bool {
    p.matches_plain(&a.name, Case::Insensitive)
        || a.aliases.iter().any(|x| p.matches_plain(x, Case::Insensitive))
}

/// Keys whose Date values are epoch seconds, compared with numeric operators in the clouds'
/// own examples (AWS IAM guide `aws:EpochTime`; AWS KMS developer guide `kms:ValidTo`).
const EPOCH_KEYS: &[&str] = &["aws:EpochTime", "kms:ValidTo"];

/// Whether an operator of `family` compares values of the key's type.
fn operator_fits(family: Family, key: &ConditionKeyDef) -> bool {
    match (family, key.key_type) {
        (Family::Null, _)
        | (Family::String, KeyType::String | KeyType::Arn)
        | (Family::Arn, KeyType::Arn | KeyType::String)
        | (Family::Numeric, KeyType::Numeric)
        | (Family::Date, KeyType::Date)
        | (Family::Bool, KeyType::Bool)
        | (Family::Binary, KeyType::Binary)
        | (Family::Ip, KeyType::IpAddress) => true,
        (Family::Numeric, KeyType::Date) => {
            EPOCH_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key.name))
        }
        _ => false,
    }
}

/// The operators that fit a key type, for messages.
fn operators_for(t: KeyType, dialect: Dialect) -> &'static str {
    match (t, dialect) {
        (KeyType::String, _) => "a `String...` operator",
        (KeyType::Arn, _) => "an `Arn...` or `String...` operator",
        (KeyType::Bool, _) => "`Bool`",
        (KeyType::Numeric, Dialect::Huawei) => "a `Number...` operator",
        (KeyType::Numeric, _) => "a `Numeric...` operator",
        (KeyType::Date, _) => "a `Date...` operator",
        (KeyType::IpAddress, _) => "`IpAddress` or `NotIpAddress`",
        (KeyType::Binary, _) => "`BinaryEquals`",
    }
}

/// What a value of an operator family must look like, for messages.
fn family_value(family: Family) -> &'static str {
    match family {
        Family::String | Family::Arn => "a string",
        Family::Numeric => "a number",
        Family::Date => "a date (ISO 8601, e.g. `2024-01-31T12:00:00Z`, or epoch seconds)",
        Family::Bool | Family::Null => "`true` or `false`",
        Family::Binary => "base64-encoded bytes",
        Family::Ip => "an IP address or CIDR block",
    }
}

/// The catalog actions a statement's `Action` names, and whether it reaches past them.
struct Scope<'c> {
    /// Catalog actions matched by the statement's patterns.
    defs: Vec<&'c ActionDef>,
    /// A pattern (`*`, or a wildcard service) may name any action, so the catalog cannot
    /// tell what the statement covers.
    open: bool,
}

struct Validator<'a> {
    policy: &'a Policy,
    /// The policy's document, read once.
    source: &'a Node,
    catalog: &'static Catalog,
    policy_use: PolicyUse,
    out: Vec<Finding>,
}

impl<'a> Validator<'a> {
    fn push(&mut self, severity: Severity, code: &'static str, at: &Pointer, message: String) {
        self.out.push(Finding { severity, code, pointer: at.to_string(), message });
    }

    fn aws(&self) -> bool {
        self.policy.dialect == Dialect::Aws
    }

    fn service(&self) -> &'static str {
        &self.catalog.service
    }

    /// Whether `name` (an action or condition key) has the catalog's service prefix.
    fn in_service(&self, name: &str) -> bool {
        name.split_once(':').is_some_and(|(prefix, _)| prefix.eq_ignore_ascii_case(self.service()))
    }

    // ----------------------------------------------------------------------------- document

    fn document(&mut self, sizes: Sizes) {
        let root = Pointer::root();
        if self.aws() {
            let rcp = self.policy_use == PolicyUse::Rcp;
            match self.policy.version.as_deref() {
                None => self.push(
                    if rcp { Severity::Error } else { Severity::Warning },
                    "missing-version",
                    &root,
                    "missing `Version`: the policy is read with `2008-10-17` rules, without \
                     policy variables; add `\"Version\": \"2012-10-17\"`"
                        .to_owned(),
                ),
                Some(v) if rcp && v != "2012-10-17" => self.push(
                    Severity::Error,
                    "unsupported-version",
                    &root.key("Version"),
                    format!(
                        "a resource control policy must have `\"Version\": \"2012-10-17\"`, \
                         not `{v}`"
                    ),
                ),
                Some(_) => {}
            }
            let source = self.source;
            self.characters(source, &root);
        }
        self.size(sizes);
    }

    fn size(&mut self, sizes: Sizes) {
        let u = self.policy_use;
        let (measured, limit, unit) = match (self.policy.dialect, u) {
            (Dialect::Aws, PolicyUse::Resource) => (sizes.bytes, 32_768, "bytes"),
            (Dialect::Aws, PolicyUse::Identity | PolicyUse::Boundary) => {
                (sizes.compact_chars, 6_144, "characters, not counting whitespace")
            }
            (Dialect::Aws, PolicyUse::Session) => {
                (sizes.compact_chars, 2_048, "characters, not counting whitespace")
            }
            (Dialect::Aws, PolicyUse::Scp | PolicyUse::Rcp) => (sizes.chars, 5_120, "characters"),
            (Dialect::Huawei, _) => (sizes.bytes, 6_144, "bytes"),
            // The RAM limit is documented for RAM policies; KMS key and secret policies have
            // their own, undocumented one.
            (Dialect::Alibaba, PolicyUse::Resource) => return,
            (Dialect::Alibaba, _) => (sizes.chars, 6_144, "characters"),
        };
        if measured > limit {
            let fix = if unit.contains("whitespace") {
                "split it into several policies"
            } else {
                "remove whitespace outside strings or split it into several policies"
            };
            self.push(
                Severity::Error,
                "policy-too-large",
                &Pointer::root(),
                format!(
                    "the policy is {measured} {unit} long, but {} of {} may have at most \
                     {limit}; {fix}",
                    u.use_phrase(),
                    cloud(self.policy.dialect)
                ),
            );
        }
    }

    /// AWS allows TAB, LF, CR and U+0020 to U+00FF in a policy document.
    fn characters(&mut self, node: &Node, at: &Pointer) {
        let bad =
            |s: &str| s.chars().find(|c| !matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'));
        match node {
            Node::String(s) => {
                if let Some(c) = bad(s) {
                    self.push(
                        Severity::Error,
                        "invalid-character",
                        at,
                        format!(
                            "`{}` contains the character U+{:04X}, which AWS policies do not \
                             allow (only tab, line feed, carriage return and U+0020 to U+00FF)",
                            s.escape_debug(),
                            u32::from(c)
                        ),
                    );
                }
            }
            Node::Array(items) => {
                for (i, n) in items.iter().enumerate() {
                    self.characters(n, &at.index(i));
                }
            }
            Node::Object(members) => {
                for (k, n) in members {
                    let here = at.key(k);
                    if let Some(c) = bad(k) {
                        self.push(
                            Severity::Error,
                            "invalid-character",
                            &here,
                            format!(
                                "the name `{}` contains the character U+{:04X}, which AWS \
                                 policies do not allow (only tab, line feed, carriage return \
                                 and U+0020 to U+00FF)",
                                k.escape_debug(),
                                u32::from(c)
                            ),
                        );
                    }
                    self.characters(n, &here);
                }
            }
            Node::Null | Node::Bool(_) | Node::Number(_) => {}
        }
    }

    // ---------------------------------------------------------------------------- statement

    fn statement(&mut self, s: &'a Statement) {
        let base = Pointer::root().key("Statement");
        let (at, node) = match child(Some(self.source), "Statement") {
            Some(Node::Array(items)) => (base.index(s.index), items.get(s.index)),
            other => (base, other),
        };
        let scope = self.scope(s);
        self.actions(s, &at, node);
        self.resources(s, &scope, &at, node);
        self.conditions(s, &scope, &at, node);
        self.use_rules(s, &at, node);
        self.broad_grants(s, &at);
        if self.aws() && !self.policy.variables_enabled() {
            self.literal_variables(s, &at, node);
        }
    }

    fn scope(&self, s: &Statement) -> Scope<'static> {
        let catalog = self.catalog;
        let Some(spec) = s.action.as_ref().filter(|a| !a.negated) else {
            return Scope { defs: Vec::new(), open: true };
        };
        let mut open = false;
        let mut patterns = Vec::new();
        for p in &spec.patterns {
            match p.as_str().split_once(':') {
                Some((service, _)) if service.eq_ignore_ascii_case(&catalog.service) => {
                    patterns.push(p)
                }
                Some((service, _)) => open |= service.contains(['*', '?']),
                None => open = true,
            }
        }
        let defs = catalog.actions.iter().filter(|a| patterns.iter().any(|p| hits(p, a))).collect();
        Scope { defs, open }
    }

    fn actions(&mut self, s: &Statement, at: &Pointer, node: Option<&Node>) {
        let Some(spec) = &s.action else { return };
        let name = if spec.negated { "NotAction" } else { "Action" };
        let el = at.key(name);
        let el_node = child(node, name);
        let catalog = self.catalog;
        for (i, p) in spec.patterns.iter().enumerate() {
            let here = item(&el, el_node, i);
            let text = p.as_str();
            let Some((service, _)) = text.split_once(':') else {
                continue;
            };
            if !service.eq_ignore_ascii_case(&catalog.service) {
                if !service.contains(['*', '?']) {
                    self.push(
                        Severity::Suggestion,
                        "action-not-in-catalog",
                        &here,
                        format!(
                            "action `{text}` belongs to the `{service}` service, which these \
                             checks do not cover; it was not validated"
                        ),
                    );
                }
                continue;
            }
            if p.has_wildcards() {
                if !catalog.actions.iter().any(|a| hits(p, a)) {
                    // Alibaba Cloud's own sample policies use `kms:Set*`, which nothing in its
                    // documented action table matches: that table is known to be partial.
                    let severity = if self.policy.dialect == Dialect::Alibaba {
                        Severity::Warning
                    } else {
                        Severity::Error
                    };
                    self.push(
                        severity,
                        "action-matches-nothing",
                        &here,
                        format!(
                            "action pattern `{text}` matches no action of the `{}` service; \
                             check its spelling",
                            catalog.service
                        ),
                    );
                }
            } else if catalog.action(text).is_none() {
                let names = catalog
                    .actions
                    .iter()
                    .flat_map(|a| std::iter::once(&a.name).chain(&a.aliases))
                    .map(String::as_str);
                self.push(
                    Severity::Error,
                    "unknown-action",
                    &here,
                    format!(
                        "unknown action `{text}`: the {} `{}` service has no such action{}",
                        cloud(self.policy.dialect),
                        catalog.service,
                        did_you_mean(nearest(text, names))
                    ),
                );
            }
        }
    }

    fn resources(&mut self, s: &Statement, scope: &Scope<'_>, at: &Pointer, node: Option<&Node>) {
        if scope.open {
            return;
        }
        // Huawei Cloud: no `Resource` means every resource.
        let Some(spec) = &s.resource else { return };
        if spec.negated {
            return;
        }
        let el = at.key("Resource");
        let el_node = child(node, "Resource");
        let has_wildcard = spec.patterns.iter().any(Pattern::is_match_all);

        // An action without resource-level permissions needs `*`.
        if !has_wildcard {
            if let Some(actions) = &s.action {
                let a_el = at.key("Action");
                let a_node = child(node, "Action");
                for (i, p) in actions.patterns.iter().enumerate() {
                    if p.has_wildcards() || !self.in_service(p.as_str()) {
                        continue;
                    }
                    let defs = self.catalog.actions_for(p.as_str());
                    if !defs.is_empty() && defs.iter().all(|a| a.resource_types.is_empty()) {
                        self.push(
                            Severity::Warning,
                            "action-needs-wildcard-resource",
                            &item(&a_el, a_node, i),
                            format!(
                                "action `{}` supports no resource-level permissions, so none of \
                                 the listed resources matches it; grant it in a statement with \
                                 `\"Resource\": \"*\"`",
                                p.as_str()
                            ),
                        );
                    }
                }
            }
        }

        // A resource of a type none of the actions takes.
        let scoped: Vec<&ActionDef> =
            scope.defs.iter().copied().filter(|a| !a.resource_types.is_empty()).collect();
        if scoped.is_empty() {
            return;
        }
        for (i, p) in spec.patterns.iter().enumerate() {
            if p.is_match_all() {
                continue;
            }
            let Some(t) = self.catalog.resource_type_of(p.as_str()) else {
                continue;
            };
            let taken = scoped.iter().any(|a| {
                a.resource_types.iter().any(|r| r.resource_type.eq_ignore_ascii_case(&t.name))
            });
            if !taken {
                let mut types: Vec<&str> = scoped
                    .iter()
                    .flat_map(|a| a.resource_types.iter().map(|r| r.resource_type.as_str()))
                    .collect();
                types.sort_unstable();
                types.dedup();
                let types: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
                self.push(
                    Severity::Warning,
                    "resource-type-mismatch",
                    &item(&el, el_node, i),
                    format!(
                        "resource `{}` is a `{}`, which none of this statement's actions takes \
                         (they take {}); the statement never applies to it",
                        p.as_str(),
                        t.name,
                        types.join(", ")
                    ),
                );
            }
        }
    }

    // --------------------------------------------------------------------------- conditions

    fn conditions(&mut self, s: &Statement, scope: &Scope<'_>, at: &Pointer, node: Option<&Node>) {
        let c_at = at.key("Condition");
        let c_node = child(node, "Condition");
        for c in &s.conditions {
            let op_at = c_at.key(&c.operator.name);
            let key_at = op_at.key(&c.key);
            let values_node = child(child(c_node, &c.operator.name), &c.key);
            self.condition(c, scope, &key_at, values_node);
        }
    }

    fn condition(&mut self, c: &Condition, scope: &Scope<'_>, at: &Pointer, values: Option<&Node>) {
        let dialect = self.policy.dialect;
        let Some((prefix, _)) = c.key.split_once(':') else {
            return;
        };
        let own_global = dialect.global_key_prefix().trim_end_matches(':');

        // A global key of another cloud.
        if let Some(other) = Dialect::ALL.iter().copied().find(|d| {
            *d != dialect
                && prefix.eq_ignore_ascii_case(d.global_key_prefix().trim_end_matches(':'))
        }) {
            let rest = &c.key[prefix.len() + 1..];
            let candidate = format!("{own_global}:{rest}");
            // The catalog's spelling, or for a template key the key as written.
            let suggestion =
                self.catalog.condition_key(&candidate).map(|def| match def.template_prefix() {
                    Some(_) => candidate.as_str(),
                    None => def.name.as_str(),
                });
            self.push(
                Severity::Error,
                "wrong-dialect-key",
                at,
                format!(
                    "condition key `{}` is a global key of {} policies; {} global keys start \
                     with `{}`{}",
                    c.key,
                    cloud(other),
                    cloud(dialect),
                    dialect.global_key_prefix(),
                    did_you_mean(suggestion)
                ),
            );
            return;
        }

        let is_global = prefix.eq_ignore_ascii_case(own_global);
        let is_service = prefix.eq_ignore_ascii_case(self.service());
        let Some(def) = self.catalog.condition_key(&c.key) else {
            if is_global || is_service {
                let names = self
                    .catalog
                    .condition_keys
                    .iter()
                    .chain(&self.catalog.global_condition_keys)
                    .map(|k| k.name.as_str());
                // The global key lists of Huawei Cloud and Alibaba Cloud are assembled from
                // several pages and known to be partial.
                let severity = if is_service || dialect == Dialect::Aws {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                self.push(
                    severity,
                    "unknown-condition-key",
                    at,
                    format!(
                        "unknown condition key `{}`: {} does not document it{}",
                        c.key,
                        cloud(dialect),
                        did_you_mean(nearest(&c.key, names))
                    ),
                );
            }
            return;
        };

        self.condition_types(c, def, at, values);
        self.condition_sets(c, def, at);
        if is_service && !is_global {
            self.condition_support(c, def, scope, at);
        }
    }

    fn condition_types(
        &mut self,
        c: &Condition,
        def: &ConditionKeyDef,
        at: &Pointer,
        values: Option<&Node>,
    ) {
        let op = &c.operator;
        let family = op.kind.family();
        let bad = c.ill_typed_values();
        for (i, raw) in c.raw_values.iter().enumerate() {
            if bad.contains(&raw.as_str()) {
                self.push(
                    Severity::Error,
                    "value-type-mismatch",
                    &item(at, values, i),
                    format!(
                        "value `{raw}` is not {}, so `{}` never matches it",
                        family_value(family),
                        op.name
                    ),
                );
            }
        }
        if !operator_fits(family, def) {
            self.push(
                Severity::Warning,
                "operator-type-mismatch",
                at,
                format!(
                    "condition key `{}` holds {} values, which `{}` does not compare; use {}",
                    c.key,
                    def.key_type,
                    op.name,
                    operators_for(def.key_type, self.policy.dialect)
                ),
            );
        }
    }

    fn condition_sets(&mut self, c: &Condition, def: &ConditionKeyDef, at: &Pointer) {
        let op = &c.operator;
        let base = op.name.split_once(':').map_or(op.name.as_str(), |(_, b)| b);
        match op.set {
            Some(set) if !def.multi_valued => {
                let key = c.key_lower.as_str();
                let kms_rejects = self.aws()
                    && set == SetOp::ForAllValues
                    && (key.starts_with("kms:encryptioncontext:")
                        || key.starts_with("aws:requesttag/"));
                if kms_rejects {
                    self.push(
                        Severity::Error,
                        "overly-permissive-condition",
                        at,
                        format!(
                            "`{}` on single-valued key `{}` also holds when the request has no \
                             such key; AWS KMS rejects it as an overly permissive condition: \
                             use `{base}`",
                            op.name, c.key
                        ),
                    );
                } else {
                    self.push(
                        Severity::Warning,
                        "set-operator-on-single-valued-key",
                        at,
                        format!(
                            "`{}` is meant for multivalued keys, but `{}` has one value per \
                             request; use `{base}`",
                            op.name, c.key
                        ),
                    );
                }
            }
            // Alibaba Cloud has no set operators to recommend.
            None if def.multi_valued
                && op.kind != OpKind::Null
                && self.policy.dialect != Dialect::Alibaba =>
            {
                self.push(
                    Severity::Warning,
                    "multivalued-key-without-set-operator",
                    at,
                    format!(
                        "condition key `{}` can have several values in a request; say how they \
                         are compared with `ForAllValues:{}` (every value) or `ForAnyValue:{}` \
                         (at least one)",
                        c.key, op.name, op.name
                    ),
                );
            }
            _ => {}
        }
    }

    fn condition_support(
        &mut self,
        c: &Condition,
        def: &ConditionKeyDef,
        scope: &Scope<'_>,
        at: &Pointer,
    ) {
        if scope.open || scope.defs.is_empty() {
            return;
        }
        let catalog = self.catalog;
        let supports = |a: &ActionDef| {
            catalog.applicable_condition_keys(a).iter().any(|k| k.eq_ignore_ascii_case(&def.name))
        };
        if scope.defs.iter().any(|a| supports(a)) {
            return;
        }
        let example = catalog.actions.iter().find(|a| supports(a)).map(|a| a.name.as_str());
        let hint = match example {
            Some(a) => format!("; it applies to actions such as `{a}`"),
            None => String::new(),
        };
        self.push(
            Severity::Warning,
            "condition-key-not-supported",
            at,
            format!(
                "none of this statement's actions supports condition key `{}`, so their \
                 requests never carry it{hint}",
                c.key
            ),
        );
    }

    /// AWS without `"Version": "2012-10-17"`: `${...}` is literal text.
    fn literal_variables(&mut self, s: &Statement, at: &Pointer, node: Option<&Node>) {
        let version = match self.policy.version.as_deref() {
            Some(v) => format!("under `Version` `{v}`"),
            None => "without `Version`".to_owned(),
        };
        let looks_like_variable = |t: &str| t.find("${").is_some_and(|i| t[i..].contains('}'));
        let message = |t: &str| {
            format!(
                "`{t}` is read as literal text {version}, not as a policy variable; policy \
                 variables need `\"Version\": \"2012-10-17\"`"
            )
        };
        let mut found = Vec::new();
        if let Some(spec) = &s.resource {
            let name = if spec.negated { "NotResource" } else { "Resource" };
            for (i, p) in spec.patterns.iter().enumerate() {
                if looks_like_variable(p.as_str()) {
                    found.push((item(&at.key(name), child(node, name), i), message(p.as_str())));
                }
            }
        }
        let c_node = child(node, "Condition");
        for c in &s.conditions {
            let key_at = at.key("Condition").key(&c.operator.name).key(&c.key);
            let values = child(child(c_node, &c.operator.name), &c.key);
            for (i, raw) in c.raw_values.iter().enumerate() {
                if looks_like_variable(raw) {
                    found.push((item(&key_at, values, i), message(raw)));
                }
            }
        }
        for (here, m) in found {
            self.push(Severity::Warning, "variables-not-supported", &here, m);
        }
    }

    // ------------------------------------------------------------------------ use and grants

    fn use_rules(&mut self, s: &Statement, at: &Pointer, node: Option<&Node>) {
        let u = self.policy_use;
        let principal_name = match &s.principal {
            Some(p) if p.negated => "NotPrincipal",
            _ => "Principal",
        };
        let p_at = at.key(principal_name);
        match u {
            PolicyUse::Resource => {
                if s.principal.is_none() {
                    self.push(
                        Severity::Error,
                        "missing-principal",
                        at,
                        "missing `Principal`: a statement of a key or secret policy must say whom \
                         it applies to"
                            .to_owned(),
                    );
                }
                if self.aws() {
                    self.key_policy_resources(s, at, node);
                }
            }
            PolicyUse::Rcp => {
                match &s.principal {
                    None => self.push(
                        Severity::Error,
                        "missing-principal",
                        at,
                        "missing `Principal`: a resource control policy statement must have \
                         `\"Principal\": \"*\"`"
                            .to_owned(),
                    ),
                    Some(p) if p.negated || p.entries.iter().any(|(_, v)| v != "*") => self.push(
                        Severity::Error,
                        "principal-not-allowed",
                        &p_at,
                        format!(
                            "a resource control policy takes only `\"Principal\": \"*\"`, not \
                             `{principal_name}` naming principals; narrow it with a `Condition` \
                             on `aws:PrincipalArn` or `aws:PrincipalAccount`"
                        ),
                    ),
                    Some(_) => {}
                }
                self.required_elements(s, at);
                if s.effect == Effect::Allow && !full_access_shape(s) {
                    self.push(
                        Severity::Warning,
                        "rcp-allow-not-full-access",
                        at,
                        "a resource control policy supports `Allow` only as in `RCPFullAWSAccess` \
                         (`Principal`, `Action` and `Resource` all `*`, no `Condition`); set \
                         limits with `Deny` statements"
                            .to_owned(),
                    );
                }
            }
            PolicyUse::Identity | PolicyUse::Scp | PolicyUse::Boundary | PolicyUse::Session => {
                if s.principal.is_some() {
                    self.push(
                        Severity::Error,
                        "principal-not-allowed",
                        &p_at,
                        format!(
                            "{} must not have `{principal_name}`: it applies to whoever it is \
                             attached to; remove the element",
                            u.use_phrase()
                        ),
                    );
                }
                self.required_elements(s, at);
            }
        }
    }

    /// `Action` and (outside Huawei Cloud, where it defaults to `*`) `Resource` are required.
    fn required_elements(&mut self, s: &Statement, at: &Pointer) {
        if s.action.is_none() {
            self.push(
                Severity::Error,
                "missing-action",
                at,
                "missing `Action` or `NotAction`: a policy statement must contain actions"
                    .to_owned(),
            );
        }
        if s.resource.is_none() && self.policy.dialect != Dialect::Huawei {
            self.push(
                Severity::Error,
                "missing-resource",
                at,
                "missing `Resource` or `NotResource`: a policy statement must contain resources"
                    .to_owned(),
            );
        }
    }

    /// AWS key and secret policies: `Resource` is `*` (the resource the policy is attached
    /// to), and a statement without `Action` or `Resource` is accepted but does nothing.
    fn key_policy_resources(&mut self, s: &Statement, at: &Pointer, node: Option<&Node>) {
        if s.action.is_none() || s.resource.is_none() {
            let missing = if s.action.is_none() { "`Action`" } else { "`Resource`" };
            self.push(
                Severity::Warning,
                "statement-has-no-effect",
                at,
                format!(
                    "this statement has no {missing}, so it never applies; add it (in a key \
                     policy, `\"Resource\": \"*\"`) or remove the statement"
                ),
            );
        }
        let Some(spec) = &s.resource else { return };
        let name = if spec.negated { "NotResource" } else { "Resource" };
        let el_node = child(node, name);
        for (i, p) in spec.patterns.iter().enumerate() {
            if spec.negated || !p.is_match_all() {
                self.push(
                    Severity::Warning,
                    "resource-not-wildcard",
                    &item(&at.key(name), el_node, i),
                    format!(
                        "in a key or secret policy `Resource` should be `*`, meaning the resource \
                         the policy is attached to; `{name}` `{}` is easy to get wrong",
                        p.as_str()
                    ),
                );
            }
        }
    }

    fn broad_grants(&mut self, s: &Statement, at: &Pointer) {
        if s.effect != Effect::Allow {
            return;
        }
        if s.action.as_ref().is_some_and(|a| a.negated) {
            self.push(
                Severity::Warning,
                "allow-with-not-action",
                &at.key("NotAction"),
                "`Allow` with `NotAction` allows every action not listed, of every service, \
                 including actions added later; list the allowed actions in `Action` instead"
                    .to_owned(),
            );
        }
        if s.resource.as_ref().is_some_and(|r| r.negated) {
            self.push(
                Severity::Warning,
                "allow-with-not-resource",
                &at.key("NotResource"),
                "`Allow` with `NotResource` allows every resource not listed, including \
                 resources created later; list the allowed resources in `Resource` instead"
                    .to_owned(),
            );
        }
        if s.principal.as_ref().is_some_and(|p| p.negated) {
            self.push(
                Severity::Warning,
                "allow-with-not-principal",
                &at.key("NotPrincipal"),
                "`Allow` with `NotPrincipal` allows everyone not listed, anonymous callers \
                 included; name the allowed principals in `Principal` instead"
                    .to_owned(),
            );
        }
        // Organization guardrails never grant; `RCPFullAWSAccess` is all wildcards by design.
        if matches!(self.policy_use, PolicyUse::Scp | PolicyUse::Rcp) {
            return;
        }
        let catalog = self.catalog;
        let all_actions = s.action.as_ref().is_some_and(|a| {
            !a.negated
                && a.patterns.iter().any(|p| {
                    p.is_match_all()
                        || (p.has_wildcards()
                            && catalog
                                .actions
                                .iter()
                                .all(|d| p.matches_plain(&d.name, Case::Insensitive)))
                })
        });
        let all_resources = match &s.resource {
            Some(r) => !r.negated && r.patterns.iter().any(Pattern::is_match_all),
            None => self.policy.dialect == Dialect::Huawei,
        };
        let everyone = s
            .principal
            .as_ref()
            .is_some_and(|p| !p.negated && p.entries.iter().any(|(_, v)| v == "*"));
        if all_actions && all_resources && everyone && s.conditions.is_empty() {
            self.push(
                Severity::Warning,
                "overly-permissive",
                at,
                format!(
                    "this statement allows every `{}` action on every resource to everyone \
                     (`Principal` `*`), with no condition; name the principals or add a \
                     condition",
                    catalog.service
                ),
            );
        }
    }
}

/// The one `Allow` statement an RCP may hold: `RCPFullAWSAccess`.
fn full_access_shape(s: &Statement) -> bool {
    let all = |negated: bool, patterns: &[Pattern]| {
        !negated && patterns.len() == 1 && patterns.iter().all(Pattern::is_match_all)
    };
    s.principal.as_ref().is_some_and(|p| {
        !p.negated && p.entries.len() == 1 && p.entries.iter().all(|(_, v)| v == "*")
    }) && s.action.as_ref().is_some_and(|a| all(a.negated, &a.patterns))
        && s.resource.as_ref().is_some_and(|r| all(r.negated, &r.patterns))
        && s.conditions.is_empty()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn run(dialect: Option<Dialect>, policy_use: PolicyUse, text: &str) -> Vec<Finding> {
        validate_text(text, &Options { dialect, policy_use })
    }

    fn identity(text: &str) -> Vec<Finding> {
        run(None, PolicyUse::Identity, text)
    }

    fn key_policy(text: &str) -> Vec<Finding> {
        run(None, PolicyUse::Resource, text)
    }

    fn has(findings: &[Finding], code: &str) -> bool {
        findings.iter().any(|f| f.code == code)
    }

    fn find<'f>(findings: &'f [Finding], code: &str) -> &'f Finding {
        findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("no `{code}` finding in {findings:#?}"))
    }

    fn no_errors(findings: &[Finding]) {
        let errors: Vec<&Finding> =
            findings.iter().filter(|f| f.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    }

    /// An AWS identity policy with one statement.
    fn aws_statement(statement: &str) -> String {
        format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#)
    }

    // ------------------------------------------------------------ real policies: no errors

    /// The default key policy AWS KMS gives a key created without one.
    const AWS_DEFAULT_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}"#;

    /// AWS KMS developer guide: read-only console access.
    const AWS_CONSOLE_READ_ONLY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadOnlyAccessForAllKMSKeysInAccount",
      "Effect": "Allow",
      "Action": [
        "kms:GetPublicKey",
        "kms:GetKeyRotationStatus",
        "kms:GetKeyPolicy",
        "kms:DescribeKey",
        "kms:ListKeyPolicies",
        "kms:ListResourceTags",
        "tag:GetResources"
      ],
      "Resource": "arn:aws:kms:*:111122223333:key/*"
    },
    {
      "Sid": "ReadOnlyAccessForOperationsWithNoKMSKey",
      "Effect": "Allow",
      "Action": [
        "kms:ListKeys",
        "kms:ListAliases",
        "iam:ListRoles",
        "iam:ListUsers"
      ],
      "Resource": "*"
    }
  ]
}"#;

    /// AWS KMS developer guide: create keys, tag keys, create aliases.
    const AWS_CREATE_KEYS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "IAMPermissionsForParticularKMSKeys",
      "Effect": "Allow",
      "Action": "kms:TagResource",
      "Resource": "arn:aws:kms:*:111122223333:key/*"
    },
    {
      "Sid": "IAMPermissionsForParticularAliases",
      "Effect": "Allow",
      "Action": "kms:CreateAlias",
      "Resource": "arn:aws:kms:*:111122223333:alias/*"
    },
    {
      "Sid": "IAMPermissionsForAllKMSKeys",
      "Effect": "Allow",
      "Action": [
        "kms:CreateKey",
        "kms:ListKeys",
        "kms:ListAliases"
      ],
      "Resource": "*"
    }
  ]
}"#;

    /// AWS KMS developer guide: deny disabling or deleting keys (a single statement object).
    const AWS_DENY_DISABLE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Deny",
    "Action": [
      "kms:DisableKey",
      "kms:ScheduleKeyDeletion"
    ],
    "Resource": "*"
  }
}"#;

    /// Alibaba Cloud KMS custom policies: encrypt with keys tagged `Project: Apollo`.
    const ALIBABA_TAGGED_KEYS: &str = r#"{
    "Version": "1",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:GenerateDataKey"
            ],
            "Resource": [
                "acs:kms:${region}:${account}:key/*"
            ],
            "Condition": {
                "StringEqualsIgnoreCase": {
                    "kms:tag/Project": [
                        "Apollo"
                    ]
                }
            }
        }
    ]
}"#;

    /// Alibaba Cloud KMS custom policies: manage keys.
    const ALIBABA_MANAGE_KEYS: &str = r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
                "kms:List*",
                "kms:Describe*",
                "kms:Create*",
                "kms:Enable*",
                "kms:Disable*",
                "kms:Get*",
                "kms:Set*",
                "kms:Update*",
                "kms:Delete*",
                "kms:Cancel*",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:TagResources",
                "kms:UntagResources",
                "kms:ImportKeyMaterial",
                "kms:ScheduleKeyDeletion"
      ],
      "Resource": [
        "acs:kms:${region}:${account}:key",
        "acs:kms:${region}:${account}:key/*",
        "acs:kms:${region}:${account}:alias",
        "acs:kms:${region}:${account}:alias/*"
      ]
    }
  ]
}"#;

    /// Alibaba Cloud KMS custom policies: source IP restriction, and reading one secret.
    const ALIBABA_SOURCE_IP: &str = r#"{
  "Version": "1",
  "Statement": [{
    "Effect": "Allow",
    "Action": [
      "kms:*"
    ],
    "Resource": [
      "*"
    ],
    "Condition": {
      "IpAddress": {
        "acs:SourceIp": [
          "192.168.0.0/16",
          "172.16.215.218"
        ]
      }
    }
  }]
}"#;

    const ALIBABA_SECRET_VALUE: &str = r#"{
    "Version": "1",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "kms:GetSecretValue",
            "Resource": "acs:kms:${region}:${account}:secret/example-secret"
        },
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "acs:kms:${region}:${account}:key/keyId-example"
        }
    ]
}"#;

    /// Huawei Cloud IAM 5.0: an identity policy with the documented actions, URNs and keys.
    const HUAWEI_CRYPTO: &str = r#"{
  "Version": "5.0",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "kms:cmk:encryptData",
        "kms:cmk:decryptData",
        "kms:cmk:createDataKey",
        "kms:cmk:get",
        "kms:cmk:list"
      ],
      "Resource": ["kms:cn-north-4:0970dd7a1300f5672ff2c003c60ae115:KeyId:*"],
      "Condition": {
        "StringEquals": {"g:ResourceTag/team": ["payments"]},
        "Bool": {"g:SecureTransport": ["true"]}
      }
    },
    {
      "Effect": "Allow",
      "Action": ["kms::generateRandom"]
    }
  ]
}"#;

    /// Huawei Cloud Organizations: an SCP in the documented shape.
    const HUAWEI_SCP: &str = r#"{
  "Version": "5.0",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": ["kms:cmk:scheduleKeyDeletion", "kms:cmk:disable"],
      "Resource": ["*"],
      "Condition": {"StringNotEquals": {"g:PrincipalTag/role": ["admin"]}}
    }
  ]
}"#;

    #[test]
    fn the_aws_default_key_policy_has_no_errors() {
        let findings = key_policy(AWS_DEFAULT_KEY_POLICY);
        no_errors(&findings);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn aws_documentation_examples_have_no_errors() {
        for text in [AWS_CONSOLE_READ_ONLY, AWS_CREATE_KEYS, AWS_DENY_DISABLE] {
            let findings = identity(text);
            no_errors(&findings);
            assert!(findings.iter().all(|f| f.severity == Severity::Suggestion), "{findings:#?}");
        }
    }

    #[test]
    fn alibaba_documentation_examples_have_no_errors() {
        for text in [ALIBABA_TAGGED_KEYS, ALIBABA_SOURCE_IP, ALIBABA_SECRET_VALUE] {
            let findings = identity(text);
            assert!(findings.is_empty(), "{findings:#?}");
        }
        // `kms:Set*` matches nothing in the documented action table: a warning only.
        let findings = identity(ALIBABA_MANAGE_KEYS);
        no_errors(&findings);
        let codes: Vec<(&str, &str)> =
            findings.iter().map(|f| (f.code, f.pointer.as_str())).collect();
        assert_eq!(codes, [("action-matches-nothing", "/Statement/0/Action/6")]);
    }

    #[test]
    fn huawei_policies_have_no_errors() {
        assert!(identity(HUAWEI_CRYPTO).is_empty(), "{:#?}", identity(HUAWEI_CRYPTO));
        let scp = run(None, PolicyUse::Scp, HUAWEI_SCP);
        assert!(scp.is_empty(), "{scp:#?}");
    }

    // ----------------------------------------------------------------- parsing and version

    #[test]
    fn syntax() {
        let f = identity(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "Decrypt", "Resource": "*"}]}"#,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "syntax");
        assert_eq!(f[0].pointer, "/Statement/0/Action");
        assert!(f[0].message.contains("prefaced by a vendor"));

        let f = identity("{not json");
        assert_eq!((f[0].code, f[0].pointer.as_str()), ("syntax", "/"));

        // An operator the dialect lacks: the parser's message names the dialect.
        let f = run(
            None,
            PolicyUse::Identity,
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"StringMatch": {"acs:SourceVpc": "vpc-1"}}}]}"#,
        );
        assert_eq!(f[0].code, "syntax");
        assert_eq!(f[0].pointer, "/Statement/0/Condition/StringMatch");
        assert!(f[0].message.contains("alibaba"));

        assert!(!has(&identity(AWS_DENY_DISABLE), "syntax"));
    }

    #[test]
    fn unknown_version() {
        let doc = r#"{"Version": "2020-01-01", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        let f = identity(doc);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].code, f[0].pointer.as_str()), ("unknown-version", "/Version"));
        let f = identity(r#"{"Statement": []}"#);
        assert_eq!((f[0].code, f[0].pointer.as_str()), ("unknown-version", "/"));

        // Named explicitly, a document without `Version` is AWS with 2008-10-17 rules.
        let f = run(
            Some(Dialect::Aws),
            PolicyUse::Identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#,
        );
        assert!(!has(&f, "unknown-version"));
        assert!(!has(&identity(AWS_DENY_DISABLE), "unknown-version"));
    }

    #[test]
    fn missing_version() {
        let doc =
            r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        let f = run(Some(Dialect::Aws), PolicyUse::Identity, doc);
        let m = find(&f, "missing-version");
        assert_eq!((m.severity, m.pointer.as_str()), (Severity::Warning, "/"));
        // Huawei Cloud and Alibaba Cloud require it: a parse error.
        let f = run(Some(Dialect::Alibaba), PolicyUse::Identity, doc);
        assert_eq!(f[0].code, "syntax");
        assert!(!has(&identity(AWS_DENY_DISABLE), "missing-version"));
    }

    #[test]
    fn unsupported_version() {
        let rcp = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;
        let f = run(None, PolicyUse::Rcp, rcp);
        assert_eq!(find(&f, "unsupported-version").pointer, "/Version");
        assert!(!has(
            &run(None, PolicyUse::Identity, rcp.replace("\"Principal\": \"*\", ", "").as_str()),
            "unsupported-version"
        ));
    }

    #[test]
    fn variables_not_supported() {
        let stmt = r#"{"Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": ["arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:*:111122223333:key/${aws:username}"],
            "Condition": {"StringEquals": {"kms:EncryptionContext:user": "${aws:username}"}}}"#;
        let old = format!(r#"{{"Version": "2008-10-17", "Statement": [{stmt}]}}"#);
        let f = identity(&old);
        let pointers: Vec<&str> = f
            .iter()
            .filter(|f| f.code == "variables-not-supported")
            .map(|f| f.pointer.as_str())
            .collect();
        assert_eq!(
            pointers,
            [
                "/Statement/0/Condition/StringEquals/kms:EncryptionContext:user",
                "/Statement/0/Resource/1"
            ]
        );
        assert!(!has(&identity(&aws_statement(stmt)), "variables-not-supported"));
    }

    // ------------------------------------------------------------------------------ actions

    #[test]
    fn unknown_action() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrpyt"], "Resource": "*"}"#,
        ));
        let u = find(&f, "unknown-action");
        assert_eq!((u.severity, u.pointer.as_str()), (Severity::Error, "/Statement/0/Action/1"));
        assert!(u.message.contains("did you mean `kms:Decrypt`?"), "{}", u.message);
        // Case does not matter; Huawei Cloud legacy aliases are actions too.
        assert!(!has(
            &identity(&aws_statement(
                r#"{"Effect": "Allow", "Action": "KMS:decrypt", "Resource": "*"}"#
            )),
            "unknown-action"
        ));
        let huawei = r#"{"Version": "5.0", "Statement": [{"Effect": "Allow", "Action": ["kms:cmk:crypto", "kms:cmk:fly"]}]}"#;
        let f = identity(huawei);
        assert_eq!(find(&f, "unknown-action").pointer, "/Statement/0/Action/1");
        assert_eq!(f.iter().filter(|f| f.code == "unknown-action").count(), 1);
    }

    #[test]
    fn action_matches_nothing() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Frobnicate*", "Resource": "*"}"#,
        ));
        assert_eq!(find(&f, "action-matches-nothing").pointer, "/Statement/0/Action");
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["kms:Generate*", "kms:?ecrypt"], "Resource": "*"}"#,
        ));
        assert!(!has(&f, "action-matches-nothing"));
    }

    #[test]
    fn action_not_in_catalog() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}"#,
        ));
        let s = find(&f, "action-not-in-catalog");
        assert_eq!(
            (s.severity, s.pointer.as_str()),
            (Severity::Suggestion, "/Statement/0/Action/0")
        );
        assert!(!has(&f, "unknown-action"));
        assert!(!has(
            &identity(&aws_statement(
                r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}"#
            )),
            "action-not-in-catalog"
        ));
    }

    // --------------------------------------------------------------------------- conditions

    #[test]
    fn condition_key_not_supported() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"kms:GrantOperations": "Decrypt"}}}"#,
        ));
        let w = find(&f, "condition-key-not-supported");
        assert_eq!(
            w.pointer,
            "/Statement/0/Condition/ForAnyValue:StringEquals/kms:GrantOperations"
        );
        assert!(w.message.contains("`kms:CreateGrant`"), "{}", w.message);
        // Supported by one of the actions; a template key; a global key; a resource-type key.
        let quiet = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:CreateGrant"], "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"kms:GrantOperations": "Decrypt"},
                              "StringEquals": {"kms:EncryptionContext:Dept": "IT", "aws:PrincipalAccount": "111122223333",
                                               "kms:KeySpec": "SYMMETRIC_DEFAULT"}}}"#,
        ));
        assert!(quiet.is_empty(), "{quiet:#?}");
    }

    #[test]
    fn unknown_condition_key() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionAlgoritm": "RSAES_OAEP_SHA_256", "aws:SourceVpcee": "vpce-1"}}}"#,
        ));
        let keys: Vec<&Finding> = f.iter().filter(|f| f.code == "unknown-condition-key").collect();
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|k| k.severity == Severity::Error));
        assert!(
            keys[1].message.contains("did you mean `kms:EncryptionAlgorithm`?"),
            "{}",
            keys[1].message
        );
        // Keys of other services are not this catalog's business.
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"StringEquals": {"s3:prefix": "home/", "kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}}"#,
        ));
        assert!(!has(&f, "unknown-condition-key"), "{f:#?}");
        // The global key lists of Huawei Cloud and Alibaba Cloud are partial: a warning.
        let f = identity(
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
                "Resource": "*", "Condition": {"StringEquals": {"acs:PrincipalARN": "x"}}}]}"#,
        );
        assert_eq!(find(&f, "unknown-condition-key").severity, Severity::Warning);
    }

    #[test]
    fn wrong_dialect_key() {
        let doc = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"#;
        let f = identity(doc);
        let e = find(&f, "wrong-dialect-key");
        assert_eq!(e.pointer, "/Statement/0/Condition/IpAddress/aws:SourceIp");
        assert!(e.message.contains("did you mean `acs:SourceIp`?"), "{}", e.message);
        let f = identity(&doc.replace("aws:SourceIp", "g:sourceip"));
        let e = find(&f, "wrong-dialect-key");
        assert!(e.message.contains("did you mean `acs:SourceIp`?"), "{}", e.message);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(!has(&identity(&doc.replace("aws:SourceIp", "acs:SourceIp")), "wrong-dialect-key"));
    }

    #[test]
    fn value_type_mismatch() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "intranet"]},
                              "Bool": {"aws:SecureTransport": "yes"}}}"#,
        ));
        let pointers: Vec<&str> = f
            .iter()
            .filter(|f| f.code == "value-type-mismatch")
            .map(|f| f.pointer.as_str())
            .collect();
        assert_eq!(
            pointers,
            [
                "/Statement/0/Condition/Bool/aws:SecureTransport",
                "/Statement/0/Condition/IpAddress/aws:SourceIp/1"
            ]
        );
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": true},
                              "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn operator_type_mismatch() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"StringLike": {"aws:SourceIp": "10.*"}, "NumericEquals": {"kms:EncryptionAlgorithm": "1"}}}"#,
        ));
        let w: Vec<&str> = f
            .iter()
            .filter(|f| f.code == "operator-type-mismatch")
            .map(|f| f.pointer.as_str())
            .collect();
        assert_eq!(
            w,
            [
                "/Statement/0/Condition/NumericEquals/kms:EncryptionAlgorithm",
                "/Statement/0/Condition/StringLike/aws:SourceIp"
            ]
        );
        assert!(f.iter().all(|f| f.severity == Severity::Warning));
        // ARN keys take string operators; epoch keys take numeric ones; `Null` takes any key.
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:ImportKeyMaterial", "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"},
                              "NumericLessThanEquals": {"kms:ValidTo": "1700000000"},
                              "Null": {"aws:SourceIp": "false"}}}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn set_operator_on_single_valued_key() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}}"#,
        ));
        let w = find(&f, "set-operator-on-single-valued-key");
        assert!(w.message.contains("use `StringEquals`"), "{}", w.message);
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "Dept"}}}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn multivalued_key_without_set_operator() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionContextKeys": "Dept"}}}"#,
        ));
        assert!(has(&f, "multivalued-key-without-set-operator"));
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"Null": {"kms:EncryptionContextKeys": "false"}}}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn overly_permissive_condition() {
        let f = key_policy(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:Dept": "IT"}}}]}"#,
        );
        let e = find(&f, "overly-permissive-condition");
        assert_eq!(e.severity, Severity::Error);
        assert!(!has(&f, "set-operator-on-single-valued-key"));
        let f = key_policy(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionContext:Dept": "IT"}}}]}"#,
        );
        assert!(f.is_empty(), "{f:#?}");
    }

    // ---------------------------------------------------------------------------- resources

    #[test]
    fn resource_type_mismatch() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
                "Resource": ["arn:aws:kms:us-west-2:111122223333:key/*", "arn:aws:kms:us-west-2:111122223333:alias/app"]}"#,
        ));
        let w = find(&f, "resource-type-mismatch");
        assert_eq!(
            (w.severity, w.pointer.as_str()),
            (Severity::Warning, "/Statement/0/Resource/1")
        );
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["kms:CreateAlias"],
                "Resource": ["arn:aws:kms:us-west-2:111122223333:key/*", "arn:aws:kms:us-west-2:111122223333:alias/app"]}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn action_needs_wildcard_resource() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:CreateKey"], "Resource": "arn:aws:kms:*:111122223333:key/*"}"#,
        ));
        assert_eq!(find(&f, "action-needs-wildcard-resource").pointer, "/Statement/0/Action/1");
        assert!(!has(&f, "resource-type-mismatch"));
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    // ------------------------------------------------------------------------ policy use

    #[test]
    fn missing_principal() {
        let doc = aws_statement(r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}"#);
        let f = key_policy(&doc);
        let e = find(&f, "missing-principal");
        assert_eq!((e.severity, e.pointer.as_str()), (Severity::Error, "/Statement/0"));
        assert!(!has(&key_policy(AWS_DEFAULT_KEY_POLICY), "missing-principal"));
    }

    #[test]
    fn resource_not_wildcard() {
        let f = key_policy(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}"#,
        );
        let w = find(&f, "resource-not-wildcard");
        assert_eq!((w.severity, w.pointer.as_str()), (Severity::Warning, "/Statement/0/Resource"));
        assert!(!has(&key_policy(AWS_DEFAULT_KEY_POLICY), "resource-not-wildcard"));
    }

    #[test]
    fn statement_has_no_effect() {
        let f = key_policy(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt"}]}"#,
        );
        let w = find(&f, "statement-has-no-effect");
        assert_eq!((w.severity, w.pointer.as_str()), (Severity::Warning, "/Statement/0"));
        assert!(!has(&f, "missing-resource"));
        assert!(!has(&key_policy(AWS_DEFAULT_KEY_POLICY), "statement-has-no-effect"));
    }

    #[test]
    fn principal_not_allowed() {
        let f = identity(AWS_DEFAULT_KEY_POLICY);
        let e = find(&f, "principal-not-allowed");
        assert_eq!((e.severity, e.pointer.as_str()), (Severity::Error, "/Statement/0/Principal"));
        // An RCP takes `"Principal": "*"` only.
        let rcp = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-123"}}}]}"#;
        assert!(run(None, PolicyUse::Rcp, rcp).is_empty(), "{:#?}", run(None, PolicyUse::Rcp, rcp));
        let named = rcp.replace(r#""Principal": "*""#, r#""Principal": {"AWS": "111122223333"}"#);
        assert!(has(&run(None, PolicyUse::Rcp, &named), "principal-not-allowed"));
        assert!(!has(&identity(AWS_DENY_DISABLE), "principal-not-allowed"));
    }

    #[test]
    fn missing_action_and_resource() {
        let f = identity(&aws_statement(r#"{"Effect": "Allow", "Resource": "*"}"#));
        assert_eq!(find(&f, "missing-action").pointer, "/Statement/0");
        let f =
            run(None, PolicyUse::Scp, &aws_statement(r#"{"Effect": "Deny", "Action": "kms:*"}"#));
        assert_eq!(find(&f, "missing-resource").pointer, "/Statement/0");
        // Huawei Cloud: no `Resource` means every resource.
        assert!(!has(&identity(HUAWEI_CRYPTO), "missing-resource"));
        assert!(!has(&identity(AWS_DENY_DISABLE), "missing-action"));
    }

    #[test]
    fn policy_too_large() {
        let actions: Vec<String> = (0..500).map(|_| "\"kms:Decrypt\"".to_owned()).collect();
        let doc = aws_statement(&format!(
            r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#,
            actions.join(", ")
        ));
        assert!(Sizes::of_text(&doc).compact_chars > 6_144);
        let f = identity(&doc);
        assert_eq!(find(&f, "policy-too-large").pointer, "/");
        // A key policy may hold 32 KiB, whitespace included.
        assert!(!has(
            &key_policy(&doc.replace("\"Effect\"", "\"Principal\": \"*\", \"Effect\"")),
            "policy-too-large"
        ));
        // Whitespace does not count for identity policies.
        let padded = AWS_CREATE_KEYS.replace("  ", &" ".repeat(200));
        assert!(padded.len() > 6_144);
        assert!(!has(&identity(&padded), "policy-too-large"));
        assert!(has(&run(None, PolicyUse::Scp, &padded), "policy-too-large"));
        // The estimate from a parsed policy agrees with the text.
        let policy = Policy::parse(Dialect::Aws, &doc).unwrap();
        assert!(has(&validate(&policy, doc.len(), &Options::default()), "policy-too-large"));
    }

    #[test]
    fn rcp_allow_not_full_access() {
        let full = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#;
        assert!(run(None, PolicyUse::Rcp, full).is_empty());
        let narrowed = full.replace(r#""Action": "*""#, r#""Action": "kms:*""#);
        let f = run(None, PolicyUse::Rcp, &narrowed);
        assert_eq!(find(&f, "rcp-allow-not-full-access").severity, Severity::Warning);
    }

    #[test]
    fn invalid_character() {
        let f = identity(&aws_statement(
            r#"{"Sid": "Allow\u2013decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}"#,
        ));
        let e = find(&f, "invalid-character");
        assert_eq!((e.severity, e.pointer.as_str()), (Severity::Error, "/Statement/0/Sid"));
        assert!(e.message.contains("U+2013"));
        // Latin-1 is fine; other dialects are not held to it.
        assert!(
            identity(&aws_statement(
                r#"{"Sid": "Café", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}"#
            ))
            .is_empty()
        );
        let huawei = r#"{"Version": "5.0", "Statement": [{"Sid": "加密", "Effect": "Allow", "Action": ["kms:cmk:encryptData"]}]}"#;
        assert!(identity(huawei).is_empty());
    }

    // ---------------------------------------------------------------------- broad grants

    #[test]
    fn overly_permissive() {
        let open = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}"#;
        let f = key_policy(open);
        assert_eq!(find(&f, "overly-permissive").pointer, "/Statement/0");
        let conditioned = open.replace(
            r#""Resource": "*""#,
            r#""Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}"#,
        );
        assert!(key_policy(&conditioned).is_empty(), "{:#?}", key_policy(&conditioned));
        assert!(key_policy(AWS_DEFAULT_KEY_POLICY).is_empty());
    }

    #[test]
    fn allow_with_not_action() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "NotAction": "kms:ScheduleKeyDeletion", "Resource": "*"}"#,
        ));
        assert_eq!(find(&f, "allow-with-not-action").pointer, "/Statement/0/NotAction");
        let f = identity(&aws_statement(
            r#"{"Effect": "Deny", "NotAction": "kms:Decrypt", "Resource": "*"}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn allow_with_not_resource() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": "arn:aws:kms:*:111122223333:key/secret-key"}"#,
        ));
        assert_eq!(find(&f, "allow-with-not-resource").pointer, "/Statement/0/NotResource");
        let f = identity(&aws_statement(
            r#"{"Effect": "Deny", "Action": "kms:Decrypt", "NotResource": "arn:aws:kms:*:111122223333:key/*"}"#,
        ));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn allow_with_not_principal() {
        let doc = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        let f = key_policy(doc);
        assert_eq!(find(&f, "allow-with-not-principal").pointer, "/Statement/0/NotPrincipal");
        assert!(key_policy(&doc.replace("Allow", "Deny")).is_empty());
    }

    // ------------------------------------------------------------------------- the report

    #[test]
    fn findings_are_sorted_by_pointer_then_severity() {
        let statements: Vec<String> = (0..11)
            .map(|i| format!(r#"{{"Sid": "S{i}", "Effect": "Allow", "Action": "kms:Decrpyt", "Resource": "*"}}"#))
            .collect();
        let doc = format!(r#"{{"Statement": [{}]}}"#, statements.join(","));
        let f = run(Some(Dialect::Aws), PolicyUse::Identity, &doc);
        let pointers: Vec<&str> = f.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers[0], "/");
        assert_eq!(pointers[1], "/Statement/0/Action");
        assert_eq!(pointers[3], "/Statement/2/Action");
        assert_eq!(pointers[11], "/Statement/10/Action");
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"ForAnyValue:NumericEquals": {"kms:EncryptionAlgorithm": "x"}}}"#,
        ));
        let severities: Vec<Severity> = f.iter().map(|f| f.severity).collect();
        assert!(severities.windows(2).all(|w| w[0] <= w[1]), "{f:#?}");
    }

    #[test]
    fn findings_serialize_with_lowercase_severity() {
        let f = identity(&aws_statement(
            r#"{"Effect": "Allow", "Action": "kms:Decrpyt", "Resource": "*"}"#,
        ));
        let json = serde_json::to_value(&f[0]).unwrap();
        assert_eq!(json["severity"], "error");
        assert_eq!(json["code"], "unknown-action");
        assert_eq!(json["pointer"], "/Statement/0/Action");
    }
}
