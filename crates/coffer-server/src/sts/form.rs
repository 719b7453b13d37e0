//! The parameters of an STS Query request: `application/x-www-form-urlencoded` pairs from
//! the body (and the query string), with lists as `Name.member.N[.Field]`.
//!
//! Form decoding is a few lines (`+` is a space, `%XX` a byte), written here rather than
//! taken from a crate because the front door needs nothing else of URL handling.

use std::collections::BTreeMap;

/// The decoded parameters, by name; a repeated name keeps its first value.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Reads the pairs of a query string and of a form body (query first).
    pub fn parse(query: &str, body: &[u8]) -> Params {
        let mut map = BTreeMap::new();
        let body = String::from_utf8_lossy(body);
        for text in [query, body.as_ref()] {
            for pair in text.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                map.entry(decode(k)).or_insert_with(|| decode(v));
            }
        }
        Params(map)
    }

    /// One parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A list `Name.member.N` (scalar members), in the order of `N`.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.members(name).into_values().filter_map(|m| m.get("").cloned()).collect()
    }

    /// A list of structures `Name.member.N.Field`, each as its fields, in the order of `N`.
    pub fn structs(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        self.members(name).into_values().collect()
    }

    /// `N` → (field → value) for `Name.member.N` (field `""`) and `Name.member.N.Field`.
    fn members(&self, name: &str) -> BTreeMap<u32, BTreeMap<String, String>> {
        let prefix = format!("{name}.member.");
        let mut out: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        for (k, v) in self.0.range(prefix.clone()..) {
            let Some(rest) = k.strip_prefix(&prefix) else { break };
            let (n, field) = rest.split_once('.').unwrap_or((rest, ""));
            if let Some(n) = member_index(n) {
                out.entry(n).or_default().insert(field.to_owned(), v.clone());
            }
        }
        out
    }
}

/// A list member's index as the SDKs write it: 1, 2, ... — digits only, without a sign or a
/// leading zero, so that `01`, `+1` and `1` are not three spellings of one member.
fn member_index(n: &str) -> Option<u32> {
    if n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Decodes one form component: `+` is a space, `%XX` a byte; invalid UTF-8 is replaced.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h << 4) | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded() {
        let p = Params::parse(
            "",
            b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=a+b%40c&Policy=%7B%22x%22%3A1%7D&Bad=%zz&End=%4",
        );
        assert_eq!(p.get("Action"), Some("AssumeRole"));
        assert_eq!(p.get("RoleSessionName"), Some("a b@c"));
        assert_eq!(p.get("Policy"), Some(r#"{"x":1}"#));
        assert_eq!(p.get("Bad"), Some("%zz"));
        assert_eq!(p.get("End"), Some("%4"));
        assert_eq!(p.get("Missing"), None);
    }

    #[test]
    fn a_member_has_one_spelling_of_its_index() {
        let p = Params::parse(
            "",
            b"Tags.member.1.Key=a&Tags.member.01.Key=zero&Tags.member.%2B1.Key=plus&Tags.member.0.Key=none",
        );
        let tags = p.structs("Tags");
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!(tags[0]["Key"], "a");
        assert_eq!(member_index("12"), Some(12));
        for bad in ["", "0", "01", "+1", "-1", "1a", "99999999999"] {
            assert_eq!(member_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_and_structures_follow_their_index() {
        let p = Params::parse(
            "Action=GetCallerIdentity",
            b"Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1\
              &Tags.member.10.Key=c&TransitiveTagKeys.member.1=a&TransitiveTagKeys.member.2=b",
        );
        assert_eq!(p.get("Action"), Some("GetCallerIdentity"));
        let tags = p.structs("Tags");
        let keys: Vec<&str> = tags.iter().map(|t| t["Key"].as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(tags[0]["Value"], "1");
        assert!(!tags[2].contains_key("Value"));
        assert_eq!(p.list("TransitiveTagKeys"), ["a", "b"]);
        assert!(p.list("PolicyArns").is_empty());
    }
}
