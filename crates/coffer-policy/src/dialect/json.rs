//! Lossless JSON for policy documents, and the document a policy keeps.
//!
//! `serde_json::Value` keeps the last of two equal object keys and so hides a mistake the
//! clouds reject; the forms here keep every member in document order so the parser can
//! point at the duplicate. [`Node`] is a tree that owns its strings. The parser reads a
//! `Doc` instead, which borrows its strings from the text and keeps all items and members
//! in two shared lists, and a policy keeps the text itself as its [`Source`], so parsing
//! never builds one tree to copy it into another. This module also carries the JSON
//! pointers of error messages, which the parser renders only when it reports an error.
//! Never: interpret a policy.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One JSON value, with object members in document order and duplicates kept.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept as its JSON text so that `10` and `10.0` stay what was written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object: members in document order, duplicates kept.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Parses JSON text.
    pub fn parse(text: &str) -> Result<Node, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Converts a `serde_json::Value` (which has already lost duplicates).
    pub fn from_value(value: &serde_json::Value) -> Node {
        match value {
            serde_json::Value::Null => Node::Null,
            serde_json::Value::Bool(b) => Node::Bool(*b),
            serde_json::Value::Number(n) => Node::Number(n.to_string()),
            serde_json::Value::String(s) => Node::String(s.clone()),
            serde_json::Value::Array(a) => Node::Array(a.iter().map(Node::from_value).collect()),
            serde_json::Value::Object(o) => {
                Node::Object(o.iter().map(|(k, v)| (k.clone(), Node::from_value(v))).collect())
            }
        }
    }

    /// Converts back to a `serde_json::Value` (the last of duplicate members wins).
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            Node::Null => serde_json::Value::Null,
            Node::Bool(b) => serde_json::Value::Bool(*b),
            Node::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
            Node::String(s) => serde_json::Value::String(s.clone()),
            Node::Array(a) => serde_json::Value::Array(a.iter().map(Node::to_value).collect()),
            Node::Object(o) => serde_json::Value::Object(
                o.iter().map(|(k, v)| (k.clone(), v.to_value())).collect(),
            ),
        }
    }

    /// A short name of the value's JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            members.push((k, v));
        }
        Ok(Node::Object(members))
    }
}

/// The document a policy was parsed from, kept whole and shared between clones: the JSON
/// text given to [`crate::Policy::parse`], or the tree given to
/// [`crate::Policy::from_node`] or `from_value`. Read it as a lossless [`Node`] (member
/// order and duplicates kept) or as a `serde_json::Value`.
///
/// Two sources are equal when they hold the same document, whatever the layout of its text.
#[derive(Clone)]
pub struct Source(Repr);

#[derive(Clone)]
enum Repr {
    Text(Arc<str>),
    Tree(Arc<Node>),
}

impl Source {
    /// The text of a document that parsed as JSON.
    pub(crate) fn text(text: &str) -> Source {
        Source(Repr::Text(text.into()))
    }

    /// A tree.
    pub(crate) fn tree(node: Node) -> Source {
        Source(Repr::Tree(Arc::new(node)))
    }

    /// The document as a lossless tree.
    pub fn to_node(&self) -> Node {
        match &self.0 {
            // The text parsed as JSON when the policy was built, so it parses again.
            Repr::Text(text) => Node::parse(text).unwrap_or(Node::Null),
            Repr::Tree(node) => Node::clone(node),
        }
    }

    /// The document as a `serde_json::Value` (the last of duplicate members wins).
    pub fn to_value(&self) -> serde_json::Value {
        match &self.0 {
            Repr::Text(_) => self.to_node().to_value(),
            Repr::Tree(node) => node.to_value(),
        }
    }
}

impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        match (&self.0, &other.0) {
            (Repr::Text(a), Repr::Text(b)) if a == b => true,
            (Repr::Tree(a), Repr::Tree(b)) => a == b,
            _ => self.to_node() == other.to_node(),
        }
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Text(text) => f.debug_tuple("Source").field(&&**text).finish(),
            Repr::Tree(node) => f.debug_tuple("Source").field(&**node).finish(),
        }
    }
}

/// A document as the parser reads it: like a [`Node`] tree, but strings and member names
/// borrow from the text whenever they hold no escape, and the items of every array and the
/// members of every object sit in two shared lists, so reading a document allocates a few
/// growing lists rather than one per string, array and object.
pub(crate) struct Doc<'a> {
    root: Raw<'a>,
    items: Vec<Raw<'a>>,
    members: Vec<(Cow<'a, str>, Raw<'a>)>,
}

/// One value of a [`Doc`].
#[derive(Debug, PartialEq)]
pub(crate) enum Raw<'a> {
    Null,
    Bool(bool),
    /// A number, as [`Node::Number`] holds it.
    Number(Cow<'a, str>),
    String(Cow<'a, str>),
    /// Items, in the document's list of items.
    Array(Span),
    /// Members, in the document's list of members.
    Object(Span),
}

/// A run of the document's items or members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl<'a> Doc<'a> {
    /// Parses JSON text.
    pub(crate) fn parse(text: &'a str) -> Result<Doc<'a>, serde_json::Error> {
        // About one member per 32 bytes of policy text, and an item per 64: enough that the
        // lists rarely grow while reading.
        let mut b = Builder {
            items: Vec::with_capacity(text.len() / 64 + 4),
            members: Vec::with_capacity(text.len() / 32 + 4),
            item_stack: Vec::with_capacity(16),
            member_stack: Vec::with_capacity(32),
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let root = RawSeed(&mut b).deserialize(&mut de)?;
        de.end()?;
        Ok(Doc { root, items: b.items, members: b.members })
    }

    /// A view of a tree, borrowing its strings.
    pub(crate) fn of(node: &'a Node) -> Doc<'a> {
        fn value<'a>(b: &mut Builder<'a>, node: &'a Node) -> Raw<'a> {
            match node {
                Node::Null => Raw::Null,
                Node::Bool(v) => Raw::Bool(*v),
                Node::Number(n) => Raw::Number(Cow::Borrowed(n)),
                Node::String(s) => Raw::String(Cow::Borrowed(s)),
                Node::Array(items) => {
                    let mark = b.item_stack.len();
                    for item in items {
                        let v = value(b, item);
                        b.item_stack.push(v);
                    }
                    b.array(mark)
                }
                Node::Object(members) => {
                    let mark = b.member_stack.len();
                    for (k, v) in members {
                        let v = value(b, v);
                        b.member_stack.push((Cow::Borrowed(k), v));
                    }
                    b.object(mark)
                }
            }
        }
        let mut b = Builder::default();
        let root = value(&mut b, node);
        Doc { root, items: b.items, members: b.members }
    }

    /// The top-level value.
    pub(crate) fn root(&self) -> &Raw<'a> {
        &self.root
    }

    /// The items of an array.
    pub(crate) fn items(&self, span: Span) -> &[Raw<'a>] {
        &self.items[span.start..span.end]
    }

    /// The members of an object, in document order.
    pub(crate) fn members(&self, span: Span) -> &[(Cow<'a, str>, Raw<'a>)] {
        &self.members[span.start..span.end]
    }
}

impl Raw<'_> {
    /// A short name of the value's JSON type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Raw::Null => "null",
            Raw::Bool(_) => "a boolean",
            Raw::Number(_) => "a number",
            Raw::String(_) => "a string",
            Raw::Array(_) => "an array",
            Raw::Object(_) => "an object",
        }
    }
}

/// Builds a [`Doc`]: the items and members of the arrays and objects being read wait on a
/// stack, and move to the document's lists, one contiguous run each, when their array or
/// object ends (inner ones end first).
#[derive(Default)]
struct Builder<'a> {
    items: Vec<Raw<'a>>,
    members: Vec<(Cow<'a, str>, Raw<'a>)>,
    item_stack: Vec<Raw<'a>>,
    member_stack: Vec<(Cow<'a, str>, Raw<'a>)>,
}

impl<'a> Builder<'a> {
    /// Ends the array whose items are on the stack from `mark`.
    fn array(&mut self, mark: usize) -> Raw<'a> {
        let start = self.items.len();
        self.items.extend(self.item_stack.drain(mark..));
        Raw::Array(Span { start, end: self.items.len() })
    }

    /// Ends the object whose members are on the stack from `mark`.
    fn object(&mut self, mark: usize) -> Raw<'a> {
        let start = self.members.len();
        self.members.extend(self.member_stack.drain(mark..));
        Raw::Object(Span { start, end: self.members.len() })
    }
}

/// Reads one value into a [`Builder`].
struct RawSeed<'b, 'a>(&'b mut Builder<'a>);

impl<'de> DeserializeSeed<'de> for RawSeed<'_, 'de> {
    type Value = Raw<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RawSeed<'_, 'de> {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::String(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw<'de>, E> {
        Ok(Raw::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
        let b = self.0;
        let mark = b.item_stack.len();
        while let Some(item) = seq.next_element_seed(RawSeed(&mut *b))? {
            b.item_stack.push(item);
        }
        Ok(b.array(mark))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        let b = self.0;
        let mark = b.member_stack.len();
        while let Some(k) = map.next_key_seed(NameSeed)? {
            let v = map.next_value_seed(RawSeed(&mut *b))?;
            b.member_stack.push((k, v));
        }
        Ok(b.object(mark))
    }
}

/// Reads a member name, borrowing it from the text when it has no escape.
struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Where the parser is in a document, as a chain of borrowed segments on the stack: the
/// parser extends it at every member and item for free, and renders it as a [`Pointer`]
/// only when it reports an error.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    /// The document root.
    pub(crate) fn root() -> Path<'static> {
        Path { parent: None, segment: Segment::Root }
    }

    /// This path extended by an object member name.
    pub(crate) fn key(&'a self, name: &'a str) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Key(name) }
    }

    /// This path extended by an array index.
    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Index(i) }
    }

    /// The JSON pointer it stands for.
    pub(crate) fn pointer(&self) -> Pointer {
        let parent = self.parent.map_or_else(Pointer::root, Path::pointer);
        match self.segment {
            Segment::Root => parent,
            Segment::Key(name) => parent.key(name),
            Segment::Index(i) => parent.index(i),
        }
    }
}

/// A JSON pointer (RFC 6901) under construction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pointer(String);

impl Pointer {
    /// The document root (`""`).
    pub fn root() -> Pointer {
        Pointer(String::new())
    }

    /// This pointer extended by an object member name.
    pub fn key(&self, name: &str) -> Pointer {
        let escaped = name.replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, escaped))
    }

    /// This pointer extended by an array index.
    pub fn index(&self, i: usize) -> Pointer {
        Pointer(format!("{}/{}", self.0, i))
    }

    /// The pointer text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() { f.write_str("/") } else { f.write_str(&self.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_kept_in_order() {
        let node = Node::parse(r#"{"a": 1, "b": [true, null], "a": "x"}"#).unwrap();
        let Node::Object(members) = node else { panic!("object expected") };
        let names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["a", "b", "a"]);
        assert_eq!(members[2].1, Node::String("x".into()));
    }

    #[test]
    fn pointers_escape_per_rfc_6901() {
        let p = Pointer::root().key("Statement").index(0).key("a/b~c");
        assert_eq!(p.as_str(), "/Statement/0/a~1b~0c");
        assert_eq!(Pointer::root().to_string(), "/");
    }
}
