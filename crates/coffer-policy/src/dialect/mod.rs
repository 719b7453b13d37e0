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

use json::{Doc, Node, Source};

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
        let doc = Doc::parse(text).map_err(|e| PolicyError {
            pointer: "/".to_owned(),
            message: format!("the policy is not valid JSON: {e}"),
        })?;
        let body = parse::parse(dialect.grammar(), &doc)?;
        Ok(body.with_source(Source::text(text)))
    }

    /// Parses an already-read JSON tree.
    pub fn from_node(dialect: Dialect, node: Node) -> Result<Policy, PolicyError> {
        let body = parse::parse(dialect.grammar(), &Doc::of(&node))?;
        Ok(body.with_source(Source::tree(node)))
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
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Team":"a","aws:principaltag/team":"b"}}}]}"#,
                "/Statement/0/Condition/StringEquals/aws:principaltag~1team",
                "appears twice",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:Straße":"a","kms:encryptioncontext:STRASSE":"b","kms:encryptioncontext:straße":"c"}}}]}"#,
                "/Statement/0/Condition/StringEquals/kms:encryptioncontext:straße",
                "appears twice",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt",["kms:Encrypt"],"Decrypt"],"Resource":"*"}]}"#,
                "/Statement/0/Action/1",
                "expected a string",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/*"]}}}"#,
                "/Statement/Principal/AWS/1",
                "wildcards are not allowed",
            ),
            (
                Dialect::Aws,
                r#"{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}],"Version":"2012-10-17","Version":"2012-10-17"}"#,
                "/Version",
                "duplicate member",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"a:1":"x","a:2":"x","a:3":"x","a:4":"x","a:5":"x","a:6":"x","a:7":"x","a:8":"x","a:9":"x","a:10":"x","a:11":"x","a:12":"x","a:13":"x","a:14":"x","a:15":"x","a:16":"x","a:17":"x","a~/":"x","a:18":"x","a~/":"y"}}}]}"#,
                "/Statement/0/Condition/StringEquals/a~0~1",
                "duplicate member",
            ),
            (
                Dialect::Aws,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"a:\u0041":"x","a:A":"y"}}}]}"#,
                "/Statement/0/Condition/StringEquals/a:A",
                "duplicate member",
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

    #[test]
    fn many_names_are_checked_as_a_few_are() {
        let statement = |sid: &str, condition: serde_json::Value| json!({"Sid": sid, "Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": condition});
        let error = |statements: Vec<serde_json::Value>| {
            let doc = json!({"Version": "2012-10-17", "Statement": statements});
            Policy::from_value(Dialect::Aws, &doc).unwrap_err()
        };
        for n in [3, 30] {
            let mut statements: Vec<_> =
                (0..n).map(|i| statement(&format!("s{i}"), json!({}))).collect();
            statements.push(statement("s2", json!({})));
            let e = error(statements);
            assert_eq!(e.pointer, format!("/Statement/{n}/Sid"), "{e}");
            let mut keys = serde_json::Map::new();
            for i in 0..n {
                keys.insert(format!("aws:k{i}"), json!("x"));
            }
            keys.insert("AWS:K2".to_owned(), json!("y"));
            let e = error(vec![statement("a", json!({"StringEquals": keys}))]);
            assert_eq!(e.pointer, "/Statement/0/Condition/StringEquals/AWS:K2", "{e}");
            assert!(e.message.contains("appears twice"), "{e}");
        }
    }

    #[test]
    fn sources_compare_as_documents() {
        let compact = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"kms:x":[1.5,10]}}}]}"#;
        let spaced = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {\"NumericLessThan\": {\"kms:x\": [1.5, 10]}}}]\n}";
        let a = Policy::parse(Dialect::Aws, compact).unwrap();
        let b = Policy::parse(Dialect::Aws, spaced).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.source.to_value(),
            serde_json::from_str::<serde_json::Value>(compact).unwrap()
        );
        let c = Policy::from_node(Dialect::Aws, a.source.to_node()).unwrap();
        assert_eq!(a, c);
        assert_eq!(c.source.to_node(), Node::parse(spaced).unwrap());
        assert_eq!(a.statements[0].conditions[0].raw_values, ["1.5", "10"]);
        let d = Policy::parse(Dialect::Aws, &compact.replace("10]", "11]")).unwrap();
        assert_ne!(a.source, d.source);
        // A duplicate member stays in the document the policy keeps.
        let dup = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:x":"a"},"StringLike":{"kms:x":"b"}}}],"Id":"x"}"#;
        let p = Policy::parse(Dialect::Aws, dup).unwrap();
        let Node::Object(members) = p.source.to_node() else { panic!("object expected") };
        assert_eq!(members.len(), 3);
    }

    #[test]
    fn escaped_strings_parse_as_plain_ones() {
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a/b","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
        let escaped = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a\/b","Eff\u0065ct":"Allow","Action":"kms:D\u0065crypt","Resource":"*"}]}"#;
        let a = Policy::parse(Dialect::Aws, plain).unwrap();
        let b = Policy::parse(Dialect::Aws, escaped).unwrap();
        assert_eq!(a.statements, b.statements);
        assert_eq!(b.statements[0].sid.as_deref(), Some("a/b"));
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
