//! The three policy languages Coffer speaks, and the lossless serde shapes of each.
//!
//! Owns: the `Dialect` tag and, per dialect, the raw document shape read from JSON
//! before it becomes the validated [`crate::model::Policy`]. Never: decide anything.

use std::fmt;

use crate::model::{Policy, PolicyError};

mod aliyun;
mod aws;
mod huawei;
pub mod json;
mod parse;

use json::Node;

/// The cloud whose policy language a document is written in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// AWS IAM (`"Version": "2012-10-17"` or `"2008-10-17"`).
    Aws,
    /// Huawei Cloud IAM 5.0 identity policies and Organizations SCPs (`"5.0"`, legacy `"1.1"`).
    Huawei,
    /// Alibaba Cloud RAM (`"Version": "1"`).
    #[serde(alias = "aliyun")]
    Alibaba,
}

impl Dialect {
    /// Every dialect, in a fixed order.
    pub const ALL: [Dialect; 3] = [Dialect::Aws, Dialect::Huawei, Dialect::Alibaba];

    /// The lowercase name used on the command line and in case files.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Aws => "aws",
            Dialect::Huawei => "huawei",
            Dialect::Alibaba => "alibaba",
        }
    }

    /// Parses a dialect name (`aws`, `huawei`, `alibaba` or `aliyun`).
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "aws" => Some(Dialect::Aws),
            "huawei" => Some(Dialect::Huawei),
            "alibaba" | "aliyun" => Some(Dialect::Alibaba),
            _ => None,
        }
    }

    /// The prefix of this dialect's global condition keys (`aws:`, `g:`, `acs:`).
    pub fn global_key_prefix(self) -> &'static str {
        match self {
            Dialect::Aws => "aws:",
            Dialect::Huawei => "g:",
            Dialect::Alibaba => "acs:",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Dialect {
    fn grammar(self) -> &'static parse::Grammar {
        match self {
            Dialect::Aws => &aws::GRAMMAR,
            Dialect::Huawei => &huawei::GRAMMAR,
            Dialect::Alibaba => &aliyun::GRAMMAR,
        }
    }

    /// The dialect a document's `Version` names, if it names one.
    pub fn detect(node: &Node) -> Option<Dialect> {
        let Node::Object(members) = node else { return None };
        let version = members.iter().find(|(k, _)| k == "Version").map(|(_, v)| v)?;
        match version {
            Node::String(v) => match v.as_str() {
                "2012-10-17" | "2008-10-17" => Some(Dialect::Aws),
                "5.0" | "1.1" => Some(Dialect::Huawei),
                "1" => Some(Dialect::Alibaba),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Policy {
    /// Parses JSON text as a policy of `dialect`.
    pub fn parse(dialect: Dialect, text: &str) -> Result<Policy, PolicyError> {
        let node = Node::parse(text).map_err(|e| PolicyError {
            pointer: "/".to_owned(),
            message: format!("the policy is not valid JSON: {e}"),
        })?;
        Policy::from_node(dialect, node)
    }

    /// Parses an already-read JSON tree.
    pub fn from_node(dialect: Dialect, node: Node) -> Result<Policy, PolicyError> {
        parse::parse(dialect.grammar(), node)
    }

    /// Parses a `serde_json::Value` (which cannot hold duplicate members).
    pub fn from_value(dialect: Dialect, value: &serde_json::Value) -> Result<Policy, PolicyError> {
        Policy::from_node(dialect, Node::from_value(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn version_names_the_dialect() {
        let v =
            |s: &str| Dialect::detect(&Node::parse(&format!(r#"{{"Version": "{s}"}}"#)).unwrap());
        assert_eq!(v("2012-10-17"), Some(Dialect::Aws));
        assert_eq!(v("5.0"), Some(Dialect::Huawei));
        assert_eq!(v("1"), Some(Dialect::Alibaba));
        assert_eq!(v("3"), None);
    }

    #[test]
    fn errors_point_at_the_place() {
        let cases: &[(Dialect, &str, &str, &str)] = &[
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"Decrypt","Resource":"*"}]}"#,
                "/Statement/0/Action",
                "prefaced by a vendor",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"kms:Decrypt","Resource":"*"}}"#,
                "/Statement/Effect",
                "`Allow` or `Deny`",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","NotAction":"kms:Encrypt","Resource":"*"}]}"#,
                "/Statement/0/NotAction",
                "not both",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#,
                "/Statement/0/Action",
                "must not be empty",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringMatch":{"aws:username":"a"}}}]}"#,
                "/Statement/0/Condition/StringMatch",
                "not part of the aws policy language",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"kms:*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#,
                "/Statement/1/Sid",
                "unique",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#,
                "/Statement/0/Effect",
                "duplicate member",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-18","Statement":[]}"#,
                "/Version",
                "unsupported `Version`",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"}}]}"#,
                "/Statement/0/Principal/AWS",
                "wildcards are not allowed",
            ),
            (
                Dialect::Huawei,
                r#"{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["kms:Decrypt"]}]}"#,
                "/Statement/0/Action/0",
                "service:resourceType:operation",
            ),
            (
                Dialect::Huawei,
                r#"{"Statement":[{"Effect":"Allow","Action":["kms:cmk:get"]}]}"#,
                "/",
                "missing `Version`",
            ),
            (
                Dialect::Alibaba,
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Decrypt"}]}"#,
                "/Statement/0",
                "must contain resources",
            ),
            (
                Dialect::Alibaba,
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","NotResource":"*"}]}"#,
                "/Statement/0/NotResource",
                "unknown statement element",
            ),
            (
                Dialect::Alibaba,
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:tag/a":"b"}}}]}"#,
                "/Statement/0/Condition/StringEqualsIfExists",
                "IfExists",
            ),
        ];
        for (d, text, pointer, needle) in cases {
            let e = Policy::parse(*d, text).expect_err(text);
            assert_eq!(e.pointer, *pointer, "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn accepted_shapes() {
        // A single statement object, scalar Action, legacy version, Huawei without Resource.
        let p = Policy::parse(
            Dialect::Aws,
            r#"{"Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"}}"#,
        )
        .unwrap();
        assert_eq!(p.version, None);
        assert!(!p.variables_enabled());
        let p = Policy::parse(Dialect::Huawei, r#"{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["kms:cmk:get"],"Condition":{"StringEndWithIfExists":{"g:UserName":["x"]},"Bool":{"g:MFAPresent":["true"]}}}]}"#).unwrap();
        assert!(p.statements[0].resource.is_none());
        assert_eq!(p.statements[0].conditions.len(), 2);
    }

    fn doc() -> impl Strategy<Value = (Dialect, serde_json::Value)> {
        let aws = (prop::sample::select(vec!["kms:Decrypt", "kms:*", "*"]), prop::sample::select(vec!["*", "arn:aws:kms:*:111122223333:key/*"]), any::<bool>())
            .prop_map(|(a, r, allow)| (Dialect::Aws, json!({"Version": "2012-10-17", "Statement": [{"Sid": "S1", "Effect": if allow {"Allow"} else {"Deny"}, "Action": [a], "Resource": r, "Condition": {"StringEquals": {"kms:EncryptionContext:k": ["${aws:username}", true, 10]}}}]})));
        let huawei = prop::sample::select(vec!["kms:cmk:get", "kms::generateRandom", "kms:*:*"])
            .prop_map(|a| (Dialect::Huawei, json!({"Version": "5.0", "Statement": [{"Effect": "Allow", "Action": [a], "Condition": {"NumberLessThan": {"kms:x": ["3"]}}}]})));
        let alibaba = prop::sample::select(vec!["kms:Decrypt", "kms:List*"])
            .prop_map(|a| (Dialect::Alibaba, json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": a, "Resource": ["acs:kms:*:*:key/*"], "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}]})));
        prop_oneof![aws, huawei, alibaba]
    }

    proptest! {
        #[test]
        fn parse_print_round_trips((dialect, value) in doc()) {
            let p = Policy::from_value(dialect, &value).unwrap();
            let printed = serde_json::to_string(&p.source.to_value()).unwrap();
            let q = Policy::parse(dialect, &printed).unwrap();
            prop_assert_eq!(&p, &q);
            prop_assert_eq!(q.source.to_value(), value);
        }
    }
}
