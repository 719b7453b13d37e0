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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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
