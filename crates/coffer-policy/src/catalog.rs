//! The action, resource-type and condition-key catalogs of the three dialects.
//!
//! Owns: the catalog data files (`catalog/aws.toml`, `catalog/huawei.toml`,
//! `catalog/aliyun.toml`, built from each cloud's KMS authorization documentation and embedded at
//! build time), their typed model, and the lookups that validation and decisions build on: an
//! action by name or legacy alias, a condition key by name or by template
//! (`kms:EncryptionContext:${EncryptionContextKey}` answers for `kms:EncryptionContext:Dept`), the
//! resource type a concrete ARN/URN names, and the API operations each action authorises.
//!
//! Never: decide anything, expand policy wildcards, or know an action, resource type or condition
//! key that the clouds' documentation does not list. The catalogs are data: a fact about a cloud
//! is changed in its TOML file (citing the documentation table it came from), never in code. No
//! I/O happens at run time; each catalog is parsed once, on first use.
//!
//! Placeholders in names and patterns keep each cloud's own spelling: `${...}` (AWS, Alibaba
//! Cloud ARNs) or `<...>` (Huawei Cloud URNs, `g:ResourceTag/<tag-key>`, `kms:tag/<tag-key>`).
//! Both spellings are understood wherever a placeholder is matched.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Dialect;

const AWS_TOML: &str = include_str!("../catalog/aws.toml");
const HUAWEI_TOML: &str = include_str!("../catalog/huawei.toml");
const ALIBABA_TOML: &str = include_str!("../catalog/aliyun.toml");

/// Everything one dialect's documentation says about the KMS service: actions, resource types,
/// condition keys (the service's own and the dialect's global ones) and API operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The dialect this catalog belongs to.
    pub dialect: Dialect,
    /// The service prefix of the actions (`kms`).
    pub service: String,
    /// Every action, in the order of the documentation's tables.
    pub actions: Vec<ActionDef>,
    /// Every resource type with its ARN/URN pattern.
    pub resource_types: Vec<ResourceTypeDef>,
    /// The service's own condition keys (AWS also lists its tag keys `aws:RequestTag/${TagKey}`,
    /// `aws:ResourceTag/${TagKey}` and `aws:TagKeys` here, as its reference does).
    pub condition_keys: Vec<ConditionKeyDef>,
    /// The dialect's global condition keys (`aws:*`, `g:*`, `acs:*`).
    pub global_condition_keys: Vec<ConditionKeyDef>,
    /// The API operations and the actions each requires (Huawei Cloud and Alibaba Cloud; the AWS
    /// reference names actions after their operations and has no such table).
    pub apis: Vec<ApiDef>,
}

/// One action of a policy's `Action` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    /// The full action name, e.g. `kms:Decrypt`, `kms:cmk:decryptData`, `kms::generateRandom`.
    pub name: String,
    /// The documentation's access-level classification.
    pub access_level: AccessLevel,
    /// The resource types the action can be scoped to; empty when the action supports no
    /// resource-level permission (its statements must use `"*"`).
    #[serde(default)]
    pub resource_types: Vec<ResourceRef>,
    /// The condition keys the action supports itself (keys of its resource types come on top, see
    /// [`Catalog::applicable_condition_keys`]).
    #[serde(default)]
    pub condition_keys: Vec<String>,
    /// Further actions a caller must also be allowed for the operation to succeed, possibly of
    /// other services (`iam:CreateServiceLinkedRole`).
    #[serde(default)]
    pub dependent_actions: Vec<String>,
    /// Legacy names that grant this action too (Huawei Cloud's Alias column, e.g.
    /// `kms:cmk:update`). One alias may grant several actions, see [`Catalog::actions_for`].
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The access level the documentation assigns to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads a resource or its metadata.
    Read,
    /// Creates, changes, deletes or uses a resource.
    Write,
    /// Changes who may do what (grants, key policies).
    PermissionsManagement,
    /// Adds or removes tags.
    Tagging,
}

impl AccessLevel {
    /// The level as the AWS reference spells it (`Permissions management`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource type an action can be scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    /// The name of a [`ResourceTypeDef`] of the same catalog.
    pub resource_type: String,
    /// Whether a statement that names resources for this action must name one of this type
    /// (the documentation's `*`). Optional types are alternatives to each other.
    pub required: bool,
}

/// A resource type and the shape of its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceTypeDef {
    /// The documentation's name of the type (`key`, `KeyId`, `Key container`).
    pub name: String,
    /// The ARN/URN pattern with placeholders, e.g.
    /// `arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}`.
    pub pattern: String,
    /// Condition keys that describe resources of this type (`aws:ResourceTag/${TagKey}`); they
    /// apply to every action scoped to the type.
    #[serde(default)]
    pub condition_keys: Vec<String>,
}

impl ResourceTypeDef {
    /// Whether the concrete `resource` name has this type's pattern. A placeholder matches any
    /// non-empty run of characters without `:`; the last placeholder may contain `/`, the others
    /// may not. Literal parts compare case-sensitively, as ARNs do.
    pub fn matches(&self, resource: &str) -> bool {
        match_pattern(&pattern_parts(&self.pattern), resource)
    }
}

/// A condition key and the type of its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionKeyDef {
    /// The key name; a trailing placeholder makes it a template
    /// (`aws:ResourceTag/${TagKey}`, `kms:tag/<tag-key>`).
    pub name: String,
    /// The type of the key's values, which decides the condition operators that fit it.
    pub key_type: KeyType,
    /// Whether a request can carry several values for the key (`ArrayOfString`, "Multivalued"),
    /// the keys the `ForAllValues:`/`ForAnyValue:` operators are meant for.
    pub multi_valued: bool,
}

impl ConditionKeyDef {
    /// For a template key, the literal part before its trailing placeholder
    /// (`kms:EncryptionContext:` for `kms:EncryptionContext:${EncryptionContextKey}`).
    pub fn template_prefix(&self) -> Option<&str> {
        template_prefix(&self.name)
    }

    /// Whether `key` (as written in a policy) is this key: the same name, ignoring ASCII case, or
    /// for a template the template's prefix (ignoring case) followed by a non-empty rest.
    pub fn matches(&self, key: &str) -> bool {
        if self.name.eq_ignore_ascii_case(key) {
            return true;
        }
        self.template_prefix()
            .is_some_and(|prefix| key.len() > prefix.len() && starts_with_ignore_case(key, prefix))
    }
}

/// The type of a condition key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyType {
    /// Text (`String*` operators); `ArrayOfString` keys are `String` and multivalued.
    String,
    /// An ARN (`Arn*` operators, and `String*` operators).
    Arn,
    /// `true` or `false` (`Bool`).
    Bool,
    /// A number (`Numeric*`, Huawei Cloud `Number*`).
    Numeric,
    /// A date and time (`Date*`).
    Date,
    /// An IP address (`IpAddress`, `NotIpAddress`).
    IpAddress,
    /// Base64-encoded bytes (`BinaryEquals`).
    Binary,
}

impl KeyType {
    /// The type's name as the AWS reference spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::Arn => "ARN",
            KeyType::Bool => "Bool",
            KeyType::Numeric => "Numeric",
            KeyType::Date => "Date",
            KeyType::IpAddress => "IPAddress",
            KeyType::Binary => "Binary",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API operation of the service and the actions a caller needs for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiDef {
    /// The operation: its name (`GetSecretValue`), or for a REST API without one the method and
    /// path as documented (`POST /v1.0/{project_id}/kms/create-key`).
    pub operation: String,
    /// The HTTP method, for REST APIs.
    #[serde(default)]
    pub method: Option<String>,
    /// The URL path template, for REST APIs.
    #[serde(default)]
    pub path: Option<String>,
    /// The actions every call of the operation requires.
    pub actions: Vec<String>,
    /// The resource types the operation acts on, when the documentation names them (names of
    /// [`ResourceTypeDef`]s); otherwise those of its actions apply.
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Actions required only in some cases, which [`ApiDef::note`] describes (Alibaba Cloud's
    /// `kms:Decrypt` for GetSecretValue when the secret is encrypted under a user-managed key).
    #[serde(default)]
    pub conditional_actions: Vec<String>,
    /// The documentation's remark on the operation's permissions, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a catalog file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The text is not TOML of the catalog's shape.
    #[error("catalog is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    /// The entries contradict each other (an unknown resource type, an undefined condition key...).
    #[error("{dialect} catalog is inconsistent: {problem}")]
    Inconsistent {
        /// The catalog's dialect.
        dialect: Dialect,
        /// What is wrong.
        problem: String,
    },
}

/// The on-disk shape: every list comes in sections, each citing its documentation table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    dialect: Dialect,
    service: String,
    actions: Vec<Section<ActionDef>>,
    resource_types: Vec<Section<ResourceTypeDef>>,
    condition_keys: Vec<Section<ConditionKeyDef>>,
    global_condition_keys: Vec<Section<ConditionKeyDef>>,
    #[serde(default)]
    apis: Vec<Section<ApiDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section<T> {
    source: String,
    entries: Vec<T>,
}

impl Catalog {
    /// The embedded catalog of dialect `d`, parsed on first use.
    pub fn for_dialect(d: Dialect) -> &'static Catalog {
        static AWS: OnceLock<Catalog> = OnceLock::new();
        static HUAWEI: OnceLock<Catalog> = OnceLock::new();
        static ALIBABA: OnceLock<Catalog> = OnceLock::new();
        match d {
            Dialect::Aws => AWS.get_or_init(|| embedded(AWS_TOML)),
            Dialect::Huawei => HUAWEI.get_or_init(|| embedded(HUAWEI_TOML)),
            Dialect::Alibaba => ALIBABA.get_or_init(|| embedded(ALIBABA_TOML)),
        }
    }

    /// Parses a catalog file and checks that its entries are consistent: unique action names,
    /// every referenced resource type, condition key and action of the service defined, every
    /// section citing its source.
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = toml::from_str(text)?;
        let dialect = file.dialect;
        let problem = |problem: String| CatalogError::Inconsistent { dialect, problem };
        let sections = [
            ("actions", file.actions.iter().map(|s| s.source.as_str()).collect::<Vec<_>>()),
            ("resource_types", file.resource_types.iter().map(|s| s.source.as_str()).collect()),
            ("condition_keys", file.condition_keys.iter().map(|s| s.source.as_str()).collect()),
            (
                "global_condition_keys",
                file.global_condition_keys.iter().map(|s| s.source.as_str()).collect(),
            ),
            ("apis", file.apis.iter().map(|s| s.source.as_str()).collect()),
        ];
        for (name, sources) in sections {
            if sources.iter().any(|s| s.trim().is_empty()) {
                return Err(problem(format!("a `{name}` section has an empty source")));
            }
        }
        let catalog = Catalog {
            dialect,
            service: file.service,
            actions: flatten(file.actions),
            resource_types: flatten(file.resource_types),
            condition_keys: flatten(file.condition_keys),
            global_condition_keys: flatten(file.global_condition_keys),
            apis: flatten(file.apis),
        };
        catalog.check().map_err(problem)?;
        Ok(catalog)
    }

    /// The action named `name` (ignoring ASCII case), or else the first action that has `name`
    /// as a legacy alias.
    pub fn action(&self, name: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.name.eq_ignore_ascii_case(name)).or_else(|| {
            self.actions.iter().find(|a| a.aliases.iter().any(|x| x.eq_ignore_ascii_case(name)))
        })
    }

    /// Every action that `name` grants: the action of that name, or all actions that have it as
    /// a legacy alias (Huawei Cloud's `kms:cmk:update` grants four). Ignores ASCII case.
    pub fn actions_for(&self, name: &str) -> Vec<&ActionDef> {
        self.actions
            .iter()
            .filter(|a| {
                a.name.eq_ignore_ascii_case(name)
                    || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(name))
            })
            .collect()
    }

    /// The resource type named `name` (ignoring ASCII case).
    pub fn resource_type(&self, name: &str) -> Option<&ResourceTypeDef> {
        self.resource_types.iter().find(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// The definition of the condition key `key` as written in a policy, among the service's and
    /// the dialect's global keys, ignoring ASCII case. An exact name wins; otherwise the template
    /// with the longest prefix that `key` extends (`aws:ResourceTag/Project` is
    /// `aws:ResourceTag/${TagKey}`).
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKeyDef> {
        let all = || self.condition_keys.iter().chain(&self.global_condition_keys);
        all().find(|k| k.name.eq_ignore_ascii_case(key)).or_else(|| {
            all().filter(|k| k.matches(key)).max_by_key(|k| k.template_prefix().map_or(0, str::len))
        })
    }

    /// The resource type whose pattern the concrete ARN/URN `resource` has, e.g. `key` for
    /// `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`. See
    /// [`ResourceTypeDef::matches`].
    pub fn resource_type_of(&self, resource: &str) -> Option<&ResourceTypeDef> {
        self.resource_types.iter().find(|r| r.matches(resource))
    }

    /// The API operation `operation` (ignoring ASCII case): its name, or for REST APIs its
    /// method and path as documented.
    pub fn api(&self, operation: &str) -> Option<&ApiDef> {
        self.apis.iter().find(|a| a.operation.eq_ignore_ascii_case(operation))
    }

    /// Every API operation that requires `action` (always or conditionally).
    pub fn apis_for_action(&self, action: &str) -> Vec<&ApiDef> {
        self.apis
            .iter()
            .filter(|a| {
                a.actions
                    .iter()
                    .chain(&a.conditional_actions)
                    .any(|x| x.eq_ignore_ascii_case(action))
            })
            .collect()
    }

    /// The names of the service condition keys that apply to `action`: its own keys, then those
    /// of its resource types not already listed. Global keys apply to every action and are not
    /// repeated here.
    pub fn applicable_condition_keys<'a>(&'a self, action: &'a ActionDef) -> Vec<&'a str> {
        let mut keys: Vec<&str> = action.condition_keys.iter().map(String::as_str).collect();
        let of_types = action
            .resource_types
            .iter()
            .filter_map(|r| self.resource_type(&r.resource_type))
            .flat_map(|t| t.condition_keys.iter().map(String::as_str));
        for key in of_types {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                keys.push(key);
            }
        }
        keys
    }

    /// The first contradiction between the catalog's entries, if any.
    fn check(&self) -> Result<(), String> {
        let prefix = format!("{}:", self.service);
        let defined_key = |name: &str| {
            self.condition_keys
                .iter()
                .chain(&self.global_condition_keys)
                .any(|k| k.name.eq_ignore_ascii_case(name))
        };
        let defined_action =
            |name: &str| self.actions.iter().any(|a| a.name.eq_ignore_ascii_case(name));
        for (i, a) in self.actions.iter().enumerate() {
            if !starts_with_ignore_case(&a.name, &prefix) {
                return Err(format!("action {} lacks the service prefix {prefix}", a.name));
            }
            if self.actions.iter().skip(i + 1).any(|b| b.name.eq_ignore_ascii_case(&a.name)) {
                return Err(format!("action {} is listed twice", a.name));
            }
            for r in &a.resource_types {
                if self.resource_type(&r.resource_type).is_none() {
                    return Err(format!(
                        "action {}: unknown resource type {}",
                        a.name, r.resource_type
                    ));
                }
            }
            for k in &a.condition_keys {
                if !defined_key(k) {
                    return Err(format!("action {}: undefined condition key {k}", a.name));
                }
            }
            for d in &a.dependent_actions {
                if starts_with_ignore_case(d, &prefix) && !defined_action(d) {
                    return Err(format!("action {}: unknown dependent action {d}", a.name));
                }
            }
            for alias in &a.aliases {
                if defined_action(alias) {
                    return Err(format!("action {}: alias {alias} is an action's name", a.name));
                }
            }
        }
        for (i, t) in self.resource_types.iter().enumerate() {
            if self.resource_types.iter().skip(i + 1).any(|u| u.name.eq_ignore_ascii_case(&t.name))
            {
                return Err(format!("resource type {} is listed twice", t.name));
            }
            for k in &t.condition_keys {
                if !defined_key(k) {
                    return Err(format!("resource type {}: undefined condition key {k}", t.name));
                }
            }
        }
        for keys in [&self.condition_keys, &self.global_condition_keys] {
            for (i, k) in keys.iter().enumerate() {
                if keys.iter().skip(i + 1).any(|l| l.name.eq_ignore_ascii_case(&k.name)) {
                    return Err(format!("condition key {} is listed twice", k.name));
                }
            }
        }
        for api in &self.apis {
            for a in api.actions.iter().chain(&api.conditional_actions) {
                if !defined_action(a) {
                    return Err(format!("API {}: unknown action {a}", api.operation));
                }
            }
            for r in &api.resource_types {
                if self.resource_type(r).is_none() {
                    return Err(format!("API {}: unknown resource type {r}", api.operation));
                }
            }
        }
        Ok(())
    }
}

#[expect(
    clippy::expect_used,
    reason = "the catalogs are embedded at build time and a unit test parses each one"
)]
fn embedded(text: &str) -> Catalog {
    Catalog::from_toml(text).expect("an embedded catalog is valid")
}

fn flatten<T>(sections: Vec<Section<T>>) -> Vec<T> {
    sections.into_iter().flat_map(|s| s.entries).collect()
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The literal part of `name` before a trailing `${...}` or `<...>` placeholder.
fn template_prefix(name: &str) -> Option<&str> {
    let open = if name.ends_with('}') {
        name.rfind("${")?
    } else if name.ends_with('>') {
        name.rfind('<')?
    } else {
        return None;
    };
    name.get(..open)
}

/// A piece of a resource-name pattern.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Literal(&'a str),
    Placeholder,
}

/// Splits a pattern into literals and `${...}` / `<...>` placeholders.
fn pattern_parts(pattern: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut rest = pattern;
    loop {
        let next = [("${", '}'), ("<", '>')]
            .into_iter()
            .filter_map(|(open, close)| {
                let start = rest.find(open)?;
                let end = start + rest.get(start..)?.find(close)?;
                Some((start, end))
            })
            .min();
        let Some((start, end)) = next else { break };
        if let Some(literal) = rest.get(..start).filter(|l| !l.is_empty()) {
            parts.push(Part::Literal(literal));
        }
        parts.push(Part::Placeholder);
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest));
    }
    parts
}

/// Matches `s` against pattern parts: a placeholder takes a non-empty run without `:`, and
/// without `/` unless no placeholder follows it.
fn match_pattern(parts: &[Part<'_>], s: &str) -> bool {
    match parts.split_first() {
        None => s.is_empty(),
        Some((Part::Literal(literal), rest)) => {
            s.strip_prefix(literal).is_some_and(|tail| match_pattern(rest, tail))
        }
        Some((Part::Placeholder, rest)) => {
            let last = !rest.contains(&Part::Placeholder);
            for (i, c) in s.char_indices() {
                if c == ':' || (c == '/' && !last) {
                    break;
                }
                let tail = s.get(i + c.len_utf8()..).unwrap_or_default();
                if match_pattern(rest, tail) {
                    return true;
                }
            }
            false
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const AWS_REFERENCE: &str =
        include_str!("../catalog/seeds/aws-kms-service-authorization-reference.txt");
    const AWS_EXAMPLES: &str = include_str!("../catalog/seeds/aws-kms-iam-policy-examples.txt");
    const HUAWEI_ACTIONS: &str =
        include_str!("../catalog/seeds/huawei-kms-identity-policy-actions.txt");
    const ALIBABA_RAM: &str = include_str!("../catalog/seeds/alibaba-kms-ram-access-control.txt");
    const AWS_API_MODEL: &str = include_str!("../catalog/seeds/aws-kms-api-operations.txt");
    const ALIBABA_SAMPLES: &str = include_str!("../catalog/seeds/alibaba-kms-custom-policies.txt");

    fn aws() -> &'static Catalog {
        Catalog::for_dialect(Dialect::Aws)
    }
    fn huawei() -> &'static Catalog {
        Catalog::for_dialect(Dialect::Huawei)
    }
    fn alibaba() -> &'static Catalog {
        Catalog::for_dialect(Dialect::Alibaba)
    }

    // ---------------------------------------------------------------- seed table parsers

    /// An action row as a seed table states it.
    #[derive(Debug, Default)]
    struct SeedAction {
        name: String,
        level: Option<AccessLevel>,
        resource_types: Vec<ResourceRef>,
        condition_keys: Vec<String>,
        dependent_actions: Vec<String>,
        aliases: Vec<String>,
    }

    #[derive(Debug, Default)]
    struct Seed {
        actions: Vec<SeedAction>,
        resource_types: Vec<(String, String, Vec<String>)>,
        condition_keys: Vec<(String, KeyType, bool)>,
        apis: Vec<ApiDef>,
    }

    fn level_of(label: &str) -> AccessLevel {
        match label {
            "List" => AccessLevel::List,
            "Read" => AccessLevel::Read,
            "Write" => AccessLevel::Write,
            "Tagging" => AccessLevel::Tagging,
            "Permissions management" | "Permission_management" => {
                AccessLevel::PermissionsManagement
            }
            other => panic!("unknown access level {other}"),
        }
    }

    fn position(lines: &[&str], prefix: &str) -> usize {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix}"))
    }

    fn rref(name: &str, required: bool) -> ResourceRef {
        ResourceRef { resource_type: name.to_owned(), required }
    }

    /// The three tables of the AWS Service Authorization Reference page.
    fn aws_seed() -> Seed {
        let lines: Vec<&str> = AWS_REFERENCE.lines().map(str::trim).collect();
        let actions_at = position(&lines, "Actions Description Access level");
        let types_title = position(&lines, "Resource types defined by");
        let types_at = position(&lines, "Resource types ARN Condition keys");
        let keys_title = position(&lines, "Condition keys for AWS Key Management Service");
        let keys_at = position(&lines, "Condition keys Description Type");
        let mut seed = Seed::default();
        for line in lines[keys_at + 1..].iter().filter(|l| !l.is_empty()) {
            let name = line.split(' ').next().unwrap();
            let label = line.rsplit(' ').next().unwrap();
            let (base, multi) = match label.strip_prefix("ArrayOf") {
                Some(base) => (base, true),
                None => (label, false),
            };
            let key_type = match base {
                "String" => KeyType::String,
                "Bool" => KeyType::Bool,
                "Numeric" => KeyType::Numeric,
                "Date" => KeyType::Date,
                "ARN" => KeyType::Arn,
                other => panic!("unknown type {other}"),
            };
            seed.condition_keys.push((name.to_owned(), key_type, multi));
        }
        for line in lines[types_at + 1..keys_title].iter().filter(|l| !l.is_empty()) {
            match line.split_once(" arn:") {
                Some((name, rest)) => {
                    seed.resource_types.push((name.to_owned(), format!("arn:{rest}"), Vec::new()));
                }
                None => seed.resource_types.last_mut().unwrap().2.push((*line).to_owned()),
            }
        }
        let type_names: Vec<String> = seed.resource_types.iter().map(|t| t.0.clone()).collect();
        let levels = ["Permissions management", "Write", "Read", "List", "Tagging"];
        for line in lines[actions_at + 1..types_title].iter().filter(|l| !l.is_empty()) {
            let header =
                levels.iter().find(|l| line.contains(' ') && line.ends_with(&format!(" {l}")));
            if let Some(level) = header {
                seed.actions.push(SeedAction {
                    name: format!("kms:{}", line.split(' ').next().unwrap()),
                    level: Some(level_of(level)),
                    ..SeedAction::default()
                });
                continue;
            }
            assert!(!line.contains(' '), "unexpected row text {line}");
            let action = seed.actions.last_mut().unwrap();
            let bare = line.trim_end_matches('*');
            if type_names.iter().any(|t| t == bare) {
                action.resource_types.push(rref(bare, line.ends_with('*')));
            } else if seed.condition_keys.iter().any(|k| k.0 == *line) {
                action.condition_keys.push((*line).to_owned());
            } else {
                action.dependent_actions.push((*line).to_owned());
            }
        }
        seed
    }

    /// Tables 1 to 4 of the Huawei Cloud KMS authorization page.
    fn huawei_seed() -> Seed {
        let lines: Vec<&str> = HUAWEI_ACTIONS.lines().map(str::trim).collect();
        let cells = |from: &str, to: Option<&str>, header: &[&str]| -> Vec<String> {
            let start = position(&lines, from) + 1;
            let end = to.map_or(lines.len(), |t| start + position(&lines[start..], t));
            let cells: Vec<String> = lines[start..end]
                .iter()
                .filter(|l| !l.is_empty())
                .map(|l| l.trim_start_matches('•').trim().to_owned())
                .collect();
            assert_eq!(&cells[..header.len()], header, "header of {from}");
            cells[header.len()..].to_vec()
        };
        let mut seed = Seed::default();
        let t3 = cells(
            "Table 3 Resource types supported by KMS",
            Some("Conditions"),
            &["Resource Type", "URN"],
        );
        assert_eq!(t3.len() % 2, 0);
        for pair in t3.chunks(2) {
            seed.resource_types.push((pair[0].clone(), pair[1].clone(), Vec::new()));
        }
        let t4 = cells(
            "Table 4 Service-specific condition keys supported by KMS",
            None,
            &["Service-specific Condition Key", "Type", "Single-valued/Multivalued", "Description"],
        );
        assert_eq!(t4.len() % 4, 0);
        for row in t4.chunks(4) {
            let key_type = match row[1].as_str() {
                "string" => KeyType::String,
                "numeric" => KeyType::Numeric,
                "date" => KeyType::Date,
                "boolean" => KeyType::Bool,
                other => panic!("unknown type {other}"),
            };
            let multi = match row[2].as_str() {
                "Single-valued" => false,
                "Multivalued" => true,
                other => panic!("unknown valuedness {other}"),
            };
            seed.condition_keys.push((row[0].clone(), key_type, multi));
        }
        let t1 = cells(
            "Table 1 Actions supported by KMS",
            Some("Each API of KMS usually supports"),
            &[
                "Action",
                "Description",
                "Access Level",
                "Resource Type (*: required)",
                "Condition Key",
                "Alias",
            ],
        );
        let is_action = |i: usize| {
            let cell = &t1[i];
            cell.starts_with("kms:")
                && cell.matches(':').count() == 2
                && t1.get(i + 1).is_some_and(|d| d.starts_with("Grants permission"))
        };
        let mut i = 0;
        while i < t1.len() {
            if is_action(i) {
                seed.actions.push(SeedAction {
                    name: t1[i].clone(),
                    level: Some(level_of(&t1[i + 2])),
                    ..SeedAction::default()
                });
                i += 3;
                continue;
            }
            let cell = t1[i].as_str();
            let action = seed.actions.last_mut().unwrap();
            let bare = cell.trim_end_matches('*').trim();
            if cell == "-" {
            } else if seed.resource_types.iter().any(|t| t.0 == bare) {
                action.resource_types.push(rref(bare, cell.ends_with('*')));
            } else if cell.matches(':').count() == 2 {
                action.aliases.push(cell.to_owned());
            } else {
                action.condition_keys.push(cell.to_owned());
            }
            i += 1;
        }
        let t2 = cells(
            "Table 2 Actions and dependencies supported by KMS APIs",
            Some("Resources"),
            &["API", "Action", "Dependencies"],
        );
        assert_eq!(t2.len() % 3, 0);
        for row in t2.chunks(3) {
            assert_eq!(row[2], "-", "no API of the table has dependencies");
            if row[0] == "-" {
                // a second row of the API above, naming the same action
                assert_eq!(seed.apis.last().unwrap().actions, vec![row[1].clone()]);
                continue;
            }
            let (method, path) = row[0].split_once(' ').unwrap();
            seed.apis.push(ApiDef {
                operation: row[0].clone(),
                method: Some(method.to_owned()),
                path: Some(path.to_owned()),
                actions: vec![row[1].clone()],
                resource_types: Vec::new(),
                conditional_actions: Vec::new(),
                note: None,
            });
        }
        seed
    }

    /// An operation row of an Alibaba Cloud table.
    #[derive(Debug, Default)]
    struct SeedRow {
        operation: String,
        actions: Vec<String>,
        conditional: Vec<String>,
        wildcards: Vec<String>,
        /// The resource-type cell.
        cell: Option<String>,
        note: Option<String>,
    }

    /// The access level the Alibaba Cloud catalog assigns by an operation's verb.
    fn alibaba_level(action: &str) -> AccessLevel {
        let op = action.split_once(':').unwrap().1;
        if op.starts_with("List") {
            AccessLevel::List
        } else if op.starts_with("Describe") || op.starts_with("Get") {
            AccessLevel::Read
        } else if op.starts_with("Tag") || op.starts_with("Untag") {
            AccessLevel::Tagging
        } else {
            AccessLevel::Write
        }
    }

    /// Resource types and operation tables of the Alibaba Cloud RAM access-control page.
    fn alibaba_seed() -> Seed {
        let lines: Vec<&str> = ALIBABA_RAM.lines().map(str::trim).collect();
        let mut seed = Seed::default();
        for line in
            lines[position(&lines, "Resource type ARN") + 1..].iter().take_while(|l| !l.is_empty())
        {
            let (name, rest) = line.split_once(" acs:").unwrap();
            seed.resource_types.push((name.to_owned(), format!("acs:{rest}"), Vec::new()));
        }
        let start = position(&lines, "• Key API operations");
        let end = position(&lines, "Policy conditions in KMS");
        let mut rows: Vec<SeedRow> = Vec::new();
        for line in lines[start..end].iter().filter(|l| !l.is_empty()) {
            if line.ends_with("API operations") || *line == "Operation Action Resource type" {
                continue;
            }
            if let Some(action) = line.strip_prefix("• ") {
                let row = rows.last_mut().unwrap();
                if action.ends_with('*') {
                    row.wildcards.push(action.to_owned());
                } else {
                    row.actions.push(action.to_owned());
                }
                continue;
            }
            if let Some(note) = line.strip_prefix("Note ") {
                let row = rows.last_mut().unwrap();
                let conditional: Vec<String> = row
                    .actions
                    .iter()
                    .filter(|a| note.contains(&format!("permissions on {a} are required only")))
                    .cloned()
                    .collect();
                row.actions.retain(|a| !conditional.contains(a));
                row.conditional.extend(conditional);
                row.note = Some(note.to_owned());
                continue;
            }
            let words: Vec<&str> = line.split(' ').collect();
            if words.len() >= 3 && words[1].starts_with("kms:") {
                rows.push(SeedRow {
                    operation: words[0].to_owned(),
                    actions: vec![words[1].to_owned()],
                    cell: Some(words[2..].join(" ")),
                    ..SeedRow::default()
                });
            } else if words.len() == 1 && rows.last().is_none_or(|r| r.cell.is_some()) {
                rows.push(SeedRow { operation: words[0].to_owned(), ..SeedRow::default() });
            } else {
                let row = rows.last_mut().unwrap();
                assert!(row.cell.is_none(), "unexpected line {line}");
                row.cell = Some((*line).to_owned());
            }
        }
        for SeedRow { operation, actions, conditional, wildcards, cell, note } in rows {
            let cell = cell.unwrap();
            let (names, required): (Vec<String>, bool) = if cell == "None" {
                (Vec::new(), true)
            } else if let Some((a, b)) = cell.split_once(" and ") {
                (vec![capitalised(a), capitalised(b)], true)
            } else if let Some((a, b)) = cell.split_once(" or ") {
                (vec![capitalised(a), capitalised(b)], false)
            } else {
                (vec![cell.clone()], true)
            };
            assert!(names.iter().all(|n| seed.resource_types.iter().any(|t| t.0 == *n)), "{cell}");
            for a in &actions {
                if seed.actions.iter().any(|s| s.name == *a) {
                    continue;
                }
                seed.actions.push(SeedAction {
                    name: a.clone(),
                    level: Some(alibaba_level(a)),
                    resource_types: names.iter().map(|n| rref(n, required)).collect(),
                    ..SeedAction::default()
                });
            }
            for w in &wildcards {
                let stem = w.trim_end_matches('*');
                assert!(
                    actions.iter().all(|a| a.starts_with(stem)),
                    "{w} covers the row's actions"
                );
            }
            seed.apis.push(ApiDef {
                operation,
                method: None,
                path: None,
                actions,
                resource_types: names,
                conditional_actions: conditional,
                note,
            });
        }
        let conditions = &ALIBABA_RAM[ALIBABA_RAM.find("Policy conditions in KMS").unwrap()..];
        let conditions = &conditions[..conditions.find("Examples of RAM policies").unwrap()];
        for word in conditions.split_whitespace() {
            if word.starts_with("kms:") {
                seed.condition_keys.push((word.to_owned(), KeyType::String, false));
            }
        }
        seed
    }

    fn capitalised(s: &str) -> String {
        let mut chars = s.trim().chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    /// The quoted `kms:` strings of the JSON policies in a page: (actions, condition keys).
    fn policy_names(text: &str) -> (Vec<String>, Vec<String>) {
        let (mut actions, mut keys) = (Vec::new(), Vec::new());
        let mut rest = text;
        while let Some(at) = rest.find('"') {
            let after = &rest[at + 1..];
            let Some(close) = after.find('"') else { break };
            let quoted = &after[..close];
            let tail = after[close + 1..].trim_start();
            if quoted.starts_with("kms:")
                || quoted.starts_with("acs:")
                || quoted.starts_with("aws:")
            {
                if tail.starts_with(':') {
                    keys.push(quoted.to_owned());
                } else if !quoted.contains(['*', '?', '$']) && quoted.matches(':').count() == 1 {
                    actions.push(quoted.to_owned());
                }
            }
            rest = &after[close + 1..];
        }
        (actions, keys)
    }

    // ---------------------------------------------------------------- comparisons

    fn assert_actions_match(catalog: &Catalog, seed: &Seed) {
        for s in &seed.actions {
            let a = catalog.action(&s.name).unwrap_or_else(|| panic!("{} missing", s.name));
            assert_eq!(a.name, s.name);
            assert_eq!(Some(a.access_level), s.level, "{}", s.name);
            assert_eq!(a.resource_types, s.resource_types, "{}", s.name);
            assert_eq!(a.condition_keys, s.condition_keys, "{}", s.name);
            assert_eq!(a.dependent_actions, s.dependent_actions, "{}", s.name);
            assert_eq!(a.aliases, s.aliases, "{}", s.name);
        }
    }

    fn assert_types_and_keys_match(catalog: &Catalog, seed: &Seed) {
        let names: Vec<&str> = catalog.resource_types.iter().map(|t| t.name.as_str()).collect();
        let seed_names: Vec<&str> = seed.resource_types.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(names, seed_names);
        for (name, pattern, keys) in &seed.resource_types {
            let t = catalog.resource_type(name).unwrap();
            assert_eq!(&t.pattern, pattern, "{name}");
            if catalog.dialect != Dialect::Alibaba {
                assert_eq!(&t.condition_keys, keys, "{name}");
            }
        }
        let keys: Vec<(String, KeyType, bool)> = catalog
            .condition_keys
            .iter()
            .map(|k| (k.name.clone(), k.key_type, k.multi_valued))
            .collect();
        assert_eq!(keys, seed.condition_keys);
    }

    // ---------------------------------------------------------------- tests

    #[test]
    fn every_catalog_parses_and_is_consistent() {
        for (dialect, text) in [
            (Dialect::Aws, AWS_TOML),
            (Dialect::Huawei, HUAWEI_TOML),
            (Dialect::Alibaba, ALIBABA_TOML),
        ] {
            let catalog = Catalog::from_toml(text).unwrap_or_else(|e| panic!("{dialect}: {e}"));
            assert_eq!(catalog.dialect, dialect);
            assert_eq!(catalog.service, "kms");
            assert_eq!(Catalog::for_dialect(dialect), &catalog);
        }
    }

    #[test]
    fn catalog_counts() {
        let counts = |c: &Catalog| {
            (
                c.actions.len(),
                c.resource_types.len(),
                c.condition_keys.len(),
                c.global_condition_keys.len(),
                c.apis.len(),
            )
        };
        assert_eq!(counts(aws()), (56, 2, 37, 42, 0));
        assert_eq!(counts(huawei()), (55, 3, 20, 32, 56));
        assert_eq!(counts(alibaba()), (50, 6, 1, 8, 46));
    }

    #[test]
    fn catalog_aws_equals_the_service_authorization_reference() {
        let seed = aws_seed();
        assert_eq!(seed.actions.len(), 52);
        assert_eq!(seed.resource_types.len(), 2);
        assert_eq!(seed.condition_keys.len(), 37);
        let catalog = aws();
        assert_actions_match(catalog, &seed);
        // Beyond the reference's table: only operations of the API model, each named
        // `kms:<Operation>`.
        let operations: Vec<&str> =
            AWS_API_MODEL.lines().filter_map(|l| l.strip_prefix("===").map(str::trim)).collect();
        let seed_names: Vec<&str> = seed.actions.iter().map(|a| a.name.as_str()).collect();
        let extra: Vec<&str> = catalog
            .actions
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| !seed_names.contains(n))
            .collect();
        assert_eq!(
            extra,
            [
                "kms:DeriveSharedSecret",
                "kms:GetKeyLastUsage",
                "kms:ListKeyRotations",
                "kms:RotateKeyOnDemand"
            ]
        );
        for name in extra {
            let op = name.trim_start_matches("kms:");
            assert!(operations.contains(&op), "{name} is not an operation of the API model");
        }
        // And every operation of the API model has its action (ReEncrypt is two).
        for op in operations {
            let action = format!("kms:{op}");
            let found = catalog.action(&action).is_some()
                || (op == "ReEncrypt" && catalog.action("kms:ReEncryptFrom").is_some());
            assert!(found, "the API operation {op} has no action");
        }
        assert_eq!(catalog.actions.len(), 56);
        assert_types_and_keys_match(catalog, &seed);
        assert!(catalog.apis.is_empty());
    }

    #[test]
    fn catalog_huawei_equals_the_authorization_tables() {
        let seed = huawei_seed();
        assert_eq!(seed.actions.len(), 55);
        assert_eq!(seed.resource_types.len(), 3);
        assert_eq!(seed.condition_keys.len(), 20);
        assert_eq!(seed.apis.len(), 56);
        let catalog = huawei();
        assert_actions_match(catalog, &seed);
        let names: Vec<&str> = catalog.actions.iter().map(|a| a.name.as_str()).collect();
        let seed_names: Vec<&str> = seed.actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, seed_names, "no action beyond Table 1's");
        assert_types_and_keys_match(catalog, &seed);
        assert_eq!(catalog.apis, seed.apis);
    }

    #[test]
    fn catalog_alibaba_equals_the_ram_tables_and_samples() {
        let seed = alibaba_seed();
        assert_eq!(seed.actions.len(), 47);
        assert_eq!(seed.resource_types.len(), 6);
        assert_eq!(seed.condition_keys.len(), 1);
        assert_eq!(seed.apis.len(), 46);
        let catalog = alibaba();
        assert_actions_match(catalog, &seed);
        assert_types_and_keys_match(catalog, &seed);
        let key = catalog.resource_type("Key").unwrap();
        assert_eq!(key.condition_keys, vec!["kms:tag/<tag-key>".to_owned()]);
        assert_eq!(catalog.apis.len(), seed.apis.len());
        for (api, s) in catalog.apis.iter().zip(&seed.apis) {
            assert_eq!(
                (&api.operation, &api.actions, &api.conditional_actions, &api.resource_types),
                (&s.operation, &s.actions, &s.conditional_actions, &s.resource_types)
            );
            assert_eq!(api.note.is_some(), s.note.is_some() || api.operation == "ReEncrypt");
        }
        // Beyond the tables: only the actions the sample policies grant.
        let (sample_actions, sample_keys) = policy_names(ALIBABA_SAMPLES);
        assert!(sample_actions.iter().any(|a| a == "kms:RotateSecret"));
        assert_eq!(sample_keys, ["acs:SourceIp", "kms:tag/Project"]);
        for a in &catalog.actions {
            if seed.actions.iter().all(|s| s.name != a.name) {
                assert!(sample_actions.contains(&a.name), "{} is in no seed", a.name);
                assert_eq!(a.access_level, alibaba_level(&a.name));
            }
        }
    }

    #[test]
    fn catalog_knows_every_name_of_the_example_policies() {
        let (aws_actions, _) = policy_names(AWS_EXAMPLES);
        for a in [
            "kms:GetPublicKey",
            "kms:ListResourceTags",
            "kms:CreateAlias",
            "kms:ScheduleKeyDeletion",
        ] {
            assert!(aws_actions.iter().any(|x| x == a), "{a} not found in the examples");
        }
        for (catalog, text) in
            [(aws(), AWS_EXAMPLES), (alibaba(), ALIBABA_RAM), (alibaba(), ALIBABA_SAMPLES)]
        {
            let (actions, keys) = policy_names(text);
            assert!(actions.len() >= 5, "{actions:?}");
            for a in actions.iter().filter(|a| a.starts_with("kms:")) {
                assert!(catalog.action(a).is_some(), "{a}");
            }
            for k in &keys {
                assert!(catalog.condition_key(k).is_some(), "{k}");
            }
        }
    }

    #[test]
    fn catalog_global_keys_have_the_dialect_prefix() {
        for dialect in Dialect::ALL {
            let catalog = Catalog::for_dialect(dialect);
            for k in &catalog.global_condition_keys {
                assert!(k.name.starts_with(dialect.global_key_prefix()), "{}", k.name);
            }
        }
        assert_eq!(aws().condition_key("AWS:SourceIP").unwrap().key_type, KeyType::IpAddress);
        assert!(aws().condition_key("aws:TagKeys").unwrap().multi_valued);
        assert!(huawei().condition_key("g:TagKeys").unwrap().multi_valued);
        assert_eq!(alibaba().condition_key("acs:SourceIp").unwrap().key_type, KeyType::IpAddress);
        assert_eq!(
            huawei().condition_key("g:EnterpriseProjectId").unwrap().key_type,
            KeyType::String
        );
    }

    #[test]
    fn catalog_lookups_ignore_case_and_find_aliases() {
        assert_eq!(aws().action("KMS:decrypt").unwrap().name, "kms:Decrypt");
        assert_eq!(huawei().action("kms:CMK:DecryptData").unwrap().name, "kms:cmk:decryptData");
        assert_eq!(huawei().action("kms::GENERATERANDOM").unwrap().name, "kms::generateRandom");
        assert_eq!(huawei().action("kms:cmk:generate").unwrap().name, "kms::generateRandom");
        assert_eq!(huawei().action("kms:dek:Decrypt").unwrap().name, "kms:cmk:decryptDataKey");
        let update: Vec<&str> =
            huawei().actions_for("kms:cmk:update").iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            update,
            [
                "kms:cmk:scheduleKeyDeletion",
                "kms:cmk:cancelKeyDeletion",
                "kms:cmk:updateKeyAlias",
                "kms:cmk:updateKeyDescription"
            ]
        );
        assert_eq!(alibaba().action("kms:reencryptfrom").unwrap().name, "kms:ReEncryptFrom");
        assert!(aws().action("kms:Decrypt2").is_none());
        assert!(aws().action("kms:Decrypt*").is_none());
        assert_eq!(aws().resource_type("KEY").unwrap().name, "key");
        assert_eq!(huawei().resource_type("keyid").unwrap().name, "KeyId");
        assert_eq!(alibaba().resource_type("key container").unwrap().name, "Key container");
        assert_eq!(aws().condition_key("KMS:callerACCOUNT").unwrap().name, "kms:CallerAccount");
        assert_eq!(
            aws().action("kms:CreateGrant").unwrap().access_level,
            AccessLevel::PermissionsManagement
        );
        assert_eq!(
            huawei().action("kms:cmk:createGrant").unwrap().access_level,
            AccessLevel::PermissionsManagement
        );
        assert_eq!(
            huawei().api("post /v1.0/{project_id}/kms/gen-random").unwrap().actions,
            ["kms::generateRandom"]
        );
        let get_secret = alibaba().api("GetSecretValue").unwrap();
        assert_eq!(get_secret.actions, ["kms:GetSecretValue"]);
        assert_eq!(get_secret.conditional_actions, ["kms:Decrypt"]);
        let decrypt_apis: Vec<&str> =
            alibaba().apis_for_action("kms:Decrypt").iter().map(|a| a.operation.as_str()).collect();
        assert_eq!(decrypt_apis, ["Decrypt", "GetSecretValue"]);
        assert_eq!(huawei().apis_for_action("kms:cmk:createDataKey").len(), 2);
    }

    #[test]
    fn catalog_template_condition_keys_resolve() {
        let context = aws().condition_key("kms:EncryptionContext:Dept").unwrap();
        assert_eq!(context.name, "kms:EncryptionContext:${EncryptionContextKey}");
        assert_eq!(context.template_prefix(), Some("kms:EncryptionContext:"));
        assert_eq!(
            aws().condition_key("kms:encryptioncontext:dept").unwrap().name,
            "kms:EncryptionContext:${EncryptionContextKey}"
        );
        assert!(!aws().condition_key("kms:EncryptionContextKeys").unwrap().name.contains('$'));
        assert!(aws().condition_key("kms:EncryptionContextKeys").unwrap().multi_valued);
        assert!(aws().condition_key("kms:EncryptionContext:").is_none());
        assert_eq!(
            aws().condition_key("aws:ResourceTag/Project").unwrap().name,
            "aws:ResourceTag/${TagKey}"
        );
        assert_eq!(
            aws().condition_key("aws:PrincipalTag/team").unwrap().name,
            "aws:PrincipalTag/${TagKey}"
        );
        assert_eq!(alibaba().condition_key("kms:tag/Project").unwrap().name, "kms:tag/<tag-key>");
        assert_eq!(alibaba().condition_key("KMS:Tag/Project").unwrap().key_type, KeyType::String);
        assert_eq!(
            huawei().condition_key("g:ResourceTag/owner").unwrap().name,
            "g:ResourceTag/<tag-key>"
        );
        assert!(aws().condition_key("kms:tag/Project").is_none());
        assert!(aws().condition_key("aws:NoSuchKey").is_none());
        assert!(huawei().condition_key("aws:SourceIp").is_none());
        let key_keys = aws().applicable_condition_keys(aws().action("kms:Decrypt").unwrap());
        assert!(
            key_keys.contains(&"kms:ViaService") && key_keys.contains(&"aws:ResourceTag/${TagKey}")
        );
        let tagged = alibaba().applicable_condition_keys(alibaba().action("kms:Encrypt").unwrap());
        assert_eq!(tagged, ["kms:tag/<tag-key>"]);
    }

    #[test]
    fn catalog_resource_type_of_concrete_names() {
        let type_of = |c: &Catalog, r: &str| c.resource_type_of(r).map(|t| t.name.clone());
        let aws = aws();
        assert_eq!(
            type_of(
                aws,
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            )
            .as_deref(),
            Some("key")
        );
        assert_eq!(
            type_of(aws, "arn:aws:kms:us-east-1:111122223333:alias/my/app").as_deref(),
            Some("alias")
        );
        assert_eq!(
            type_of(aws, "arn:aws-cn:kms:cn-north-1:111122223333:alias/x").as_deref(),
            Some("alias")
        );
        assert_eq!(type_of(aws, "arn:aws:kms:us-east-1:111122223333:key/"), None);
        assert_eq!(type_of(aws, "arn:aws:kms::111122223333:key/k"), None);
        assert_eq!(type_of(aws, "arn:aws:s3:::bucket/key"), None);
        assert_eq!(type_of(aws, "arn:aws:kms:us-east-1:111122223333:key/a:b"), None);
        let huawei = huawei();
        assert_eq!(
            type_of(
                huawei,
                "kms:cn-north-4:0970dd7a1300f5672ff2c003c60ae115:KeyId:0d0466b0-e727-4d9c-b35d-f84bb474a37f"
            )
            .as_deref(),
            Some("KeyId")
        );
        assert_eq!(
            type_of(huawei, "kms:cn-north-4:0970dd7a:alias:my-alias").as_deref(),
            Some("alias")
        );
        assert_eq!(
            type_of(huawei, "kms:cn-north-4:0970dd7a:keystore:ks-1").as_deref(),
            Some("keystore")
        );
        assert_eq!(type_of(huawei, "kms:cn-north-4:0970dd7a:keyid:k"), None);
        let alibaba = alibaba();
        assert_eq!(type_of(alibaba, "acs:kms:cn-hangzhou:123456:key/abc").as_deref(), Some("Key"));
        assert_eq!(
            type_of(alibaba, "acs:kms:cn-hangzhou:123456:key").as_deref(),
            Some("Key container")
        );
        assert_eq!(
            type_of(alibaba, "acs:kms:cn-hangzhou:123456:secret/db/pass").as_deref(),
            Some("Secret")
        );
        assert_eq!(
            type_of(alibaba, "acs:kms:cn-hangzhou:123456:alias").as_deref(),
            Some("Alias container")
        );
        assert_eq!(
            type_of(alibaba, "acs:kms:cn-hangzhou:123456:alias/alias/x").as_deref(),
            Some("Alias")
        );
        assert_eq!(type_of(alibaba, "acs:kms:cn-hangzhou:123456:keys"), None);
    }

    #[test]
    fn catalog_pattern_parts_understand_both_placeholder_spellings() {
        assert_eq!(
            pattern_parts("a:${X}/b<y>"),
            [Part::Literal("a:"), Part::Placeholder, Part::Literal("/b"), Part::Placeholder]
        );
        assert_eq!(template_prefix("g:ResourceTag/<tag-key>"), Some("g:ResourceTag/"));
        assert_eq!(template_prefix("kms:CallerAccount"), None);
        assert!(Catalog::from_toml("dialect = \"aws\"").is_err());
    }
}
