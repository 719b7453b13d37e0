//! The XML of STS responses and errors, written by hand.
//!
//! STS answers in four small, fixed shapes (two results, their metadata, one error), so a
//! writer of a few elements with the five XML escapes is all it takes; an XML library would
//! bring a parser the front door never uses. Values are always escaped.

use std::fmt::Write;

/// The namespace of every STS response.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Text with `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// An element and its content, in document order.
pub enum Node<'a> {
    /// `<name>escaped text</name>`.
    Text(&'a str, String),
    /// `<name>children</name>`.
    Element(&'a str, Vec<Node<'a>>),
}

impl Node<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Node::Text(name, text) => {
                let _ = write!(out, "<{name}>{}</{name}>", escape(text));
            }
            Node::Element(name, children) => {
                let _ = write!(out, "<{name}>");
                for c in children {
                    c.write(out);
                }
                let _ = write!(out, "</{name}>");
            }
        }
    }
}

/// `<{Action}Response xmlns=...><{Action}Result>...</{Action}Result><ResponseMetadata>
/// <RequestId>...</RequestId></ResponseMetadata></{Action}Response>`.
pub fn response(action: &str, result: &[Node<'_>], request_id: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(out, "<{action}Response xmlns=\"{NAMESPACE}\"><{action}Result>");
    for n in result {
        n.write(&mut out);
    }
    let _ = write!(out, "</{action}Result>");
    Node::Element("ResponseMetadata", vec![Node::Text("RequestId", request_id.to_owned())])
        .write(&mut out);
    let _ = write!(out, "</{action}Response>");
    out
}

/// `<ErrorResponse xmlns=...><Error><Type>..</Type><Code>..</Code><Message>..</Message>
/// </Error><RequestId>..</RequestId></ErrorResponse>`.
pub fn error(kind: &str, code: &str, message: &str, request_id: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(out, "<ErrorResponse xmlns=\"{NAMESPACE}\">");
    Node::Element(
        "Error",
        vec![
            Node::Text("Type", kind.to_owned()),
            Node::Text("Code", code.to_owned()),
            Node::Text("Message", message.to_owned()),
        ],
    )
    .write(&mut out);
    Node::Text("RequestId", request_id.to_owned()).write(&mut out);
    out.push_str("</ErrorResponse>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn get_caller_identity_shape() {
        let xml = response(
            "GetCallerIdentity",
            &[
                Node::Text("Arn", "arn:aws:iam::111122223333:user/alice".into()),
                Node::Text("UserId", "AIDAEXAMPLE".into()),
                Node::Text("Account", "111122223333".into()),
            ],
            "req-1",
        );
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn>\
             <UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\
             </GetCallerIdentityResponse>"
        );
    }

    #[test]
    fn nested_elements_and_errors() {
        let xml = response(
            "AssumeRole",
            &[Node::Element("AssumedRoleUser", vec![Node::Text("Arn", "a<b".into())])],
            "r",
        );
        assert!(xml.contains("<AssumeRoleResult><AssumedRoleUser><Arn>a&lt;b</Arn></AssumedRoleUser></AssumeRoleResult>"));
        assert_eq!(
            error("Sender", "AccessDenied", "User: x is not authorized", "r-2"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error>\
             <RequestId>r-2</RequestId></ErrorResponse>"
        );
    }
}
